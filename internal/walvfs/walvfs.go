// Package walvfs registers a SQLite VFS, "midonet-wal", that writes a commit's WAL frames
// to the file in one system call and paces its syncs.
//
// SQLite appends a commit to its write-ahead log one frame at a time, and each frame is two
// writes: a 24-byte header and the page. A port create dirties about thirty pages, so the
// SQLite writer made about sixty pwrite calls a create, and on a virtual machine those calls
// were a fifth of the server's CPU (BENCHMARKS.md, "One write a commit").
//
// The VFS is SQLite's default one (unix) with a different xOpen. A WAL file and its database
// file are wrapped; other files (journals, temporary files) are the default VFS's own. In the
// WAL, writes that continue the previous one are gathered in memory, and reach the file in one
// write when the commit frame (the frame whose header carries the database size) is complete.
// Any other use of the WAL (a read, a write elsewhere, sync, truncate, size, file control,
// close) first writes what was gathered, and so does the release of the WAL's write lock (on
// the database file): frames of a transaction that spilled to the WAL and then rolled back
// reach the file while the connection still holds the lock, as they did without walvfs, and
// never later over another writer's frames.
//
// A sync first writes the file out a step at a time. With synchronous=NORMAL the WAL is
// synced only by a checkpoint, which then syncs the database file it copied the frames
// into: a second of commits (tens of MB of WAL under 8 clients) reached the disk in one
// burst, and etcd's WAL sync, whose wait every API write shares, queued behind it for 30-70
// ms once a second (BENCHMARKS.md, "The checkpoint's syncs paced"). Now xSync first writes
// the span of the file written since its last sync out in steps of about writeOutStep
// written, each waited for before the next starts (sync_file_range), so that another
// file's sync waits behind one step, and then syncs as before, with little left to write.
//
// What the commit promises does not change. SQLite publishes a commit to other connections
// in the shared-memory index after it has written the commit frame, and by then the frames
// are in the file, as they were before. An error of the gathered write is the commit frame's
// write error, so the commit fails as it would have. A process killed while frames are
// gathered loses a commit that was never acknowledged, and recovery ignores frames after the
// last valid commit frame, as it always does.
//
// This package speaks modernc.org/sqlite's C ABI: C pointers are uintptrs into memory that
// libc allocates, function pointers are Go func values. Everything SQLite dereferences is
// allocated there, never in Go's heap.
package walvfs

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Name is the VFS's name, for a DSN's vfs= parameter.
const Name = "midonet-wal"

const (
	frameHeaderSize = 24      // a WAL frame's header (walWriteOneFrame writes it alone)
	maxGathered     = 2 << 20 // write out earlier in transactions larger than this
	// maxWrite is what one flush call writes at most: the default VFS keeps only the low 17
	// bits of a write's length (seekAndWriteFd), so 128 KiB or more would be cut short.
	maxWrite = 124 << 10
	// A wrapped file is the sqlite3_file header (its methods pointer), one word that says
	// whether it is a WAL (kindOffset), then the default VFS's file (wrapOffset).
	kindOffset = 8
	wrapOffset = 16
	kindWAL    = 1
)

// ioFunc is the type of xRead and xWrite.
type ioFunc = func(*libc.TLS, uintptr, uintptr, int32, sqlite3.Tsqlite3_int64) int32

var (
	registerOnce sync.Once
	registerErr  error

	base    uintptr // the default VFS (sqlite3_vfs*)
	methods uintptr // the wrapped files' sqlite3_io_methods, in libc memory

	mu   sync.Mutex
	wals = map[uintptr]*walFile{} // by the wrapped WAL file's address
	dbs  = map[uintptr]uintptr{}  // a wrapped database file's address: its pager's file name
	// byDB finds a connection's WAL from its database file: both files' names point into
	// the one block of names its pager allocated, and sqlite3_filename_database gives the
	// database's name from the WAL's.
	byDB = map[uintptr]*walFile{}
	// paths is each wrapped file's path, and written the span of each path written through
	// any connection since a connection's last sync of it: a WAL is written by the writer
	// and synced by the checkpointer's connection, one file in two.
	paths   = map[uintptr]string{}
	written = map[string]span{}

	// stepsOut and bytesOut count the write-out steps and the bytes they covered (tests).
	stepsOut, bytesOut atomic.Int64
)

