package command

import "strings"

// simulatorListening tells where the simulator listens, and the exports
// that point ltxform at it with its first key.
func (v *view) simulatorListening(provider, url string, keys []string) {
	v.printf("LTX-2 API simulator (provider %s) listening on %s (Ctrl-C to stop)\n", provider, url)
	v.printf("  export LTX_API_URL=%s\n", url)
	v.printf("  export LTX_API_KEY=%s\n", keys[0])
	if len(keys) > 1 {
		v.printf("  accepted keys: %s\n", strings.Join(keys, ", "))
	}
}

// simulatorStopped notes on stderr, off the exports a script reads, that
// Ctrl-C stopped the simulator.
func (v *view) simulatorStopped() {
	v.eprintf("simulator stopped\n")
}
