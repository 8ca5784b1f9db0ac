//go:build !unix

package s3state

// processAlive cannot tell on this system: a lock is never taken over.
func processAlive(int) (alive, known bool) { return false, false }

// pidScope is unknown here: no lock is taken over.
func pidScope() string { return "" }
