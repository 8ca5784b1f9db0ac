package command

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// tableColumn is one column of a table and what may happen to it when the
// table is wider than the terminal.
type tableColumn struct {
	Header string
	// Drop orders the columns that may go when the table does not fit:
	// the highest goes first; 0 is never dropped.
	Drop int
	// Wrap, when above 0, lets the cell's text wrap inside the cell down to
	// this many columns before any column is dropped.
	Wrap int
	// Whole keeps the cells whole (an id, a code) while any other column
	// can still give up room.
	Whole bool
}

// table is an ASCII table that fits a width: cells of wrappable columns
// wrap inside their cell, and the least useful columns are dropped, so that
// no line is wider than Width. Colour codes go around the text of a cell,
// never into the width sums.
type table struct {
	Columns []tableColumn
	Rows    [][]string
	// Width is the longest line allowed; 0 means no limit (every cell whole).
	Width int
	// Paint and Color colour cells: Color returns an ANSI code for a cell,
	// or "" for none; nothing is coloured when Paint is off.
	Paint palette
	Color func(row, col int) string
}

// renderTable writes a plain ASCII table with every cell whole: the same
// bytes for the same rows, for the views that are read by scripts and diffs.
func renderTable(w io.Writer, header []string, rows [][]string) error {
	cols := make([]tableColumn, len(header))
	for i, h := range header {
		cols[i] = tableColumn{Header: h}
	}
	return (&table{Columns: cols, Rows: rows}).render(w)
}

// render lays the table out (which columns, how wide, each cell wrapped
// to its width and coloured) and has tablewriter, the project's table
// library, draw it in streaming mode with those widths: tablewriter does not
// drop columns to fit a terminal, and measuring every cell again would
// double its cost on a 1,000-row plan.
func (t *table) render(w io.Writer) error {
	widthCacheOff()
	keep, widths := t.layout()
	header := make([]string, len(keep))
	for k, c := range keep {
		header[k] = t.Columns[c].Header
	}
	if len(t.Rows) < concurrentRows {
		return t.draw(w, widths, header, keep, 0, len(t.Rows))
	}
	chunks := tableChunks
	// The chunks are drawn at once by a tablewriter each: the first with
	// the header and the top border, the last with the bottom border, and
	// the rows of each chunk as the one table would have them, so that
	// written one after the other they are the bytes of one table.
	bufs := make([]bytes.Buffer, chunks)
	errs := make([]error, chunks)
	var wg sync.WaitGroup
	for i := range chunks {
		from, to := i*len(t.Rows)/chunks, (i+1)*len(t.Rows)/chunks
		var chunkHeader []string
		if i == 0 {
			chunkHeader = header
		}
		wg.Go(func() {
			errs[i] = t.draw(&bufs[i], widths, chunkHeader, keep, from, to)
		})
	}
	wg.Wait()
	for i := range bufs {
		if errs[i] != nil {
			return errs[i]
		}
		if _, err := bufs[i].WriteTo(w); err != nil {
			return err
		}
	}
	return nil
}

// A table of concurrentRows rows or more is drawn in tableChunks chunks at
// once: tablewriter's work per line is most of a long plan's view. Two
// for the two cores of a small machine (3 and 4 measured no faster). Vars
// so that the test can compare any split with the table drawn whole.
var (
	concurrentRows = 256
	tableChunks    = 2
)

// draw has tablewriter draw rows [from, to): the header and the top
// border with the first row, the bottom border with the last.
func (t *table) draw(w io.Writer, widths []int, header []string, keep []int, from, to int) error {
	colWidths := tw.NewMapper[int, int]()
	for k, wd := range widths {
		colWidths.Set(k, wd+2) // tablewriter's width includes the padding
	}
	top, bottom := tw.Off, tw.Off
	if from == 0 {
		top = tw.On
	}
	if to == len(t.Rows) {
		bottom = tw.On
	}
	tbl := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Symbols: tw.NewSymbols(tw.StyleASCII),
			Borders: tw.Border{Left: tw.On, Right: tw.On, Top: top, Bottom: bottom},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithStreaming(tw.StreamConfig{Enable: true}),
		tablewriter.WithColumnWidths(colWidths),
	)
	if err := tbl.Start(); err != nil {
		return err
	}
	if header != nil {
		tbl.Header(header)
	}
	for r := from; r < to; r++ {
		row := t.Rows[r]
		cells := make([]string, len(keep))
		for k, c := range keep {
			text := ""
			if c < len(row) {
				text = row[c]
			}
			code := ""
			if t.Color != nil && t.Paint {
				code = t.Color(r, c)
			}
			if textWidth(text) <= widths[k] { // most cells: no slice of lines
				cells[k] = t.Paint.paint(code, text)
				continue
			}
			lines := wrapLine(text, widths[k], "")
			for i := range lines {
				lines[i] = t.Paint.paint(code, lines[i])
			}
			cells[k] = strings.Join(lines, "\n")
		}
		if err := tbl.Append(cells); err != nil {
			return err
		}
	}
	return tbl.Close()
}

