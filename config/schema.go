package config

import "github.com/hashicorp/hcl/v2"

// fileSchema is the top level of a manifest file.
var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "api"},
		{Type: "budget"},
		{Type: "pricing"},
		{Type: "defaults"},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "video", LabelNames: []string{"name"}},
		{Type: "moved"}, // config/moved.go
		{Type: "backend", LabelNames: []string{"type"}}, // decoded by backend.go
		{Type: "notify", LabelNames: []string{"type"}},  // config/notify.go
		{Type: "storage", LabelNames: []string{"type"}}, // decoded by storage.go
	},
}

var apiSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "base_url"},
		{Name: "requests_per_minute"},
		{Name: "parallelism"},
		{Name: "max_attempts"},
		{Name: "provider"},
		{Name: "model"},
		{Name: "max_concurrent_tasks"},
		{Name: "task_timeout"},
		{Name: "idempotency_key"},
	},
}

var budgetSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "max_cost"}, {Name: "max_credits"}, {Name: "worst_case"},
		{Name: "max_total"}, {Name: "max_per_day"}, {Name: "max_per_month"}},
}

// pricingAttributes are the names of the one pricing map: per_second in the
// provider's unit, and the aliases that say the unit.
var pricingAttributes = []string{"per_second", "credits_per_second", "usd_per_second"}

var pricingSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "per_second"}, {Name: "credits_per_second"}, {Name: "usd_per_second"}},
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"},
		{Name: "default"},
		{Name: "description"},
		{Name: "sensitive"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "condition", Required: true},
		{Name: "error_message", Required: true},
	},
}

// videoAttributes are the attributes a video block (and the defaults block)
// may set, beside the meta-arguments.
var videoAttributes = []string{
	"prompt", "duration", "resolution", "image_url", "aspect_ratio", "seed", "webhook_url", "output",
	"model", "fps", "generate_audio", "camera_motion", "last_frame_url", "image_file",
}

var videoSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "for_each"}, {Name: "count"}}}
	for _, name := range videoAttributes {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: name})
	}
	return s
}()

// defaultsSchema has every video attribute but the ones that must differ per
// video: the prompt and the output path.
var defaultsSchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, name := range videoAttributes {
		if name == "prompt" || name == "output" {
			continue
		}
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: name})
	}
	return s
}()
