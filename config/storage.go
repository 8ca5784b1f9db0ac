package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Storage is the storage block: where finished videos are kept beside the
// local files, so that a host without a file fetches it instead of buying
// or downloading it again. Credentials are never here: the AWS SDK's
// default chain gives them.
type Storage struct {
	Type      string `json:"type"` // "s3"
	Bucket    string `json:"bucket"`
	Prefix    string `json:"prefix,omitempty"`   // object key = Prefix + output path
	Region    string `json:"region,omitempty"`   // "" = the SDK's (AWS_REGION, profile)
	Endpoint  string `json:"endpoint,omitempty"` // "" = AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or AWS's
	PathStyle bool   `json:"path_style,omitempty"`
	// PublicBaseURL, when set, is where report links objects (base + key)
	// instead of presigning them.
	PublicBaseURL string `json:"public_base_url,omitempty"`
	// PresignExpiry is how long report's presigned links work.
	PresignExpiry time.Duration `json:"presign_expiry,omitempty"`
	DeclRange     hcl.Range     `json:"-"`
}

// DefaultPresignExpiry is report's link lifetime without presign_expiry;
// SigV4 allows at most MaxPresignExpiry.
const (
	DefaultPresignExpiry = 24 * time.Hour
	MaxPresignExpiry     = 7 * 24 * time.Hour
)

var storageS3Schema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "bucket", Required: true},
		{Name: "prefix"},
		{Name: "region"},
		{Name: "endpoint"},
		{Name: "path_style"},
		{Name: "public_base_url"},
		{Name: "presign_expiry"},
	},
}

// decodeStorageBlock reads storage "s3" { ... }. Its values are literals,
// as the backend's are: a saved plan carries them to apply.
func decodeStorageBlock(b *hcl.Block) (*Storage, hcl.Diagnostics) {
	st := &Storage{Type: b.Labels[0], PresignExpiry: DefaultPresignExpiry, DeclRange: b.DefRange}
	if st.Type != "s3" {
		return nil, unsupportedType(b, "storage", `the only one is "s3" (AWS S3 and S3-compatible services).`)
	}
	content, diags := b.Body.Content(storageS3Schema)
	for _, name := range sortedKeys(content.Attributes) {
		attr := content.Attributes[name]
		invalid := func(detail string) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid storage " + name, Detail: detail, Subject: attr.Expr.Range().Ptr()})
		}
		v, d := attr.Expr.Value(nil)
		if d.HasErrors() || v.IsNull() || !v.IsKnown() {
			invalid(fmt.Sprintf("%s must be a literal value: storage is read before variables and locals are evaluated.", name))
			continue
		}
		if name == "path_style" {
			if v.Type() != cty.Bool {
				invalid("path_style must be true or false.")
				continue
			}
			st.PathStyle = v.True()
			continue
		}
		if v.Type() != cty.String {
			invalid(fmt.Sprintf("%s must be a string.", name))
			continue
		}
		s := v.AsString()
		switch name {
		case "bucket":
			if s == "" || strings.ContainsAny(s, "/ ") {
				invalid(fmt.Sprintf("bucket %q must be a bucket name, without slashes or spaces.", s))
				continue
			}
			st.Bucket = s
		case "prefix":
			if strings.HasPrefix(s, "/") {
				invalid(fmt.Sprintf("prefix %q must not start with '/': object keys are relative to the bucket.", s))
				continue
			}
			st.Prefix = s
		case "region":
			st.Region = s
		case "endpoint", "public_base_url":
			u, err := url.Parse(s)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				invalid(fmt.Sprintf("%s %q must be an http or https URL.", name, s))
				continue
			}
			if u.User != nil {
				invalid(fmt.Sprintf("%s must not hold credentials: they come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID, a profile, a role).", name))
				continue
			}
			if name == "endpoint" {
				st.Endpoint = s
			} else {
				st.PublicBaseURL = strings.TrimSuffix(s, "/") + "/"
			}
		case "presign_expiry":
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 || d > MaxPresignExpiry {
				invalid(fmt.Sprintf("presign_expiry %q must be a duration such as \"24h\", greater than zero and at most 168h (S3's limit for presigned links).", s))
				continue
			}
			st.PresignExpiry = d
		}
	}
	return st, diags
}

// storageFileSchema reads only the storage blocks of a file.
var storageFileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: "storage", LabelNames: []string{"type"}}},
}

// LoadStorage reads the storage block of the manifests in dir, if any,
// without evaluating the rest: report links stored videos without
// needing the manifest's variables. Files that do not parse are skipped
// (the full load reports them).
func LoadStorage(dir string) (*Storage, hcl.Diagnostics) {
	names, err := manifestFiles(dir)
	if err != nil {
		return nil, nil
	}
	var diags hcl.Diagnostics
	for _, name := range names {
		shown := shownPath(dir, name)
		src, d := readSized(shown)
		if d.HasErrors() {
			continue
		}
		f, d := parseSource(src, shown)
		if d.HasErrors() {
			continue
		}
		content, _, _ := f.Body.PartialContent(storageFileSchema)
		for _, b := range content.Blocks {
			return decodeStorageBlock(b)
		}
	}
	return nil, diags
}
