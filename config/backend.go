package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Backend is the backend block: where the state lives. No block means the
// local .ltxform/ directory beside the manifests.
type Backend struct {
	Type       string // "pg" or "s3"
	SchemaName string // pg: default "ltxform"
	Workspace  string // "" when the block sets none: -workspace, $LTXFORM_WORKSPACE or "default" decide
	ConnStr    string // pg: "" when the block sets none: $PG_CONN_STR
	// s3: the bucket and the key (an object-name prefix) the state lives
	// under; region and endpoint "" leave them to the AWS SDK's default
	// chain ($AWS_REGION, $AWS_ENDPOINT_URL_S3, ...); PathStyle addresses
	// the bucket in the path, as S3-compatible servers want.
	Bucket    string
	Key       string
	Region    string
	Endpoint  string
	PathStyle bool
	DeclRange hcl.Range
}

// Defaults of the backend "pg" block.
const (
	DefaultBackendSchema    = "ltxform"
	DefaultBackendWorkspace = "default"
)

var backendPGSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "schema_name"},
		{Name: "workspace"},
		{Name: "conn_str"},
	},
}

var backendS3Schema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "bucket", Required: true},
		{Name: "key"},
		{Name: "workspace"},
		{Name: "region"},
		{Name: "endpoint"},
		{Name: "path_style"},
	},
}

// backendFileSchema reads only the backend blocks of a file.
var backendFileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: "backend", LabelNames: []string{"type"}}},
}

// Compiled on first use: their counted repetitions make 1,900 allocations
// (0.1–0.2 ms) that every command paid at start, backend or not.
var (
	schemaNamePattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`) })
	workspaceNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,89}$`) })
)

// ValidWorkspace checks a workspace name from any source (block, flag,
// environment); the error says what a name may hold.
func ValidWorkspace(name string) error {
	if !workspaceNamePattern().MatchString(name) {
		return fmt.Errorf("invalid workspace name %q: use up to 90 letters, digits, '_', '.' and '-', starting with a letter or digit", name)
	}
	return nil
}

// LoadBackend reads the backend block of the manifests in dir, if any,
// without evaluating the rest: the store is chosen before the manifest is
// planned (apply of a saved plan reads no manifest at all). Files that do
// not parse are reported by the full load; their diagnostics are returned
// here too so that no store is opened on a guess. The files are returned
// for rendering the diagnostics.
func LoadBackend(dir string) (*Backend, map[string]*hcl.File, hcl.Diagnostics) {
	files := map[string]*hcl.File{}
	names, err := manifestFiles(dir)
	if err != nil {
		return nil, files, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read the manifest directory", Detail: unwrapPathError(err).Error() + ": " + dir}}
	}
	var diags hcl.Diagnostics
	var found *Backend
	for _, name := range names {
		shown := shownPath(dir, name)
		// plan loads the manifest from the directory as typed and reads
		// the backend from the absolute one: a file that parsed cleanly
		// there and holds no backend block adds nothing here.
		e := parseManifestFile(dir, name, true, func(e memoEntry) bool {
			return !e.diags.HasErrors() && !hasBackendBlock(e.file)
		})
		if e.shown != shown {
			files[e.shown] = e.file
			continue
		}
		f, d := e.file, e.diags
		diags = append(diags, d...)
		if f == nil {
			continue
		}
		files[shown] = f
		content, _, d := f.Body.PartialContent(backendFileSchema)
		diags = append(diags, d...)
		for _, b := range content.Blocks {
			if found != nil {
				diags = append(diags, duplicate("backend block", "", found.DeclRange, b.DefRange))
				continue
			}
			be, d := decodeBackendBlock(b)
			diags = append(diags, d...)
			found = be
		}
	}
	return found, files, diags
}

func hasBackendBlock(f *hcl.File) bool {
	content, _, diags := f.Body.PartialContent(backendFileSchema)
	return len(content.Blocks) > 0 || diags.HasErrors()
}

