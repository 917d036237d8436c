package api

// SetStreamFlush makes lists stream past n bytes instead of 1 MiB, for a test; it returns
// the function that restores the default.
func SetStreamFlush(n int) func() {
	old := streamFlush
	streamFlush = n
	return func() { streamFlush = old }
}

// SetStreamBatch makes full lists read n documents at a time instead of 500, for a test; it
// returns the function that restores the default.
func SetStreamBatch(n int) func() {
	old := streamBatch
	streamBatch = n
	return func() { streamBatch = old }
}

// WalkFilters makes lists walk instead of looking their filters up in the index, for a
// test; it returns the function that restores the default.
func WalkFilters() func() {
	lookUpFilters = false
	return func() { lookUpFilters = true }
}
