package command

import "fmt"

// manifestValid is validate's answer when the manifest has no error.
func (v *view) manifestValid(videos int) {
	v.println(v.out().green("Success!") + fmt.Sprintf(" The manifest is valid: %s.", plural(videos, "video", "videos")))
}