// decodeBackendBlock reads backend "pg" { ... }. Its values are literals:
// the backend is read before variables are evaluated, as in Terraform.
func decodeBackendBlock(b *hcl.Block) (*Backend, hcl.Diagnostics) {
	be := &Backend{Type: b.Labels[0], SchemaName: DefaultBackendSchema, DeclRange: b.DefRange}
	schema := backendPGSchema
	switch be.Type {
	case "pg":
	case "s3":
		schema = backendS3Schema
	default:
		return be, unsupportedType(b, "backend", `there are "pg" (PostgreSQL) and "s3" (AWS S3 or an S3-compatible server). Without a backend block the state stays in .ltxform/.`)
	}
	content, diags := b.Body.Content(schema)
	for _, name := range sortedKeys(content.Attributes) {
		attr := content.Attributes[name]
		v, d := attr.Expr.Value(nil)
		if name == "path_style" && !d.HasErrors() && !v.IsNull() && v.IsKnown() && v.Type() == cty.Bool {
			be.PathStyle = v.True()
			continue
		}
		if bad := notLiteralString(name, attr, v, d); bad != nil {
			diags = append(diags, bad)
			continue
		}
		if bad := be.setString(name, attr, v.AsString()); bad != nil {
			diags = append(diags, bad)
		}
	}
	return be, diags
}

// notLiteralString refuses a backend setting that is not a literal string
// (path_style, a literal bool, is taken before).
func notLiteralString(name string, attr *hcl.Attribute, v cty.Value, d hcl.Diagnostics) *hcl.Diagnostic {
	if d.HasErrors() {
		return invalidAttribute(attr, "Backend settings are literals",
			fmt.Sprintf("%s must be a literal string: the backend is read before variables and locals are evaluated.", name))
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String || name == "path_style" {
		return invalidAttribute(attr, "Invalid backend setting",
			fmt.Sprintf("%s must be a %s.", name, map[bool]string{true: "bool (true or false)", false: "string"}[name == "path_style"]))
	}
	return nil
}

// setString checks and stores one string setting of the backend.
func (be *Backend) setString(name string, attr *hcl.Attribute, s string) *hcl.Diagnostic {
	invalid := func(detail string) *hcl.Diagnostic { return invalidAttribute(attr, "Invalid "+name, detail) }
	switch name {
	case "schema_name":
		if !schemaNamePattern().MatchString(s) {
			return invalid(fmt.Sprintf("schema_name %q must be a PostgreSQL name of lower-case letters, digits and '_', starting with a letter or '_' (at most 63).", s))
		}
		be.SchemaName = s
	case "workspace":
		if err := ValidWorkspace(s); err != nil {
			return invalid(err.Error() + ".")
		}
		be.Workspace = s
	case "conn_str":
		if ConnStrHasPassword(s) {
			// No Subject: the renderer would quote the line, secret and all.
			return &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid conn_str",
				Detail:   fmt.Sprintf("%s: conn_str holds a password, and a manifest is no place for one. Remove it from conn_str and give it in the environment: PGPASSWORD, a ~/.pgpass file, or the whole string in PG_CONN_STR.", attr.NameRange),
			}
		}
		be.ConnStr = s
	case "bucket":
		if s == "" {
			return invalid("bucket must name the bucket the state lives in.")
		}
		be.Bucket = s
	case "key":
		be.Key = s
	case "region":
		be.Region = s
	case "endpoint":
		if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return invalid(fmt.Sprintf("endpoint %q must be a URL such as https://s3.example.com.", s))
		}
		be.Endpoint = s
	}
	return nil
}

// ConnStrHasPassword tells whether a PostgreSQL connection string, as a URL
// (postgres://user:password@host/db) or as key=value pairs, holds a password.
func ConnStrHasPassword(s string) bool {
	if strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://") {
		if u, err := url.Parse(s); err == nil {
			if _, set := u.User.Password(); set {
				return true
			}
			return u.Query().Has("password")
		}
		// Unparsable: look for user:password@ by hand.
		rest := s[strings.Index(s, "//")+2:]
		at := strings.LastIndex(rest, "@")
		return at >= 0 && strings.Contains(rest[:at], ":")
	}
	for _, field := range strings.Fields(s) {
		if k, _, ok := strings.Cut(field, "="); ok && strings.TrimSpace(k) == "password" {
			return true
		}
	}
	return strings.Contains(s, "password =") || strings.Contains(s, "password=")
}

// chooseWorkspace is ltxform.workspace: the -workspace flag, else
// $LTXFORM_WORKSPACE, else the backend block's workspace, else "default";
// without a backend block the local state's only workspace, "default".
// An invalid name is reported where the store is opened.
func chooseWorkspace(block *hcl.Block, opts LoadOptions) string {
	if block == nil {
		return DefaultBackendWorkspace
	}
	if opts.Workspace != "" {
		return opts.Workspace
	}
	for _, kv := range opts.Environ {
		if v, ok := strings.CutPrefix(kv, "LTXFORM_WORKSPACE="); ok && v != "" {
			return v
		}
	}
	if be, _ := decodeBackendBlock(block); be != nil && be.Workspace != "" {
		return be.Workspace
	}
	return DefaultBackendWorkspace
}
