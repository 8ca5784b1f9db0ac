//go:build unix

package s3state

import (
	"os"
	"strings"
	"sync"
)

// pidScope names where this process's pid is meaningful: the machine's
// boot and the PID namespace (Linux); "" where that cannot be told, and
// then no lock is taken over.
var pidScope = sync.OnceValue(func() string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(boot)) + "/" + ns
})
