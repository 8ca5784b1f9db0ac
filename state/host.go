package state

import "os"

// HostEnv names this machine in a shared state instead of its hostname: for
// containers, whose hostnames change with every start, and for tests that
// play two hosts on one machine.
const HostEnv = "LTXFORM_HOST"

// Hostname is the name this machine goes by in lock info, run records and
// the entries it downloads: $LTXFORM_HOST, else the hostname.
func Hostname() string {
	if h := os.Getenv(HostEnv); h != "" {
		return h
	}
	h, _ := os.Hostname()
	return h
}
