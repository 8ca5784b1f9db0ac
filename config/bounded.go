package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Bounds on what the loader hands to HCL's parsers, which recurse once per
// nesting level: a file of 100,000 opening parentheses overflows the stack
// and kills the process, which no recover can catch. So the depth is
// measured first, by a scanner that recurses not at all.
const (
	MaxSourceBytes  = 8 << 20 // a manifest or variable file
	MaxNestingDepth = 256     // brackets, interpolations, strings, template directives, operator chains
)

// maxSourceBytes is MaxSourceBytes, lowered by the fuzz target so that it
// reaches the bound without writing megabytes each run.
var maxSourceBytes int64 = MaxSourceBytes

type syntax int

const (
	syntaxNative   syntax = iota // *.ltx.hcl, *.ltxvars.hcl, -var values
	syntaxJSON                   // *.ltx.json, *.json variable files
	syntaxTemplate               // templatefile(): text with ${} and %{}
)

// ReadSource reads a manifest or variable file for parsing, refusing one
// that is not a regular file, is larger than MaxSourceBytes or nests deeper
// than MaxNestingDepth, with a diagnostic naming the file (and the line).
// A name ending in ".json" is read as HCL's JSON syntax.
func ReadSource(path string) ([]byte, hcl.Diagnostics) {
	src, diags := readSized(path)
	if diags.HasErrors() {
		return nil, diags
	}
	if d := CheckNesting(path, src); d != nil {
		return nil, d
	}
	return src, nil
}

// readSized is ReadSource without the nesting check.
func readSized(path string) ([]byte, hcl.Diagnostics) {
	f, err := os.Open(path)
	if err != nil {
		return nil, sourceError(path, 0, "Cannot read file", unwrapPathError(err).Error()+": "+path)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, sourceError(path, 0, "Cannot read file", unwrapPathError(err).Error()+": "+path)
	}
	if !info.Mode().IsRegular() {
		return nil, sourceError(path, 0, "Cannot read file", requireRegular(path, info.Mode()).Error()+".")
	}
	src, err := io.ReadAll(io.LimitReader(f, maxSourceBytes+1))
	if err != nil {
		return nil, sourceError(path, 0, "Cannot read file", unwrapPathError(err).Error()+": "+path)
	}
	if int64(len(src)) > maxSourceBytes {
		return nil, sourceError(path, 1, "File too large",
			fmt.Sprintf("%s is larger than %s, the most a manifest or variable file may hold. Split it into several files.", path, sizeText(maxSourceBytes)))
	}
	return src, nil
}

// CheckNesting refuses src when it nests deeper than MaxNestingDepth,
// with a diagnostic at the line where it goes too deep.
func CheckNesting(filename string, src []byte) hcl.Diagnostics {
	syn := syntaxNative
	if strings.HasSuffix(filename, ".json") {
		syn = syntaxJSON
	}
	line, ok := nestingWithin(src, syn)
	if ok {
		return nil
	}
	return sourceError(filename, line, "Nesting too deep",
		fmt.Sprintf("%s nests brackets, strings, interpolations or operators more than %d deep at line %d. A manifest this deep is almost certainly damaged; ltxform refuses it rather than exhaust its stack.", filename, MaxNestingDepth, line))
}

func sourceError(filename string, line int, summary, detail string) hcl.Diagnostics {
	d := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail}
	if line > 0 {
		pos := hcl.Pos{Line: line, Column: 1}
		d.Subject = &hcl.Range{Filename: filename, Start: pos, End: pos}
	}
	return hcl.Diagnostics{d}
}

type frameKind int

const (
	frameBracket    frameKind = iota // ( [ { in an expression
	frameInterp                      // ${ or %{ inside text
	frameString                      // "…"
	frameHeredoc                     // <<EOT … EOT
	frameJSONString                  // a JSON string, which HCL parses as a template
)

type frame struct {
	kind   frameKind
	closer byte
	marker string // heredoc
	// templated is set once a JSON string holds "${" or "%{": from there on
	// its brackets are an expression's.
	templated bool
	// extra counts what makes the parser or the evaluator recurse inside
	// this frame without a bracket: binary and conditional operators of
	// the current item, open template directives (%{ if }, %{ for }), and
	// brackets within a JSON string's interpolations.
	extra int
}

