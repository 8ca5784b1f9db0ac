package s3test

import (
	"os/exec"
	"syscall"
)

// dieWithTest makes the server die with the test binary, also when the
// binary panics or is killed before its cleanups run.
func dieWithTest(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
