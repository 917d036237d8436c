package walvfs

import "golang.org/x/sys/unix"

// writeOutStep is how many written bytes one write-out step covers: on the 2-vCPU VM of
// BENCHMARKS.md, 2-6 ms of the disk's time.
const writeOutStep = 1 << 20

// writeOut writes the dirty pages of path's span s to the disk a step at a time, waiting
// for each step before it starts the next. A step covers about writeOutStep of the bytes
// written: a WAL's span is all written, a database file's pages copied back by a checkpoint
// are scattered over the file, and 1 MiB ranges of it would be as many steps of a page or
// two, each waiting for the disk alone. It is only a head start for the sync that follows,
// which writes whatever is left: a failure here is left to it.
func writeOut(path string, s span) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	const flags = unix.SYNC_FILE_RANGE_WAIT_BEFORE | unix.SYNC_FILE_RANGE_WRITE | unix.SYNC_FILE_RANGE_WAIT_AFTER
	step := int64(writeOutStep)
	if s.n > 0 && s.n < s.hi-s.lo {
		step = max(step, (s.hi-s.lo)/s.n*writeOutStep)
	}
	for off := s.lo; off < s.hi; off += step {
		n := min(step, s.hi-off)
		if unix.SyncFileRange(fd, off, n, flags) != nil {
			return
		}
		stepsOut.Add(1)
		bytesOut.Add(n)
	}
}