// nestingWithin scans src without recursion and reports whether its depth
// stays within MaxNestingDepth; when not, the line where it went over.
func nestingWithin(src []byte, syn syntax) (line int, ok bool) {
	var stack []frame
	line = 1
	total := 0 // Σ over frames of 1 + extra, plus the top level's extra
	topExtra := 0
	unaryRun := 0
	atLineStart := true
	over := func() bool { return total+unaryRun > MaxNestingDepth }
	push := func(f frame) { stack = append(stack, f); total++ }
	pop := func() {
		f := stack[len(stack)-1]
		total -= 1 + f.extra
		stack = stack[:len(stack)-1]
	}
	bump := func(n int) { // one more operator or directive in the current frame
		if len(stack) == 0 {
			topExtra += n
		} else {
			stack[len(stack)-1].extra += n
		}
		total += n
	}
	resetItem := func() { // a new item starts: its operators are counted afresh
		if len(stack) == 0 {
			total -= topExtra
			topExtra = 0
		} else if f := &stack[len(stack)-1]; f.kind == frameBracket || f.kind == frameInterp {
			total -= f.extra
			f.extra = 0
		}
	}
	textMode := func() bool {
		if len(stack) == 0 {
			return syn == syntaxTemplate
		}
		k := stack[len(stack)-1].kind
		return k == frameString || k == frameHeredoc || k == frameJSONString
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\n' {
			line++
		}
		if textMode() {
			var top *frame
			if len(stack) > 0 {
				top = &stack[len(stack)-1]
			}
			if top != nil && top.kind == frameString && !stringSpecial[c] {
				// Most of a manifest is prompt text: step over it at once.
				for i+1 < len(src) && !stringSpecial[src[i+1]] {
					i++
				}
				atLineStart = false
				continue
			}
			switch {
			case top != nil && top.kind == frameHeredoc && atLineStart:
				end := bytes.IndexByte(src[i:], '\n')
				if end < 0 {
					end = len(src) - i
				}
				if strings.TrimSpace(string(src[i:i+end])) == top.marker {
					pop()
					i += end - 1
					atLineStart = false
					continue
				}
			}
			atLineStart = c == '\n'
			switch {
			case top != nil && top.kind == frameJSONString:
				// Inside a JSON string, HCL's template parser sees ${…};
				// count its brackets without following its quoting.
				switch c {
				case '\\':
					i++
				case '"':
					pop()
				case '$', '%':
					if i+1 < len(src) && src[i+1] == '{' {
						top.templated = true
					}
				case '(', '[', '{':
					if top.templated { // plain text may hold an unmatched "("
						top.extra++
						total++
					}
				case ')', ']', '}':
					if top.extra > 0 {
						top.extra--
						total--
					}
				}
			case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
				i += 2 // $${ and %%{ are literal
			case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
				if c == '%' && top != nil {
					word := directiveWord(src[i+2:])
					switch word {
					case "if", "for":
						top.extra++
						total++
					case "endif", "endfor":
						if top.extra > 0 {
							top.extra--
							total--
						}
					}
				} else if c == '%' && top == nil {
					switch directiveWord(src[i+2:]) {
					case "if", "for":
						bump(1)
					case "endif", "endfor":
						if topExtra > 0 {
							bump(-1)
						}
					}
				}
				push(frame{kind: frameInterp, closer: '}'})
				i++
			case top != nil && top.kind == frameString && c == '\\':
				i++
			case top != nil && top.kind == frameString && (c == '"' || c == '\n'):
				pop() // a newline ends a native string (HCL reports it unterminated)
			}
			if over() {
				return line, false
			}
			continue
		}

		// Expression mode (or JSON structure).
		switch c {
		case ' ', '\t', '\r':
			continue
		case '!':
			if syn != syntaxJSON && !(i+1 < len(src) && src[i+1] == '=') {
				unaryRun++
				if over() {
					return line, false
				}
				continue
			}
		case '-':
			if syn != syntaxJSON && !(i > 0 && isIdentByte(src[i-1]) && i+1 < len(src) && isIdentByte(src[i+1])) {
				unaryRun++ // a binary minus too: counted either way
				bump(1)
				if over() {
					return line, false
				}
				continue
			}
		}
		unaryRun = 0
		switch c {
		case '\n':
			if len(stack) == 0 || stack[len(stack)-1].closer == '}' {
				resetItem()
			}
		case ',':
			resetItem()
		case '"':
			if syn == syntaxJSON {
				push(frame{kind: frameJSONString})
			} else {
				push(frame{kind: frameString})
			}
		case '(':
			push(frame{kind: frameBracket, closer: ')'})
		case '[':
			push(frame{kind: frameBracket, closer: ']'})
		case '{':
			push(frame{kind: frameBracket, closer: '}'})
		case ')', ']', '}':
			if len(stack) > 0 {
				if top := stack[len(stack)-1]; (top.kind == frameBracket && top.closer == c) || (top.kind == frameInterp && c == '}') {
					pop()
				}
			}
		case '#':
			if syn != syntaxJSON {
				i = skipToLineEnd(src, i) - 1
			}
		case '/':
			if syn == syntaxJSON || i+1 >= len(src) {
				break
			}
			if src[i+1] == '/' {
				i = skipToLineEnd(src, i) - 1
			} else if src[i+1] == '*' {
				end := bytes.Index(src[i+2:], []byte("*/"))
				if end < 0 {
					end = len(src) - i - 2
				}
				line += bytes.Count(src[i:i+2+end], []byte("\n"))
				i += 2 + end + 1
			} else {
				bump(1)
			}
		case '<':
			if syn != syntaxJSON && i+2 < len(src) && src[i+1] == '<' {
				j := i + 2
				if src[j] == '-' {
					j++
				}
				k := j
				for k < len(src) && isIdentByte(src[k]) {
					k++
				}
				if k > j {
					eol := skipToLineEnd(src, k)
					push(frame{kind: frameHeredoc, marker: string(src[j:k])})
					i = eol // the newline: the body starts on the next line
					if i < len(src) {
						line++
					}
					atLineStart = true
					break
				}
			}
			bump(1)
		case '+', '*', '%', '>', '?', '&', '|', '=':
			if syn != syntaxJSON {
				bump(1)
			}
		}
		if over() {
			return line, false
		}
	}
	return line, true
}

// stringSpecial holds the bytes that mean something inside a native
// string: its end, an escape, an interpolation or directive, a newline.
var stringSpecial = [256]bool{'"': true, '\\': true, '$': true, '%': true, '\n': true}

func isIdentByte(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func skipToLineEnd(src []byte, i int) int {
	if end := bytes.IndexByte(src[i:], '\n'); end >= 0 {
		return i + end
	}
	return len(src)
}

// directiveWord is the keyword of a template directive after "%{".
func directiveWord(b []byte) string {
	b = bytes.TrimLeft(b, " \t~")
	n := 0
	for n < len(b) && n < 6 && b[n] >= 'a' && b[n] <= 'z' {
		n++
	}
	return string(b[:n])
}

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
