package sim

// VideoColour is the background colour of the video of task id, so that a
// test which decodes a downloaded video can check it shows that task's
// picture rather than only some picture.
func VideoColour(taskID string) (r, g, b uint8) {
	bg, _ := taskColours(taskID)
	return bg.r, bg.g, bg.b
}
