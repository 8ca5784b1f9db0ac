//go:build unix

package s3state

import (
	"errors"
	"syscall"
)

// processAlive tells whether a process of this machine with pid exists.
func processAlive(pid int) (alive, known bool) {
	if pid <= 0 {
		return false, false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM), true
}
