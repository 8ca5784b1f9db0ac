package config

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Notify is a notify block: where apply tells a run's outcome. Its secrets
// are named, never held: the environment variable that has them.
type Notify struct {
	Type string // "slack" or "webhook"
	// WebhookURLEnv (slack) names the variable holding the incoming
	// webhook's URL, which is a secret.
	WebhookURLEnv string
	// URL (webhook) is where the signed summary is POSTed; SecretEnv names
	// the variable holding its "whsec_" signing secret.
	URL       string
	SecretEnv string
	// On are the events that send it: completed, failed, uncertain,
	// budget_stop (default: failed, uncertain, budget_stop).
	On        []string
	DeclRange hcl.Range
}

// NotifyEvents are the events a notify block's on may name.
var NotifyEvents = []string{"completed", "failed", "uncertain", "budget_stop"}

// defaultNotifyOn: the nights that need someone.
var defaultNotifyOn = []string{"failed", "uncertain", "budget_stop"}

var notifySchemas = map[string]*hcl.BodySchema{
	"slack": {Attributes: []hcl.AttributeSchema{{Name: "webhook_url_env", Required: true}, {Name: "on"}}},
	"webhook": {Attributes: []hcl.AttributeSchema{
		{Name: "url", Required: true}, {Name: "secret_env", Required: true}, {Name: "on"},
	}},
}

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// decodeNotifyBlock reads notify "slack" { ... } or notify "webhook" { ... }.
func decodeNotifyBlock(b *hcl.Block, ctx *hcl.EvalContext, s scope) (*Notify, hcl.Diagnostics) {
	n := &Notify{Type: b.Labels[0], On: defaultNotifyOn, DeclRange: b.DefRange}
	schema, ok := notifySchemas[n.Type]
	if !ok {
		return nil, unsupportedType(b, "notify", `use "slack" (an incoming webhook) or "webhook" (a signed POST of the run's summary).`)
	}
	content, diags := b.Body.Content(schema)
	for _, name := range sortedKeys(content.Attributes) {
		attr := content.Attributes[name]
		if d := checkReferences(attr.Expr, s); d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		invalid := func(detail string) {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid " + name, Detail: detail, Subject: attr.Expr.Range().Ptr()})
		}
		if name == "on" {
			on, d := decodeNotifyOn(attr, ctx)
			diags = append(diags, d...)
			if on != nil {
				n.On = on
			}
			continue
		}
		v, ok, d := nonEmptyString(attr, ctx)
		diags = append(diags, d...)
		if !ok {
			continue
		}
		switch name {
		case "webhook_url_env", "secret_env":
			if !envNamePattern.MatchString(v) {
				// The value may be the secret itself, put in the wrong
				// place: neither it nor its line (no Subject) is quoted.
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid " + name,
					Detail: fmt.Sprintf("%s: %s names the environment variable that holds the secret, such as \"SLACK_WEBHOOK_URL\", and this is not a variable name. The secret itself never goes in a manifest: set it in that variable.",
						attr.NameRange, name),
				})
				continue
			}
			if name == "secret_env" {
				n.SecretEnv = v
			} else {
				n.WebhookURLEnv = v
			}
		case "url":
			if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				invalid(fmt.Sprintf("url must be an absolute http(s) URL, not %q.", v))
				continue
			}
			n.URL = v
		}
	}
	return n, diags
}

// decodeNotifyOn reads on: a list of known events, at least one.
func decodeNotifyOn(attr *hcl.Attribute, ctx *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	v, ok, diags := evalValue(attr.Expr, ctx)
	if !ok {
		return nil, diags
	}
	bad := func(detail string) ([]string, hcl.Diagnostics) {
		return nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid on", Detail: detail, Subject: attr.Expr.Range().Ptr()})
	}
	v, _ = v.Unmark()
	if !v.Type().IsListType() && !v.Type().IsTupleType() && !v.Type().IsSetType() || v.LengthInt() == 0 {
		return bad(fmt.Sprintf("on must be a list of one or more of %s.", quotedList(NotifyEvents)))
	}
	var on []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || !e.IsKnown() || e.Type() != cty.String || !slices.Contains(NotifyEvents, e.AsString()) {
			return bad(fmt.Sprintf("on may name %s; %s is not one of them.", quotedList(NotifyEvents), e.GoString()))
		}
		if !slices.Contains(on, e.AsString()) {
			on = append(on, e.AsString())
		}
	}
	return on, diags
}

func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}
