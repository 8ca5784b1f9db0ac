//go:build unix

// Package procalive tells whether a process of this machine still runs: a
// run record or a lock left by a live apply is neither killed nor taken
// over.
package procalive

import (
	"errors"
	"syscall"
)

// Alive tells whether a process of this machine with pid exists; known is
// false where that cannot be told (a pid of 0 or less, or a system without
// signals), and then the caller must not act on alive.
func Alive(pid int) (alive, known bool) {
	if pid <= 0 {
		return false, false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM), true
}
