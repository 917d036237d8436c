package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// loggerKey is the attribute that names a logger (Named); it is the line's logger name, not
// an attribute.
const loggerKey = "logger"

// Named returns log with lines under another logger name ("midonet.wsgi").
func Named(log *slog.Logger, name string) *slog.Logger { return log.With(slog.String(loggerKey, name)) }

// HandlerOptions configure a Handler.
type HandlerOptions struct {
	Level slog.Leveler
	JSON  bool   // oslo.log's JSONFormatter shape instead of the text line
	Name  string // logger name of lines not Named otherwise
}

// Handler formats records as oslo.log does. It is safe for concurrent use.
type Handler struct {
	out    *lockedWriter
	opts   HandlerOptions
	name   string
	prefix string      // WithGroup names joined with dots, each followed by one
	attrs  []slog.Attr // WithAttrs, keys already prefixed
	pid    int
	host   string
}

// NewHandler returns a handler writing to w.
func NewHandler(w io.Writer, o HandlerOptions) *Handler {
	if o.Level == nil {
		o.Level = slog.LevelInfo
	}
	if o.Name == "" {
		o.Name = "midonet"
	}
	host, _ := os.Hostname()
	return &Handler{out: &lockedWriter{w: w}, opts: o, name: o.Name, pid: os.Getpid(), host: host}
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.opts.Level.Level() }

// WithAttrs implements slog.Handler.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range as {
		if a.Key == loggerKey && h.prefix == "" {
			c.name = a.Value.String()
			continue
		}
		a.Key = h.prefix + a.Key
		c.attrs = append(c.attrs, a)
	}
	return &c
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.prefix = h.prefix + name + "."
	return &c
}

// levelName is oslo.log's name of a level.
func levelName(l slog.Level) string {
	switch {
	case l < slog.LevelInfo:
		return "DEBUG"
	case l < slog.LevelWarn:
		return "INFO"
	case l < slog.LevelError:
		return "WARNING"
	case l < slog.LevelError+4:
		return "ERROR"
	}
	return "CRITICAL"
}

// Handle implements slog.Handler.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	attrs := append([]slog.Attr(nil), h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		a.Key = h.prefix + a.Key
		attrs = append(attrs, a)
		return true
	})
	rq := RequestFrom(ctx)
	var buf bytes.Buffer
	if h.opts.JSON {
		h.json(&buf, r, rq, attrs)
	} else {
		h.text(&buf, r, rq, attrs)
	}
	_, err := h.out.Write(buf.Bytes())
	return err
}

// identity is oslo.context's "[request_id user project domain user_domain project_domain]".
func identity(rq *Request) string {
	if rq == nil || rq.ID == "" {
		return "[-]"
	}
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	return "[" + rq.ID + " " + dash(rq.UserID) + " " + dash(rq.ProjectID) + " - - -]"
}

func (h *Handler) text(buf *bytes.Buffer, r slog.Record, rq *Request, attrs []slog.Attr) {
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	buf.WriteString(t.Format("2006-01-02 15:04:05.000"))
	fmt.Fprintf(buf, " %d %s %s %s ", h.pid, levelName(r.Level), h.name, identity(rq))
	buf.WriteString(r.Message)
	for _, a := range attrs {
		writeTextAttr(buf, "", a)
	}
	buf.WriteByte('\n')
}

// writeTextAttr appends " key=value"; a group's members as "group.key=value". An HTTP
// request's fields are the message of its line already and are left out.
func writeTextAttr(buf *bytes.Buffer, prefix string, a slog.Attr) {
	if _, ok := a.Value.Any().(HTTPRequest); ok {
		return
	}
	v := a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, m := range v.Group() {
			writeTextAttr(buf, p, m)
		}
		return
	}
	buf.WriteByte(' ')
	buf.WriteString(prefix + a.Key)
	buf.WriteByte('=')
	buf.WriteString(quote(textValue(v)))
}

func textValue(v slog.Value) string {
	switch v.Kind() {
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return err.Error()
		}
		return fmt.Sprint(v.Any())
	case slog.KindTime:
		return v.Time().Format(time.RFC3339Nano)
	}
	return v.String()
}

// quote quotes a value that would not read back as one word.
func quote(s string) string {
	if s == "" {
		return `""`
	}
	for _, r := range s {
		if unicode.IsSpace(r) || r == '"' || r == '=' || !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// jsonLine is oslo.log's JSONFormatter document, with the fields a reader uses: the request's
// identity in context, the attributes in extra.
type jsonLine struct {
	Asctime   string         `json:"asctime"`
	Created   float64        `json:"created"`
	Levelname string         `json:"levelname"`
	Name      string         `json:"name"`
	Message   string         `json:"message"`
	Process   int            `json:"process"`
	Hostname  string         `json:"hostname"`
	Context   map[string]any `json:"context"`
	Extra     map[string]any `json:"extra"`
}

func (h *Handler) json(buf *bytes.Buffer, r slog.Record, rq *Request, attrs []slog.Attr) {
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	l := jsonLine{Asctime: t.Format("2006-01-02 15:04:05.000"), Created: float64(t.UnixNano()) / 1e9,
		Levelname: levelName(r.Level), Name: h.name, Message: r.Message, Process: h.pid, Hostname: h.host,
		Context: map[string]any{}, Extra: map[string]any{}}
	if rq != nil && rq.ID != "" {
		l.Context["request_id"] = rq.ID
		l.Context["user_id"] = rq.UserID
		l.Context["project_id"] = rq.ProjectID
	}
	for _, a := range attrs {
		putJSON(l.Extra, a)
	}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(l); err != nil {
		// An attribute that does not encode must not lose the line.
		l.Extra = map[string]any{"log_encoding_error": err.Error()}
		buf.Reset()
		_ = enc.Encode(l)
	}
}

// putJSON stores an attribute in m; a dotted key (WithGroup) and a group value nest.
func putJSON(m map[string]any, a slog.Attr) {
	v := a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	keys := strings.Split(a.Key, ".")
	for _, k := range keys[:len(keys)-1] {
		sub, ok := m[k].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[k] = sub
		}
		m = sub
	}
	last := keys[len(keys)-1]
	if v.Kind() == slog.KindGroup {
		sub, ok := m[last].(map[string]any)
		if !ok || last == "" {
			sub = map[string]any{}
		}
		for _, g := range v.Group() {
			putJSON(sub, g)
		}
		if last == "" {
			for k, x := range sub {
				m[k] = x
			}
			return
		}
		m[last] = sub
		return
	}
	m[last] = jsonValue(v)
}

func jsonValue(v slog.Value) any {
	switch v.Kind() {
	case slog.KindDuration:
		return v.Duration().Seconds()
	case slog.KindTime:
		return v.Time().Format(time.RFC3339Nano)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return x.Error()
		case json.Marshaler:
			return x
		case fmt.Stringer:
			return x.String()
		}
		return v.Any()
	}
	return v.Any()
}
