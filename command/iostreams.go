package command

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
	"golang.org/x/term"
)

// defaultWidth stands in for the width of a terminal that does not say.
const defaultWidth = 80

// IOStreams is what views write to, after the decisions that depend on the
// terminal were made once: colour for stdout from stdout's terminal, colour
// for stderr from stderr's (so that `validate 2>file` on a terminal writes no
// escape codes into the file), both off under NO_COLOR or -no-color, and the
// width a line may have.
type IOStreams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer

	InTerminal  bool
	OutTerminal bool
	// NeverPrompt is -input=false: no question is ever asked.
	NeverPrompt bool

	// OutColor and ErrColor are the one colour decision of each stream.
	OutColor bool
	ErrColor bool
	// Width is the longest line a human view writes; 0 when stdout is not
	// a terminal: a log, a pipe or cron mail is never wrapped, so that one
	// grep finds a whole row.
	Width int
}

// newIOStreams decides, once, what env's streams can show.
func newIOStreams(env *Env) *IOStreams {
	color := colorAllowed(env)
	return &IOStreams{
		In: env.Stdin, Out: env.Stdout, Err: env.Stderr,
		InTerminal: env.StdinIsTerminal, OutTerminal: env.StdoutIsTerminal, NeverPrompt: env.NoInput,
		OutColor: color && env.StdoutIsTerminal,
		ErrColor: color && env.StderrIsTerminal,
		Width:    terminalWidth(env),
	}
}

// CanPrompt is whether a question may be asked: someone is at a terminal
// to answer it and -input=false did not forbid it (gh's CanPrompt). A
// command that cannot ask says so and names the flag that does without.
func (s *IOStreams) CanPrompt() bool { return s.InTerminal && !s.NeverPrompt }

// whyNoPrompt is the reason CanPrompt is false, for the message that says
// the question was not asked.
func (s *IOStreams) whyNoPrompt() string {
	if s.NeverPrompt {
		return "-input=false forbids asking"
	}
	return "stdin is not a terminal, so nobody can answer"
}

// Confirm asks question on stdout and reads one line: only "yes" confirms,
// as Terraform's prompts. Ctrl-C while it waits (ctx ends) is a no at once:
// the read goes on in the background (a terminal read cannot be taken
// back), and the process is about to end. Ask only when CanPrompt.
func (s *IOStreams) Confirm(ctx context.Context, question string) bool {
	fmt.Fprint(s.Out, question)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(s.In).ReadString('\n')
		answer <- line
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(s.Out)
		return false
	case line := <-answer:
		fmt.Fprintln(s.Out)
		return strings.TrimSpace(line) == "yes"
	}
}

// colorAllowed is colour as the user asks: off under -no-color, NO_COLOR
// (https://no-color.org: any non-empty value) and TERM=dumb.
func colorAllowed(env *Env) bool {
	if env.NoColor {
		return false
	}
	if env.Getenv == nil {
		return true
	}
	return env.Getenv("NO_COLOR") == "" && env.Getenv("TERM") != "dumb"
}

// terminalWidth is COLUMNS when set, else stdout's terminal width, else 80
// on a terminal that does not say, and 0 (no wrapping) when stdout is not
// a terminal.
func terminalWidth(env *Env) int {
	if env.Getenv != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(env.Getenv("COLUMNS"))); err == nil && n > 0 {
			return n
		}
	}
	if env.Width > 0 {
		return env.Width
	}
	if env.StdoutIsTerminal {
		return defaultWidth
	}
	return 0
}

// within is n, or the width when that is less: the width of a paragraph
// that would be hard to read wider than n even unwrapped.
func (s *IOStreams) within(n int) int {
	if s.Width <= 0 {
		return n
	}
	return min(n, s.Width)
}

// stdoutWidth is the width of the terminal on stdout, 0 when there is none.
func stdoutWidth(isTerminal bool) int {
	if !isTerminal {
		return 0
	}
	w, _, err := term.GetSize(int(os.Stdout.Fd()))
	if err != nil {
		return 0
	}
	return w
}

// palette paints text with ANSI colours, or leaves it alone when its stream
// has no colour.
type palette bool

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

func (p palette) paint(code, s string) string {
	if !p || code == "" || s == "" {
		return s
	}
	return code + s + ansiReset
}

func (p palette) green(s string) string  { return p.paint(ansiGreen, s) }
func (p palette) red(s string) string    { return p.paint(ansiRed, s) }
func (p palette) yellow(s string) string { return p.paint(ansiYellow, s) }
func (p palette) bold(s string) string   { return p.paint(ansiBold, s) }
func (p palette) dim(s string) string    { return p.paint(ansiDim, s) }

// textWidth is how many terminal columns s takes (wide runes count two).
func textWidth(s string) int { return runewidth.StringWidth(s) }

// wrapLine breaks s into lines of at most width columns, at spaces where it
// can, after a path's or an address's punctuation where there is none, and
// inside a word where it must; continuation lines start with indent.
func wrapLine(s string, width int, indent string) []string {
	if width <= 0 || textWidth(s) <= width {
		return []string{s}
	}
	var out []string
	prefix := ""
	for {
		room := width - textWidth(prefix)
		if room < 1 {
			prefix, room = "", width
		}
		if textWidth(s) <= room {
			return append(out, prefix+s)
		}
		cut := cutAt(s, room)
		out = append(out, prefix+strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
		if s == "" {
			return out
		}
		prefix = indent
	}
}

// cutAt is the byte index at which to break s so that s[:i] fits room
// columns: after the last space that fits; in a word without one (an
// address, a path), after the last '/' or '[' that fits, else the last '.',
// '-' or '_', so that out/season/autumn.mp4 breaks as out/season/ +
// autumn.mp4; else at the last rune that fits.
func cutAt(s string, room int) int {
	w, space, strong, weak, hard := 0, -1, -1, -1, 0
	for i, r := range s {
		rw := runewidth.RuneWidth(r)
		if w+rw > room {
			break
		}
		w += rw
		hard = i + len(string(r))
		switch r {
		case ' ':
			space = hard
		case '/', '[':
			strong = hard
		case '.', '-', '_':
			weak = hard
		}
	}
	for _, at := range []int{space, strong, weak} {
		if at > 0 && at < len(s) {
			return at
		}
	}
	if hard == 0 { // a rune wider than the room: take it anyway
		_, size := firstRune(s)
		return size
	}
	return hard
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 0
}
