package nsdb

import (
	"context"
	"log/slog"
	"maps"
	"slices"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// etcdLevel is the least severe level of etcd's logs that reach l: errors only, unless l is
// enabled at debug level, then everything (etcd is chatty at info and debug).
func etcdLevel(l *slog.Logger) zap.AtomicLevel {
	if l.Enabled(context.Background(), slog.LevelDebug) {
		return zap.NewAtomicLevelAt(zapcore.DebugLevel)
	}
	return zap.NewAtomicLevelAt(zapcore.ErrorLevel)
}

// zapLogger returns a zap logger (what etcd's server and client log through) that forwards
// to l what min lets through. Raising min to fatal silences shutdown noise.
func zapLogger(l *slog.Logger, min zap.AtomicLevel) *zap.Logger {
	return zap.New(&slogCore{h: l.Handler(), min: min}).With(zap.String("component", "etcd"))
}

// slogCore is a zapcore.Core that writes records to a slog.Handler.
type slogCore struct {
	h     slog.Handler
	min   zap.AtomicLevel
	attrs []slog.Attr
}

func (c *slogCore) Enabled(l zapcore.Level) bool {
	return c.min.Enabled(l) && c.h.Enabled(context.Background(), slogLevel(l))
}

func (c *slogCore) With(fs []zap.Field) zapcore.Core {
	n := &slogCore{h: c.h, min: c.min}
	n.attrs = append(append(n.attrs, c.attrs...), attrs(fs)...)
	return n
}

func (c *slogCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c *slogCore) Write(e zapcore.Entry, fs []zap.Field) error {
	r := slog.NewRecord(e.Time, slogLevel(e.Level), e.Message, 0)
	r.AddAttrs(c.attrs...)
	r.AddAttrs(attrs(fs)...)
	if e.LoggerName != "" {
		r.AddAttrs(slog.String("logger", e.LoggerName))
	}
	return c.h.Handle(context.Background(), r)
}

func (c *slogCore) Sync() error { return nil }

func attrs(fs []zap.Field) []slog.Attr {
	if len(fs) == 0 {
		return nil
	}
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range fs {
		f.AddTo(enc)
	}
	out := make([]slog.Attr, 0, len(enc.Fields))
	for _, k := range slices.Sorted(maps.Keys(enc.Fields)) {
		out = append(out, slog.Any(k, enc.Fields[k]))
	}
	return out
}

func slogLevel(l zapcore.Level) slog.Level {
	switch {
	case l >= zapcore.ErrorLevel:
		return slog.LevelError
	case l == zapcore.WarnLevel:
		return slog.LevelWarn
	case l == zapcore.InfoLevel:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
