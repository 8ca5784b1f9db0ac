// Package mainpath holds the checks that keep the main path (config, plan,
// executor, ltx, state, command) readable; it has no code of its own.
package mainpath
