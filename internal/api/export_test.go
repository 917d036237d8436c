package api

// SetStreamFlush makes lists stream past n bytes instead of 1 MiB, for a test; it returns
// the function that restores the default.
func SetStreamFlush(n int) func() {
	old := streamFlush
	streamFlush = n
	return func() { streamFlush = old }
}
