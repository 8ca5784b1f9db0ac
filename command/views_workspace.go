package command

import "slices"

// workspaces lists names sorted, one a line, current marked with *.
func (v *view) workspaces(names []string, current string) {
	for _, n := range slices.Sorted(slices.Values(names)) {
		mark := " "
		if n == current {
			mark = "*"
		}
		v.printf("%s %s\n", mark, n)
	}
}

// currentWorkspace is workspace show's one line: the name, for a script.
func (v *view) currentWorkspace(name string) {
	v.printf("%s\n", name)
}

// workspaceDeleted says which state workspace delete removed, and what it
// held.
func (v *view) workspaceDeleted(where string, videos, tasks int) {
	v.printf("Deleted %s (%s, %s in its ledger).\n", where, plural(videos, "video", "videos"), plural(tasks, "task", "tasks"))
}
