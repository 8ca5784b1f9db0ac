package config

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// videoBlock is a video block before expansion: for_each and count stay
// expressions until the variables and locals are known.
type videoBlock struct {
	Name      string
	ForEach   *hcl.Attribute
	Count     *hcl.Attribute
	Attrs     hcl.Attributes // the video attributes, without the meta-arguments
	DeclRange hcl.Range
}

func decodeVideoBlock(block *hcl.Block) (*videoBlock, hcl.Diagnostics) {
	vb := &videoBlock{Name: block.Labels[0], DeclRange: block.DefRange, Attrs: hcl.Attributes{}}
	content, diags := block.Body.Content(videoSchema)
	if bad := invalidBlockName("video", block); bad != nil {
		diags = append(diags, bad)
	}
	for name, attr := range content.Attributes {
		switch name {
		case "for_each":
			vb.ForEach = attr
		case "count":
			vb.Count = attr
		default:
			vb.Attrs[name] = attr
		}
	}
	if vb.ForEach != nil && vb.Count != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  `Invalid combination of "count" and "for_each"`,
			Detail:   `A video block may set count or for_each, not both.`,
			Subject:  vb.Count.NameRange.Ptr(),
		})
		vb.Count = nil
	}
	if _, ok := vb.Attrs["prompt"]; !ok {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing required argument",
			Detail:   fmt.Sprintf(`The argument "prompt" is required, but video %q does not set it.`, vb.Name),
			Subject:  vb.DeclRange.Ptr(),
		})
	}
	return vb, diags
}

// instance is one expansion of a video block: its key and the each/count
// values its expressions see.
type instance struct {
	Key     string
	Address string
	Vars    map[string]cty.Value
}

// instances expands for_each or count; a single block is one instance.
func (vb *videoBlock) instances(ctx *hcl.EvalContext, s scope) ([]instance, hcl.Diagnostics) {
	base := "video." + vb.Name
	switch {
	case vb.ForEach != nil:
		return vb.forEachInstances(ctx, s)
	case vb.Count != nil:
		if d := checkReferences(vb.Count.Expr, s); d.HasErrors() {
			return nil, d
		}
		n, ok, diags := evalInt(vb.Count, ctx, 0, 10000)
		if !ok {
			return nil, diags
		}
		out := make([]instance, 0, n)
		for i := int64(0); i < n; i++ {
			out = append(out, instance{
				Key:     fmt.Sprint(i),
				Address: fmt.Sprintf("%s[%d]", base, i),
				Vars:    map[string]cty.Value{"count": cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(i)})},
			})
		}
		return out, diags
	default:
		return []instance{{Address: base}}, nil
	}
}

func (vb *videoBlock) forEachInstances(ctx *hcl.EvalContext, s scope) ([]instance, hcl.Diagnostics) {
	if d := checkReferences(vb.ForEach.Expr, s); d.HasErrors() {
		return nil, d
	}
	// The keys become addresses, printed everywhere and kept in the state.
	raw, diags := vb.ForEach.Expr.Value(ctx)
	if !diags.HasErrors() && raw.ContainsMarked() {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid for_each argument",
			Detail:   "for_each cannot use a sensitive value: its keys become the videos' addresses, which are shown and stored.",
			Subject:  vb.ForEach.Expr.Range().Ptr(),
		}}
	}
	v, ok := raw, !diags.HasErrors() && !raw.IsNull() && raw.IsWhollyKnown() // as evalValue; unmarked: checked above
	if !ok {
		if !diags.HasErrors() && v.IsKnown() && v.IsNull() {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid for_each argument",
				Detail:   "for_each must be a map or a set of strings, not null.",
				Subject:  vb.ForEach.Expr.Range().Ptr(),
			})
		}
		return nil, diags
	}
	ty := v.Type()
	bad := func(detail string) ([]instance, hcl.Diagnostics) {
		return nil, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid for_each argument",
			Detail:   detail,
			Subject:  vb.ForEach.Expr.Range().Ptr(),
		})
	}
	var out []instance
	if ty.IsObjectType() || ty.IsMapType() || ty.IsSetType() {
		out = make([]instance, 0, v.LengthInt())
	}
	prefix := "video." + vb.Name
	add := func(key string, value cty.Value) {
		out = append(out, instance{
			Key:     key,
			Address: prefix + "[" + strconv.Quote(key) + "]", // as %q
			Vars: map[string]cty.Value{"each": cty.ObjectVal(map[string]cty.Value{
				"key": cty.StringVal(key), "value": value,
			})},
		})
	}
	switch {
	case ty.IsObjectType() || ty.IsMapType():
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			add(k.AsString(), e)
		}
	case ty.IsSetType():
		if ty.ElementType() != cty.String {
			return bad(fmt.Sprintf("for_each must be a map or a set of strings, not a set of %s.", ty.ElementType().FriendlyName()))
		}
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsNull() {
				return bad("A set given to for_each must not contain null.")
			}
			add(e.AsString(), e)
		}
	case ty.IsTupleType() || ty.IsListType():
		return bad("for_each must be a map or a set of strings, not a list. Convert a list of strings with toset(...).")
	default:
		return bad(fmt.Sprintf("for_each must be a map or a set of strings, not %s.", typeName(ty)))
	}
	return out, diags
}