// span is a range of a file's bytes, [lo, hi), and how many bytes were written in it.
type span struct{ lo, hi, n int64 }

// walFile is what a wrapped WAL file has gathered.
type walFile struct {
	f, db     uintptr // the WAL's sqlite3_file; its pager's database file name
	buf       uintptr // libc memory, capacity cap
	cap       int
	n         int   // bytes gathered
	start     int64 // file offset of buf[0]
	end       int64 // offset just past the last write, gathered or not; -1 before the first
	commitHdr bool  // the last write was a commit frame's header
}

// Register adds the VFS to SQLite's list (not as the default). It is safe to call more than
// once and from several goroutines.
func Register() error {
	registerOnce.Do(func() { registerErr = register() })
	return registerErr
}

func register() error {
	tls := libc.NewTLS()
	defer tls.Close()
	base = sqlite3.Xsqlite3_vfs_find(tls, 0)
	if base == 0 {
		return fmt.Errorf("walvfs: SQLite has no default VFS")
	}
	bv := (*sqlite3.Tsqlite3_vfs)(ptr(base))

	m := libc.Xcalloc(tls, 1, sqlite3.Tsize_t(unsafe.Sizeof(sqlite3.Tsqlite3_io_methods{})))
	v := libc.Xcalloc(tls, 1, sqlite3.Tsize_t(unsafe.Sizeof(sqlite3.Tsqlite3_vfs{})))
	name, err := libc.CString(Name)
	if m == 0 || v == 0 || err != nil {
		return fmt.Errorf("walvfs: allocate the VFS: out of memory")
	}
	io := (*sqlite3.Tsqlite3_io_methods)(ptr(m))
	io.FiVersion = 3
	io.FxClose = cfunc(xClose)
	io.FxRead = cfunc(xRead)
	io.FxWrite = cfunc(xWrite)
	io.FxTruncate = cfunc(xTruncate)
	io.FxSync = cfunc(xSync)
	io.FxFileSize = cfunc(xFileSize)
	io.FxLock = cfunc(xLock)
	io.FxUnlock = cfunc(xUnlock)
	io.FxCheckReservedLock = cfunc(xCheckReservedLock)
	io.FxFileControl = cfunc(xFileControl)
	io.FxSectorSize = cfunc(xSectorSize)
	io.FxDeviceCharacteristics = cfunc(xDeviceCharacteristics)
	io.FxShmMap = cfunc(xShmMap)
	io.FxShmLock = cfunc(xShmLock)
	io.FxShmBarrier = cfunc(xShmBarrier)
	io.FxShmUnmap = cfunc(xShmUnmap)
	io.FxFetch = cfunc(xFetch)
	io.FxUnfetch = cfunc(xUnfetch)
	methods = m

	nv := (*sqlite3.Tsqlite3_vfs)(ptr(v))
	*nv = *bv
	nv.FpNext = 0
	nv.FzName = name
	nv.FszOsFile = bv.FszOsFile + wrapOffset
	nv.FxOpen = cfunc(xOpen)
	if rc := sqlite3.Xsqlite3_vfs_register(tls, v, 0); rc != sqlite3.SQLITE_OK {
		return fmt.Errorf("walvfs: register the VFS: SQLite error %d", rc)
	}
	return nil
}

