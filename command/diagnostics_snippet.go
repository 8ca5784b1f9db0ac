package command

import (
	"bytes"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"
)

// diagnosticsInSourceOrder are diags as -json lists them for a reader
// going down the files: by file, then by where they start, with the
// snippet of source each points at; those without a place come last.
func diagnosticsInSourceOrder(files map[string]*hcl.File, diags hcl.Diagnostics) []jsonDiagnostic {
	ordered := slices.Clone(diags)
	slices.SortStableFunc(ordered, func(a, b *hcl.Diagnostic) int {
		switch {
		case a.Subject == nil || b.Subject == nil:
			return boolOrder(a.Subject == nil, b.Subject == nil)
		case a.Subject.Filename != b.Subject.Filename:
			return strings.Compare(a.Subject.Filename, b.Subject.Filename)
		}
		return a.Subject.Start.Byte - b.Subject.Start.Byte
	})
	out := diagnosticsJSON(ordered)
	for i, d := range ordered {
		if d.Subject != nil {
			out[i].Snippet = snippetOf(files[d.Subject.Filename], *d.Subject)
		}
	}
	return out
}

// boolOrder sorts false before true.
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// snippetOf is the source of r in f; nil when the file is not at hand.
func snippetOf(f *hcl.File, r hcl.Range) *jsonSnippet {
	if f == nil || r.Start.Byte > len(f.Bytes) || r.End.Byte > len(f.Bytes) || r.Start.Byte > r.End.Byte {
		return nil
	}
	src := f.Bytes
	start := bytes.LastIndexByte(src[:r.Start.Byte], '\n') + 1
	end := len(src)
	if nl := bytes.IndexByte(src[r.End.Byte:], '\n'); nl >= 0 {
		end = r.End.Byte + nl
	}
	s := &jsonSnippet{
		Code:                 strings.TrimSuffix(string(src[start:end]), "\r"),
		StartLine:            r.Start.Line,
		HighlightStartOffset: r.Start.Byte - start,
		HighlightEndOffset:   r.End.Byte - start,
	}
	if ctx := hcled.ContextString(f, r.Start.Byte); ctx != "" {
		s.Context = &ctx
	}
	return s
}
