package command

import "io"

// testView is a view on w without a terminal: no colour, 80 columns.
func testView(w io.Writer, jsonOut bool) *view {
	return &view{s: &IOStreams{Out: w, Err: w, Width: defaultWidth}, json: jsonOut}
}
