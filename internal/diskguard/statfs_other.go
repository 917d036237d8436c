//go:build !linux

package diskguard

func statfsFree(string) (uint64, error) { return 0, errUnsupported }