// narrowCell is the width the other columns keep, when they can, before
// the whole ones' cells are given up: an address still reads as one.
const narrowCell = 10

// widthCacheOff turns off tablewriter's cache of text widths, once per
// process. Nearly every cell of our tables is a distinct string (an
// address, an output path), so the cache missed, then stored and evicted
// an entry (a map write, a list node, a lock) for each line of each cell;
// measuring an ASCII cell directly is cheaper than that.
var widthCacheOff = sync.OnceFunc(func() { twwidth.SetCacheCapacity(0) })

// layout picks the columns to show and their widths. Without a width limit
// every column has its widest cell's width. Over the limit, columns are
// dropped (an empty one first, then the highest Drop) until the kept ones fit with wrappable cells
// at their Wrap width; then the widest wrappable cells give up columns one
// at a time until the table fits.
func (t *table) layout() (keep, widths []int) {
	natural, filled := t.measure()
	keep = make([]int, len(t.Columns))
	for i := range keep {
		keep[i] = i
	}
	if t.Width > 0 {
		keep = t.dropColumns(keep, natural, filled)
	}
	widths = make([]int, len(keep))
	for k, c := range keep {
		widths[k] = natural[c]
	}
	if t.Width <= 0 {
		return keep, widths
	}
	t.narrow(keep, widths, natural)
	return keep, widths
}

// measure gives each column's natural width (its widest cell or header)
// and whether any of its cells is not empty.
func (t *table) measure() (natural []int, filled []bool) {
	natural = make([]int, len(t.Columns))
	for i, c := range t.Columns {
		natural[i] = textWidth(c.Header)
	}
	filled = make([]bool, len(t.Columns))
	for _, row := range t.Rows {
		for i := range min(len(row), len(natural)) {
			natural[i] = max(natural[i], textWidth(row[i]))
			filled[i] = filled[i] || row[i] != ""
		}
	}
	return natural, filled
}

// minWidth is how narrow column c may get before columns are dropped: its
// Wrap width for a wrappable one, else its natural width.
func (t *table) minWidth(natural []int, c int) int {
	if t.Columns[c].Wrap > 0 {
		return min(natural[c], t.Columns[c].Wrap)
	}
	return natural[c]
}

// lineWidth is the width of a line with the kept columns at width(c),
// borders and padding included.
func lineWidth(keep []int, width func(c int) int) int {
	sum := 1
	for _, c := range keep {
		sum += width(c) + 3
	}
	return sum
}

// dropColumns removes droppable columns, the empty ones first and then the
// highest Drop, until the rest fit at their minimum widths.
func (t *table) dropColumns(keep, natural []int, filled []bool) []int {
	for lineWidth(keep, func(c int) int { return t.minWidth(natural, c) }) > t.Width {
		// An empty column says nothing: it goes before any other.
		drop := slices.IndexFunc(keep, func(c int) bool { return t.Columns[c].Drop > 0 && !filled[c] })
		if drop < 0 {
			for k, c := range keep {
				if d := t.Columns[c].Drop; d > 0 && (drop < 0 || d >= t.Columns[keep[drop]].Drop) {
					drop = k
				}
			}
		}
		if drop < 0 {
			break
		}
		keep = append(keep[:drop], keep[drop+1:]...)
	}
	return keep
}

// narrow takes the widest column down one rune at a time until the line
// fits Width: first the wrappable columns down to their Wrap width, then, on
// a terminal too narrow even for that, every column but the whole ones down
// to narrowCell, then to one rune, then the whole ones too.
func (t *table) narrow(keep, widths, natural []int) {
	excess := lineWidth(keep, func(c int) int { return natural[c] }) - t.Width
	for _, floor := range []func(k int) int{
		func(k int) int {
			if t.Columns[keep[k]].Wrap > 0 {
				return t.minWidth(natural, keep[k])
			}
			return widths[k]
		},
		func(k int) int {
			if t.Columns[keep[k]].Whole {
				return widths[k]
			}
			return min(widths[k], narrowCell)
		},
		func(k int) int {
			if t.Columns[keep[k]].Whole {
				return widths[k]
			}
			return 1
		},
		func(int) int { return 1 },
	} {
		for excess > 0 {
			widest := -1
			for k := range widths {
				if widths[k] > floor(k) && (widest < 0 || widths[k] > widths[widest]) {
					widest = k
				}
			}
			if widest < 0 {
				break
			}
			widths[widest]--
			excess--
		}
	}
}
