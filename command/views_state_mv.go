package command

import "fmt"

// moved tells one re-addressing, by state mv or by a moved block in apply:
// from and to, and the file renamed with it (fileTo "" when none was).
func (v *view) moved(from, to, fileFrom, fileTo string) {
	note := ""
	if fileTo != "" {
		note = fmt.Sprintf("; %s renamed to %s", fileFrom, fileTo)
	}
	v.printf("Moved %s to %s%s.\n", from, to, note)
}

// movesDone is state mv's last line: how many addresses moved and files
// were renamed, and that nothing was sent.
func (v *view) movesDone(addresses, files int) {
	if files == 0 {
		v.printf("Moved %s; nothing was sent and no file moved.\n", plural(addresses, "address", "addresses"))
		return
	}
	v.printf("Moved %s and renamed %s; nothing was sent.\n", plural(addresses, "address", "addresses"), plural(files, "file", "files"))
}
