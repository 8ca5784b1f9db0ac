//go:build unix

package command

import (
	"errors"
	"syscall"
)

// processAlive tells whether a process of this machine with pid exists (a
// run record left running by a live apply is not killed).
func processAlive(pid int) (alive, known bool) {
	if pid <= 0 {
		return false, false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM), true
}
