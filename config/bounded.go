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
	s := &nestingScanner{src: src, syn: syn, line: 1, atLineStart: true}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			s.line++
		}
		if s.inText() {
			i = s.scanText(i)
		} else {
			i = s.scanExpression(i)
		}
		if s.over() {
			return s.line, false
		}
	}
	return s.line, true
}

// nestingScanner is nestingWithin's state between bytes. Each scan method
// consumes the byte at i (and whatever it must step over with it) and
// returns the index of the last byte it consumed.
type nestingScanner struct {
	src         []byte
	syn         syntax
	stack       []frame
	line        int
	total       int // Σ over frames of 1 + extra, plus the top level's extra
	topExtra    int
	unaryRun    int // unary operators in a row, each a level of recursion
	atLineStart bool
}

func (s *nestingScanner) over() bool { return s.total+s.unaryRun > MaxNestingDepth }

func (s *nestingScanner) push(f frame) { s.stack = append(s.stack, f); s.total++ }

func (s *nestingScanner) pop() {
	f := s.stack[len(s.stack)-1]
	s.total -= 1 + f.extra
	s.stack = s.stack[:len(s.stack)-1]
}

// top is the innermost open frame, nil at the top level.
func (s *nestingScanner) top() *frame {
	if len(s.stack) == 0 {
		return nil
	}
	return &s.stack[len(s.stack)-1]
}

// currentExtra is the operator and directive count of the innermost frame
// (or of the top level).
func (s *nestingScanner) currentExtra() *int {
	if f := s.top(); f != nil {
		return &f.extra
	}
	return &s.topExtra
}

// bump counts n more (or, negative, fewer) operators or directives in the
// current frame.
func (s *nestingScanner) bump(n int) {
	*s.currentExtra() += n
	s.total += n
}

// resetItem starts a new item: its operators are counted afresh.
func (s *nestingScanner) resetItem() {
	f := s.top()
	if f == nil {
		s.total -= s.topExtra
		s.topExtra = 0
	} else if f.kind == frameBracket || f.kind == frameInterp {
		s.total -= f.extra
		f.extra = 0
	}
}

// inText reports whether the scanner is inside text (a string, a heredoc,
// a template file) rather than an expression.
func (s *nestingScanner) inText() bool {
	f := s.top()
	if f == nil {
		return s.syn == syntaxTemplate
	}
	return f.kind == frameString || f.kind == frameHeredoc || f.kind == frameJSONString
}

// scanText consumes a byte of text: the end of its string or heredoc, an
// escape, or the start of an interpolation or directive.
func (s *nestingScanner) scanText(i int) int {
	src, c, top := s.src, s.src[i], s.top()
	if top != nil && top.kind == frameString && !stringSpecial[c] {
		// Most of a manifest is prompt text: step over it at once.
		for i+1 < len(src) && !stringSpecial[src[i+1]] {
			i++
		}
		s.atLineStart = false
		return i
	}
	if top != nil && top.kind == frameHeredoc && s.atLineStart {
		end := bytes.IndexByte(src[i:], '\n')
		if end < 0 {
			end = len(src) - i
		}
		if strings.TrimSpace(string(src[i:i+end])) == top.marker {
			s.pop()
			s.atLineStart = false
			return i + end - 1
		}
	}
	s.atLineStart = c == '\n'
	switch {
	case top != nil && top.kind == frameJSONString:
		return s.scanJSONString(i, top)
	case (c == '$' || c == '%') && i+2 < len(src) && src[i+1] == c && src[i+2] == '{':
		return i + 2 // $${ and %%{ are literal
	case (c == '$' || c == '%') && i+1 < len(src) && src[i+1] == '{':
		if c == '%' {
			s.countDirective(directiveWord(src[i+2:]))
		}
		s.push(frame{kind: frameInterp, closer: '}'})
		return i + 1
	case top != nil && top.kind == frameString && c == '\\':
		return i + 1
	case top != nil && top.kind == frameString && (c == '"' || c == '\n'):
		s.pop() // a newline ends a native string (HCL reports it unterminated)
	}
	return i
}