// expand evaluates every instance of the block into videos, and the
// instances with an error into invalid ones.
func (vb *videoBlock) expand(ctx *hcl.EvalContext, s scope, defaults *defaultsBlock, files *readFiles) (videos, invalid []*Video, _ hcl.Diagnostics) {
	insts, diags := vb.instances(ctx, s)
	inner := s
	inner.hasEach = vb.ForEach != nil
	inner.hasCount = vb.Count != nil
	refs := attrMemo{}
	for _, inst := range insts {
		ictx := ctx.NewChild()
		ictx.Variables = inst.Vars
		v, d := vb.evalInstance(inst, ictx, ctx, inner, s, defaults, files, refs)
		diags = append(diags, d...)
		if len(v.Unevaluated) > 0 {
			invalid = append(invalid, v)
		} else {
			videos = append(videos, v)
		}
	}
	return videos, invalid, diags
}

// attrMemo memoises, per attribute of one block, checkReferences (an
// attribute is the same expression in the same scope for every instance)
// and the value of an attribute that does not refer to each or count,
// which is the same for every instance: a literal such as
// resolution = "1080p" is evaluated once per block, not once per video.
// The functions of a manifest are pure, so one evaluation stands for all.
type attrMemo map[*hcl.Attribute]*attrEval

type attrEval struct {
	refs        hcl.Diagnostics
	perInstance bool // refers to each or count
	evaluated   bool
	val         cty.Value
	diags       hcl.Diagnostics
}

func (c attrMemo) of(attr *hcl.Attribute, s scope) *attrEval {
	e, ok := c[attr]
	if !ok {
		e = &attrEval{refs: checkReferences(attr.Expr, s)}
		for _, tr := range attr.Expr.Variables() {
			if root := tr.RootName(); root == "each" || root == "count" {
				e.perInstance = true
			}
		}
		c[attr] = e
	}
	return e
}

func (c attrMemo) check(attr *hcl.Attribute, s scope) hcl.Diagnostics {
	return c.of(attr, s).refs
}

// value is attr's value in ctx, evaluated once when it is the same for
// every instance.
func (c attrMemo) value(attr *hcl.Attribute, s scope, ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	e := c.of(attr, s)
	if e.perInstance {
		return attr.Expr.Value(ctx)
	}
	if !e.evaluated {
		e.val, e.diags = attr.Expr.Value(ctx)
		e.evaluated = true
	}
	return e.val, e.diags
}

// evalInstance evaluates one instance of the block into a video: each
// attribute (from the block, else from defaults), then what needs several
// of them together. An attribute that fails is named in v.Unevaluated.
func (vb *videoBlock) evalInstance(inst instance, ictx, baseCtx *hcl.EvalContext, inner, outer scope, defaults *defaultsBlock, files *readFiles, refs attrMemo) (*Video, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	v := &Video{
		Address:    inst.Address,
		Name:       vb.Name,
		Key:        inst.Key,
		Resolution: DefaultResolution,
		Duration:   DefaultDuration,
		DeclRange:  vb.DeclRange,
		Ranges:     map[string]hcl.Range{"resolution": vb.DeclRange, "duration": vb.DeclRange},
	}
	for _, name := range videoAttributes {
		attr, ctx, sc := vb.Attrs[name], ictx, inner
		if attr == nil && defaults != nil {
			attr, ctx, sc = defaults.Attrs[name], baseCtx, outer
		}
		if attr == nil {
			continue
		}
		ok, d := evalVideoAttribute(v, name, attr, ctx, sc, files, refs)
		diags = append(diags, d...)
		if !ok {
			markUnevaluated(v, name)
		}
	}
	diags = append(diags, vb.checkAttributesTogether(v)...)
	if _, ok := v.Ranges["output"]; !ok {
		v.Output = defaultOutput(vb.Name, inst.Key, vb.ForEach != nil || vb.Count != nil)
		v.Ranges["output"] = vb.DeclRange
	}
	return v, diags
}

