package ltx

// CleanText is the rule for server strings, for any text ltxform prints
// that it did not write itself (a teammate's host name, a lock holder, a
// run's message from a shared state): valid UTF-8, no control characters,
// so no terminal escapes; whitespace collapsed; bounded length.
func CleanText(s string) string { return clean(s) }
