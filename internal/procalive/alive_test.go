package procalive

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
)

func TestAlive(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no signals here: Alive never knows")
	}
	if alive, known := Alive(os.Getpid()); !alive || !known {
		t.Errorf("Alive(own pid) = %v, %v; want true, true", alive, known)
	}
	if _, known := Alive(0); known {
		t.Error("Alive(0) claims to know")
	}
	// A child that has exited and been waited for no longer exists.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if alive, known := Alive(cmd.Process.Pid); alive || !known {
		t.Errorf("Alive(reaped child %d) = %v, %v; want false, true", cmd.Process.Pid, alive, known)
	}
}