// evalVideoAttribute evaluates one attribute and stores it into v with its
// range; false when it cannot be used.
func evalVideoAttribute(v *Video, name string, attr *hcl.Attribute, ctx *hcl.EvalContext, sc scope, files *readFiles, refs attrMemo) (bool, hcl.Diagnostics) {
	if d := refs.check(attr, sc); d.HasErrors() {
		return false, d
	}
	// An unknown value stands for an error reported at its source
	// (a variable without a value, a failed local): the video is
	// invalid, quietly. A null value leaves the attribute unset.
	val, d := refs.value(attr, sc, ctx)
	if d.HasErrors() || !val.IsWhollyKnown() {
		return false, d
	}
	if val.IsNull() {
		return true, nil
	}
	if val.ContainsMarked() {
		if name == "output" {
			// Like for_each's keys: output paths are printed by plan
			// and apply and kept in the state.
			return false, hcl.Diagnostics{invalidAttribute(attr, "Invalid output",
				fmt.Sprintf("The output of %s cannot use a sensitive value: output paths are shown by plan and apply and stored in the state.", v.Address))}
		}
		if v.Sensitive == nil {
			v.Sensitive = map[string]bool{}
		}
		v.Sensitive[name] = true
	}
	ok, d := setVideoAttribute(v, attr, val, files)
	if ok {
		v.Ranges[name] = attr.Expr.Range()
	}
	return ok, d
}

// checkAttributesTogether checks what no single attribute can: that the
// prompt is set (it may be null) and that one image source at most is.
func (vb *videoBlock) checkAttributesTogether(v *Video) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if _, ok := v.Ranges["prompt"]; !ok && !v.Unevaluated["prompt"] {
		if attr := vb.Attrs["prompt"]; attr != nil {
			diags = append(diags, invalidAttribute(attr, "Missing required argument",
				fmt.Sprintf("The prompt of %s is null; every video needs a prompt.", v.Address)))
		}
		markUnevaluated(v, "prompt")
	}
	if v.ImageFile != "" && v.ImageURL != "" {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Conflicting image arguments",
			Detail: fmt.Sprintf("%s sets both image_file (line %d) and image_url (line %d); the first frame comes from one of them.",
				v.Address, v.Ranges["image_file"].Start.Line, v.Ranges["image_url"].Start.Line),
			Subject: v.Ranges["image_file"].Ptr(),
		})
		markUnevaluated(v, "image_file")
		markUnevaluated(v, "image_url")
	}
	return diags
}

// markUnevaluated records that v's attribute name could not be evaluated,
// which makes v invalid.
func markUnevaluated(v *Video, name string) {
	if v.Unevaluated == nil {
		v.Unevaluated = map[string]bool{}
	}
	v.Unevaluated[name] = true
}

// setVideoAttribute stores one attribute's value into v, strictly typed.
func setVideoAttribute(v *Video, attr *hcl.Attribute, val cty.Value, files *readFiles) (bool, hcl.Diagnostics) {
	switch attr.Name {
	case "fps":
		i, ok, d := wholeNumberValue(attr, val, 1, 1000, "Invalid fps", "fps must be a whole number of frames per second, such as 24, not %s.")
		if ok {
			v.FPS = int(i)
		}
		return ok, d
	case "seed":
		i, ok, d := wholeNumberValue(attr, val, 0, math.MaxUint32, "Invalid seed",
			fmt.Sprintf("seed must be a whole number from 0 to %d, not %%s.", uint32(math.MaxUint32)))
		if ok {
			v.Seed = &i
		}
		return ok, d
	case "generate_audio":
		b, ok, d := boolValue(attr, val)
		if ok {
			v.GenerateAudio = &b
		}
		return ok, d
	case "duration":
		f, ok, d := numberValue(attr, val, "INVALID_DURATION")
		if ok {
			v.Duration, _ = f.Float64()
		}
		return ok, d
	}
	s, ok, d := stringValue(attr, val)
	if !ok {
		return false, d
	}
	var bad *hcl.Diagnostic
	switch attr.Name {
	case "prompt":
		if off, what := badPromptByte(s); off >= 0 {
			bad = invalidAttribute(attr, "Invalid prompt",
				fmt.Sprintf("The prompt of %s holds %s at byte offset %d; it would not reach the API as written.", v.Address, what, off))
		} else {
			v.Prompt = s
		}
	case "image_file":
		bad = setImageFile(v, attr, s, files)
	case "output":
		var warning *hcl.Diagnostic
		bad, warning = setOutput(v, attr, s)
		if warning != nil {
			d = append(d, warning)
		}
	default:
		if field := v.TextAttribute(attr.Name); field != nil {
			*field = s
		}
	}
	if bad != nil {
		return false, append(d, bad)
	}
	return true, d
}

