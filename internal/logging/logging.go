// Package logging writes the process's log in the format OpenStack operators grep for
// (oslo.log's default line, or its JSON form on request) to standard error and/or a file, and
// logs one line per HTTP request in the style of Neutron's WSGI server, with the request id
// the client was sent and the project and user that made the request.
//
// A text line is
//
//	2026-12-04 04:08:37.123 4242 INFO midonet.wsgi [req-… user project - - -] 127.0.0.1 "GET /v2.0/networks HTTP/1.1" status: 200  len: 1234 time: 0.0123457
//
// (oslo.log's logging_context_format_string with oslo.context's user identity), and outside a
// request the context is "[-]". Attributes follow the message as key=value.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// Options say where and how the log is written: oslo.log's [DEFAULT] options.
type Options struct {
	Debug     bool   // [DEFAULT] debug: DEBUG lines too
	File      string // [DEFAULT] log_file
	Dir       string // [DEFAULT] log_dir: the directory of a relative log_file, or of <program>.log
	UseStderr bool   // [DEFAULT] use_stderr: standard error as well as the file
	JSON      bool   // [DEFAULT] log_format = json (or use_json), or --log-json
	Program   string // the log file's name under log_dir alone ("midonet" → midonet.log)
	Name      string // the logger name lines carry ("midonet")
	// Stderr is where lines go without a file (and with UseStderr); os.Stderr when nil.
	Stderr io.Writer
}

// Path is the log file oslo.log would write: log_file, relative to log_dir when that is set;
// <log_dir>/<program>.log with log_dir alone; "" (standard error) with neither.
func (o Options) Path() string {
	switch {
	case o.File != "" && o.Dir != "" && !filepath.IsAbs(o.File):
		return filepath.Join(o.Dir, o.File)
	case o.File != "":
		return o.File
	case o.Dir != "":
		prog := o.Program
		if prog == "" {
			prog = "midonet"
		}
		return filepath.Join(o.Dir, prog+".log")
	}
	return ""
}

// New opens the log. close flushes and closes the file (a no-op without one). Without a
// file, lines go to standard error (oslo.log would use standard output; this binary keeps
// standard output for the answers of its commands).
func New(o Options) (log *slog.Logger, close func() error, err error) {
	stderr := o.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	w := stderr
	close = func() error { return nil }
	if path := o.Path(); path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, nil, fmt.Errorf("logging: log directory of %s: %w", path, err)
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
		if err != nil {
			return nil, nil, fmt.Errorf("logging: open log file: %w", err)
		}
		w = f
		if o.UseStderr {
			w = io.MultiWriter(f, stderr)
		}
		close = f.Close
	}
	level := slog.LevelInfo
	if o.Debug {
		level = slog.LevelDebug
	}
	name := o.Name
	if name == "" {
		name = "midonet"
	}
	return slog.New(NewHandler(w, HandlerOptions{Level: level, JSON: o.JSON, Name: name})), close, nil
}

// lockedWriter writes each formatted line in one call, one line at a time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	return n, err
}