// scanJSONString consumes a byte of a JSON string. HCL parses the string
// as a template and so sees its ${…}: their brackets are counted, without
// following the template's own quoting.
func (s *nestingScanner) scanJSONString(i int, top *frame) int {
	switch s.src[i] {
	case '\\':
		return i + 1
	case '"':
		s.pop()
	case '$', '%':
		if i+1 < len(s.src) && s.src[i+1] == '{' {
			top.templated = true
		}
	case '(', '[', '{':
		if top.templated { // plain text may hold an unmatched "("
			s.bump(1)
		}
	case ')', ']', '}':
		if top.extra > 0 {
			s.bump(-1)
		}
	}
	return i
}

// countDirective counts an open %{ if } or %{ for } as a level of the
// frame it is in, until its %{ endif } or %{ endfor }.
func (s *nestingScanner) countDirective(word string) {
	switch word {
	case "if", "for":
		s.bump(1)
	case "endif", "endfor":
		if *s.currentExtra() > 0 {
			s.bump(-1)
		}
	}
}

// scanExpression consumes a byte of an expression (or of JSON's
// structure): brackets, strings, comments, heredocs and operators.
func (s *nestingScanner) scanExpression(i int) int {
	src, c := s.src, s.src[i]
	switch c {
	case ' ', '\t', '\r':
		return i
	case '!':
		if s.syn != syntaxJSON && !(i+1 < len(src) && src[i+1] == '=') {
			s.unaryRun++
			return i
		}
	case '-':
		if s.syn != syntaxJSON && !(i > 0 && isIdentByte(src[i-1]) && i+1 < len(src) && isIdentByte(src[i+1])) {
			s.unaryRun++ // a binary minus too: counted either way
			s.bump(1)
			return i
		}
	}
	s.unaryRun = 0
	switch c {
	case '\n':
		if top := s.top(); top == nil || top.closer == '}' {
			s.resetItem()
		}
	case ',':
		s.resetItem()
	case '"':
		if s.syn == syntaxJSON {
			s.push(frame{kind: frameJSONString})
		} else {
			s.push(frame{kind: frameString})
		}
	case '(':
		s.push(frame{kind: frameBracket, closer: ')'})
	case '[':
		s.push(frame{kind: frameBracket, closer: ']'})
	case '{':
		s.push(frame{kind: frameBracket, closer: '}'})
	case ')', ']', '}':
		if top := s.top(); top != nil && ((top.kind == frameBracket && top.closer == c) || (top.kind == frameInterp && c == '}')) {
			s.pop()
		}
	case '#':
		if s.syn != syntaxJSON {
			return skipToLineEnd(src, i) - 1
		}
	case '/':
		return s.scanSlash(i)
	case '<':
		return s.scanLessThan(i)
	case '+', '*', '%', '>', '?', '&', '|', '=':
		if s.syn != syntaxJSON {
			s.bump(1)
		}
	}
	return i
}

// scanSlash consumes a comment (// or /* */) or a division operator.
func (s *nestingScanner) scanSlash(i int) int {
	src := s.src
	if s.syn == syntaxJSON || i+1 >= len(src) {
		return i
	}
	switch src[i+1] {
	case '/':
		return skipToLineEnd(src, i) - 1
	case '*':
		end := bytes.Index(src[i+2:], []byte("*/"))
		if end < 0 {
			end = len(src) - i - 2
		}
		s.line += bytes.Count(src[i:i+2+end], []byte("\n"))
		return i + 2 + end + 1
	}
	s.bump(1)
	return i
}

// scanLessThan consumes a heredoc's opening line (<<EOT or <<-EOT), or
// counts a comparison operator.
func (s *nestingScanner) scanLessThan(i int) int {
	src := s.src
	if s.syn != syntaxJSON && i+2 < len(src) && src[i+1] == '<' {
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
			s.push(frame{kind: frameHeredoc, marker: string(src[j:k])})
			if eol < len(src) { // the newline: the body starts on the next line
				s.line++
			}
			s.atLineStart = true
			return eol
		}
	}
	s.bump(1)
	return i
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