// wholeNumberValue is val as a whole number from min to max; detail says
// what is wanted, with a %s for the number given.
func wholeNumberValue(attr *hcl.Attribute, val cty.Value, min, max int64, summary, detail string) (int64, bool, hcl.Diagnostics) {
	f, ok, d := numberValue(attr, val, "")
	if !ok {
		return 0, false, d
	}
	i, acc := f.Int64()
	if acc != big.Exact || i < min || i > max {
		return 0, false, append(d, invalidAttribute(attr, summary, fmt.Sprintf(detail, f.Text('g', -1))))
	}
	return i, true, d
}

// setImageFile records the image file with its hash and size, read once
// through files, which keeps it inside the manifest directory.
func setImageFile(v *Video, attr *hcl.Attribute, name string, files *readFiles) *hcl.Diagnostic {
	clean, info := files.image(name)
	if info.err != nil {
		return invalidAttribute(attr, "Invalid image_file",
			fmt.Sprintf("The image_file of %s must be a regular file inside the manifest directory: %s.", v.Address, info.err))
	}
	v.ImageFile, v.ImageFileSHA256, v.ImageFileBytes = clean, info.sha256, info.size
	return nil
}

// setOutput records the output path, cleaned and confined to the manifest
// directory; a name without .mp4 is allowed with a warning.
func setOutput(v *Video, attr *hcl.Attribute, path string) (bad, warning *hcl.Diagnostic) {
	if urlLike.MatchString(path) {
		return invalidAttribute(attr, "Invalid output",
			fmt.Sprintf("The output of %s, %q, is a URL; output is a file path inside the manifest directory, such as \"out/%s.mp4\". ltxform does not upload videos.", v.Address, path, v.Name)), nil
	}
	clean, err := cleanRelative(path)
	if err != nil {
		return invalidAttribute(attr, "Invalid output",
			fmt.Sprintf("The output of %s must be a file inside the manifest directory: %s.", v.Address, err)), nil
	}
	if !strings.HasSuffix(strings.ToLower(clean), ".mp4") {
		warning = &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "Output is not an .mp4 file",
			Detail:   fmt.Sprintf("The API returns MP4 video, but %s writes it to %q.", v.Address, clean),
			Subject:  attr.Expr.Range().Ptr(),
		}
	}
	v.Output = clean
	return nil, warning
}

// invalidAttribute is an error at attr's expression.
func invalidAttribute(attr *hcl.Attribute, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: attr.Expr.Range().Ptr()}
}

// defaultOutput is out/NAME.mp4, or out/NAME/KEY.mp4 for an expanded block.
func defaultOutput(name, key string, expanded bool) string {
	if !expanded {
		return "out/" + name + ".mp4"
	}
	return "out/" + name + "/" + safeFileName(key) + ".mp4"
}

// safeFileName keeps letters, digits, '-', '_' and '.', replacing the rest,
// so that any for_each key makes one plain file name.
func safeFileName(key string) string {
	var b strings.Builder
	for _, r := range key {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" || strings.Trim(s, ".") == "" {
		s = "_" + s
	}
	return s
}

// urlLike matches "scheme://", which is never meant as a local path.
var urlLike = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// badPromptByte finds the first byte of s that cannot be sent as written:
// an invalid UTF-8 sequence (JSON encoding would replace it) or a NUL.
func badPromptByte(s string) (int, string) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return i, "invalid UTF-8"
		case r == 0:
			return i, "a NUL character"
		}
		i += size
	}
	return -1, ""
}