// ptr turns a C address into a pointer without the conversion checks meant for Go memory:
// the address is libc's, never Go's heap.
func ptr(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// cfunc is a Go function as a C function pointer, the way modernc.org/sqlite represents
// them: the func value itself, which for a top-level function points into read-only data
// and never moves.
func cfunc[T any](f T) uintptr { return *(*uintptr)(unsafe.Pointer(&struct{ f T }{f})) }

// call turns a C function pointer back into a Go func of type T.
func call[T any](fp uintptr) T { return *(*T)(unsafe.Pointer(&fp)) }

// inner is the default VFS's file inside a wrapped one.
func inner(f uintptr) uintptr { return f + wrapOffset }

// innerMethods is the default VFS's methods for the file inside f.
func innerMethods(f uintptr) *sqlite3.Tsqlite3_io_methods {
	return (*sqlite3.Tsqlite3_io_methods)(ptr((*sqlite3.Tsqlite3_file)(ptr(inner(f))).FpMethods))
}

func xOpen(tls *libc.TLS, vfs uintptr, name sqlite3.Tsqlite3_filename, f uintptr, flags int32, outFlags uintptr) int32 {
	open := call[func(*libc.TLS, uintptr, sqlite3.Tsqlite3_filename, uintptr, int32, uintptr) int32]((*sqlite3.Tsqlite3_vfs)(ptr(base)).FxOpen)
	if flags&(sqlite3.SQLITE_OPEN_WAL|sqlite3.SQLITE_OPEN_MAIN_DB) == 0 || name == 0 {
		return open(tls, base, name, f, flags, outFlags) // the default VFS's own file
	}
	file := (*sqlite3.Tsqlite3_file)(ptr(f))
	rc := open(tls, base, name, inner(f), flags, outFlags)
	if (*sqlite3.Tsqlite3_file)(ptr(inner(f))).FpMethods == 0 {
		file.FpMethods = 0 // nothing to close
		return rc
	}
	file.FpMethods = methods
	*(*uintptr)(ptr(f + kindOffset)) = 0
	path := libc.GoString(name)
	mu.Lock()
	paths[f] = path
	if flags&sqlite3.SQLITE_OPEN_WAL != 0 {
		*(*uintptr)(ptr(f + kindOffset)) = kindWAL
		w := &walFile{f: f, db: sqlite3.Xsqlite3_filename_database(tls, name), end: -1}
		wals[f] = w
		byDB[w.db] = w
	} else {
		dbs[f] = name
	}
	mu.Unlock()
	return rc
}

// state is the WAL file f's gathering; nil when f is a database file, without a lookup:
// the writer reads and writes its database pages through here.
func state(f uintptr) *walFile {
	if *(*uintptr)(ptr(f + kindOffset)) != kindWAL {
		return nil
	}
	mu.Lock()
	w := wals[f]
	mu.Unlock()
	return w
}

// walOf is the WAL opened by the same connection as the database file f, if any.
func walOf(f uintptr) *walFile {
	mu.Lock()
	defer mu.Unlock()
	if db, ok := dbs[f]; ok {
		return byDB[db]
	}
	return nil
}

// flush writes what w has gathered; nil (a database file) has nothing.
func flush(tls *libc.TLS, w *walFile) int32 {
	if w == nil || w.n == 0 {
		return sqlite3.SQLITE_OK
	}
	var rc int32 = sqlite3.SQLITE_OK
	for done := 0; done < w.n && rc == sqlite3.SQLITE_OK; done += maxWrite {
		rc = writeThrough(tls, w.f, w.buf+uintptr(done), int32(min(maxWrite, w.n-done)), w.start+int64(done))
	}
	w.n = 0
	return rc
}

func writeThrough(tls *libc.TLS, f uintptr, p uintptr, amt int32, off sqlite3.Tsqlite3_int64) int32 {
	mu.Lock()
	if path, ok := paths[f]; ok {
		s, seen := written[path]
		if !seen || off < s.lo {
			s.lo = off
		}
		s.hi = max(s.hi, off+int64(amt))
		s.n += int64(amt)
		written[path] = s
	}
	mu.Unlock()
	return call[ioFunc](innerMethods(f).FxWrite)(tls, inner(f), p, amt, off)
}

// commitHeader says whether a write of amt bytes at p is the header of a commit frame: a
// frame header whose second word, the database size in pages after the commit, is not 0.
func commitHeader(p uintptr, amt int32) bool {
	if amt != frameHeaderSize {
		return false
	}
	hdr := unsafe.Slice((*byte)(ptr(p)), frameHeaderSize)
	return binary.BigEndian.Uint32(hdr[4:8]) != 0
}

func xWrite(tls *libc.TLS, f uintptr, p uintptr, amt int32, off sqlite3.Tsqlite3_int64) int32 {
	w := state(f)
	if w == nil {
		return writeThrough(tls, f, p, amt, off) // a database file
	}
	commitPage := w.commitHdr && off == w.end // the page that completes a commit frame
	w.commitHdr = commitHeader(p, amt)
	if w.n > 0 && (off != w.end || w.n+int(amt) > maxGathered) {
		if rc := flush(tls, w); rc != sqlite3.SQLITE_OK {
			return rc
		}
	}
	if off != w.end || int(amt) > maxGathered {
		// Not the continuation of the last write (a frame rewritten in place, checksums
		// rewritten, the WAL header after a restart): write it now.
		w.end = off + int64(amt)
		return writeThrough(tls, f, p, amt, off)
	}
	if w.n == 0 {
		w.start = off
	}
	if need := w.n + int(amt); need > w.cap {
		c := max(need, 2*w.cap, 64<<10)
		nb := libc.Xrealloc(tls, w.buf, sqlite3.Tsize_t(c))
		if nb == 0 {
			return sqlite3.SQLITE_NOMEM
		}
		w.buf, w.cap = nb, c
	}
	libc.Xmemcpy(tls, w.buf+uintptr(w.n), p, sqlite3.Tsize_t(amt))
	w.n += int(amt)
	w.end = off + int64(amt)
	if commitPage {
		return flush(tls, w) // the commit's frames are all gathered: write them
	}
	return sqlite3.SQLITE_OK
}

func xClose(tls *libc.TLS, f uintptr) int32 {
	w := state(f)
	rc := flush(tls, w)
	rc2 := call[func(*libc.TLS, uintptr) int32](innerMethods(f).FxClose)(tls, inner(f))
	mu.Lock()
	delete(wals, f)
	delete(dbs, f)
	delete(paths, f)
	if w != nil && byDB[w.db] == w {
		delete(byDB, w.db)
	}
	mu.Unlock()
	if w != nil && w.buf != 0 {
		libc.Xfree(tls, w.buf)
	}
	if rc != sqlite3.SQLITE_OK {
		return rc
	}
	return rc2
}

func xRead(tls *libc.TLS, f uintptr, p uintptr, amt int32, off sqlite3.Tsqlite3_int64) int32 {
	if rc := flush(tls, state(f)); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return call[ioFunc](innerMethods(f).FxRead)(tls, inner(f), p, amt, off)
}

func xTruncate(tls *libc.TLS, f uintptr, size sqlite3.Tsqlite3_int64) int32 {
	w := state(f)
	if rc := flush(tls, w); rc != sqlite3.SQLITE_OK {
		return rc
	}
	if w != nil {
		w.end = -1
	}
	return call[func(*libc.TLS, uintptr, sqlite3.Tsqlite3_int64) int32](innerMethods(f).FxTruncate)(tls, inner(f), size)
}

func xSync(tls *libc.TLS, f uintptr, flags int32) int32 {
	if rc := flush(tls, state(f)); rc != sqlite3.SQLITE_OK {
		return rc
	}
	mu.Lock()
	path := paths[f]
	s, ok := written[path]
	delete(written, path)
	mu.Unlock()
	if ok {
		writeOut(path, s)
	}
	return call[func(*libc.TLS, uintptr, int32) int32](innerMethods(f).FxSync)(tls, inner(f), flags)
}

// WriteOuts reports the write-out steps taken so far and the bytes they covered.
func WriteOuts() (steps, bytes int64) { return stepsOut.Load(), bytesOut.Load() }

func xFileSize(tls *libc.TLS, f uintptr, size uintptr) int32 {
	if rc := flush(tls, state(f)); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return call[func(*libc.TLS, uintptr, uintptr) int32](innerMethods(f).FxFileSize)(tls, inner(f), size)
}

func xFileControl(tls *libc.TLS, f uintptr, op int32, arg uintptr) int32 {
	if rc := flush(tls, state(f)); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return call[func(*libc.TLS, uintptr, int32, uintptr) int32](innerMethods(f).FxFileControl)(tls, inner(f), op, arg)
}

// The rest pass straight through to the default VFS (SQLite locks, maps and fetches only the
// database file), but for the release of the WAL's write lock.

func xLock(tls *libc.TLS, f uintptr, lock int32) int32 {
	return call[func(*libc.TLS, uintptr, int32) int32](innerMethods(f).FxLock)(tls, inner(f), lock)
}

func xUnlock(tls *libc.TLS, f uintptr, lock int32) int32 {
	return call[func(*libc.TLS, uintptr, int32) int32](innerMethods(f).FxUnlock)(tls, inner(f), lock)
}

func xCheckReservedLock(tls *libc.TLS, f uintptr, out uintptr) int32 {
	return call[func(*libc.TLS, uintptr, uintptr) int32](innerMethods(f).FxCheckReservedLock)(tls, inner(f), out)
}

func xSectorSize(tls *libc.TLS, f uintptr) int32 {
	return call[func(*libc.TLS, uintptr) int32](innerMethods(f).FxSectorSize)(tls, inner(f))
}

func xDeviceCharacteristics(tls *libc.TLS, f uintptr) int32 {
	return call[func(*libc.TLS, uintptr) int32](innerMethods(f).FxDeviceCharacteristics)(tls, inner(f))
}

func xShmMap(tls *libc.TLS, f uintptr, region, size, extend int32, pp uintptr) int32 {
	fp := innerMethods(f).FxShmMap
	if fp == 0 {
		return sqlite3.SQLITE_IOERR
	}
	return call[func(*libc.TLS, uintptr, int32, int32, int32, uintptr) int32](fp)(tls, inner(f), region, size, extend, pp)
}

// walWriteLock is the shared-memory lock slot a WAL writer holds (WAL_WRITE_LOCK).
const walWriteLock = 0

func xShmLock(tls *libc.TLS, f uintptr, offset, n, flags int32) int32 {
	fp := innerMethods(f).FxShmLock
	if fp == 0 {
		return sqlite3.SQLITE_IOERR
	}
	if flags == sqlite3.SQLITE_SHM_UNLOCK|sqlite3.SQLITE_SHM_EXCLUSIVE && offset <= walWriteLock && walWriteLock < offset+n {
		// The connection's write transaction is over. A commit left nothing gathered; what
		// is left belongs to one that rolled back after spilling: write it before another
		// writer may append where it lies (the release of a lock has no error to report).
		_ = flush(tls, walOf(f))
	}
	return call[func(*libc.TLS, uintptr, int32, int32, int32) int32](fp)(tls, inner(f), offset, n, flags)
}

func xShmBarrier(tls *libc.TLS, f uintptr) {
	if fp := innerMethods(f).FxShmBarrier; fp != 0 {
		call[func(*libc.TLS, uintptr)](fp)(tls, inner(f))
	}
}

func xShmUnmap(tls *libc.TLS, f uintptr, deleteFlag int32) int32 {
	fp := innerMethods(f).FxShmUnmap
	if fp == 0 {
		return sqlite3.SQLITE_OK
	}
	return call[func(*libc.TLS, uintptr, int32) int32](fp)(tls, inner(f), deleteFlag)
}

func xFetch(tls *libc.TLS, f uintptr, off sqlite3.Tsqlite3_int64, amt int32, pp uintptr) int32 {
	fp := innerMethods(f).FxFetch
	if fp == 0 {
		*(*uintptr)(ptr(pp)) = 0
		return sqlite3.SQLITE_OK
	}
	return call[func(*libc.TLS, uintptr, sqlite3.Tsqlite3_int64, int32, uintptr) int32](fp)(tls, inner(f), off, amt, pp)
}

func xUnfetch(tls *libc.TLS, f uintptr, off sqlite3.Tsqlite3_int64, p uintptr) int32 {
	fp := innerMethods(f).FxUnfetch
	if fp == 0 {
		return sqlite3.SQLITE_OK
	}
	return call[func(*libc.TLS, uintptr, sqlite3.Tsqlite3_int64, uintptr) int32](fp)(tls, inner(f), off, p)
}
