// Package ovsdb is a small client of the OVSDB management protocol (RFC 7047): JSON-RPC 1.0
// over a stream socket (unix or TCP) with the methods a VTEP manager needs — echo, list_dbs,
// transact, monitor and monitor_cancel — and the answers to the server's own echo probes.
// One goroutine reads the socket and hands each response to its caller and each update
// notification to its monitor's callback; calls may be made from any goroutine.
package ovsdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
)

// ErrClosed is returned by calls on a closed client (or one whose connection failed).
var ErrClosed = errors.New("ovsdb: connection closed")

// maxMessage bounds one message from the server (a monitor's first answer on a large
// database can be big; anything past this is treated as a broken connection).
const maxMessage = 64 << 20

// Client is one connection to an OVSDB server.
type Client struct {
	conn net.Conn

	wmu sync.Mutex // serialises writes
	enc *json.Encoder

	mu       sync.Mutex
	nextID   uint64
	pending  map[uint64]chan response
	monitors map[string]func(TableUpdates)
	err      error // why the connection ended
	done     chan struct{}
}

type request struct {
	Method string `json:"method"`
	Params []any  `json:"params"`
	ID     any    `json:"id"`
}

type response struct {
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// message is any message from the server: a response (no method) or a request or
// notification (method set).
type message struct {
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
	Result json.RawMessage   `json:"result"`
	Error  json.RawMessage   `json:"error"`
	ID     json.RawMessage   `json:"id"`
}

// RPCError is an error the server answered a call with.
type RPCError struct {
	Method string
	Error_ json.RawMessage
}

func (e *RPCError) Error() string {
	return fmt.Sprintf("ovsdb: %s: server error %s", e.Method, string(e.Error_))
}

// Dial connects to an OVSDB server: network "unix" with a socket path, or "tcp" with
// host:port.
func Dial(ctx context.Context, network, address string) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, address)
	if err != nil {
		return nil, fmt.Errorf("ovsdb: dial %s %s: %w", network, address, err)
	}
	return NewClient(conn), nil
}

// NewClient runs the protocol over an open connection; Close closes it.
func NewClient(conn net.Conn) *Client {
	c := &Client{conn: conn, enc: json.NewEncoder(conn), pending: map[uint64]chan response{},
		monitors: map[string]func(TableUpdates){}, done: make(chan struct{})}
	go c.read()
	return c
}

// Close ends the connection; pending calls fail with ErrClosed.
func (c *Client) Close() error {
	err := c.conn.Close()
	<-c.done
	return err
}

// Done is closed when the connection has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is why the connection ended (nil while it is open).
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *Client) read() {
	br := &boundedReader{r: c.conn, limit: maxMessage}
	dec := json.NewDecoder(br)
	var err error
	for {
		var m message
		if err = dec.Decode(&m); err != nil {
			break
		}
		br.limit = dec.InputOffset() + maxMessage
		if m.Method != "" {
			c.serve(m)
			continue
		}
		id, perr := strconv.ParseUint(string(bytes.TrimSpace(m.ID)), 10, 64)
		if perr != nil {
			continue // not an answer to any call of ours
		}
		c.mu.Lock()
		ch := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if ch != nil {
			ch <- response{Result: m.Result, Error: m.Error, ID: m.ID}
		}
	}
	c.mu.Lock()
	if err == nil {
		err = ErrClosed
	}
	c.err = fmt.Errorf("%w: %v", ErrClosed, err)
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
	c.mu.Unlock()
	_ = c.conn.Close()
	close(c.done)
}

// boundedReader fails once the stream runs more than maxMessage bytes past the end of the
// last whole message (limit, moved forward after each one): a server cannot make the client
// buffer an endless message.
type boundedReader struct {
	r     net.Conn
	read  int64
	limit int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	room := b.limit - b.read
	if room <= 0 {
		return 0, errors.New("ovsdb: message too large")
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// serve answers the server's requests: echo (its keepalive probe) and update notifications.
func (c *Client) serve(m message) {
	switch m.Method {
	case "echo":
		params := make([]any, len(m.Params))
		for i, p := range m.Params {
			params[i] = p
		}
		c.write(map[string]any{"result": params, "error": nil, "id": m.ID})
	case "update":
		if len(m.Params) != 2 {
			return
		}
		var id any
		if json.Unmarshal(m.Params[0], &id) != nil {
			return
		}
		var u TableUpdates
		if json.Unmarshal(m.Params[1], &u) != nil {
			return
		}
		c.mu.Lock()
		fn := c.monitors[monitorKey(id)]
		c.mu.Unlock()
		if fn != nil {
			fn(u)
		}
	}
}

func monitorKey(id any) string {
	b, _ := json.Marshal(id)
	return string(b)
}

func (c *Client) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.enc.Encode(v); err != nil {
		return fmt.Errorf("ovsdb: write: %w", err)
	}
	return nil
}

// call sends one request and waits for its answer (or ctx, or the connection's end).
func (c *Client) call(ctx context.Context, method string, params []any, result any) error {
	ch := make(chan response, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.err
	}
	c.nextID++
	id := c.nextID
	c.pending[id] = ch
	c.mu.Unlock()
	if params == nil {
		params = []any{}
	}
	if err := c.write(request{Method: method, Params: params, ID: id}); err != nil {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return err
	}
	select {
	case r, ok := <-ch:
		if !ok {
			return c.Err()
		}
		if len(r.Error) > 0 && string(r.Error) != "null" {
			return &RPCError{Method: method, Error_: r.Error}
		}
		if result == nil {
			return nil
		}
		if err := json.Unmarshal(r.Result, result); err != nil {
			return fmt.Errorf("ovsdb: %s: decode result: %w", method, err)
		}
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Echo checks that the server answers.
func (c *Client) Echo(ctx context.Context) error {
	var out []any
	if err := c.call(ctx, "echo", []any{"midonet"}, &out); err != nil {
		return err
	}
	if len(out) != 1 || out[0] != "midonet" {
		return fmt.Errorf("ovsdb: echo answered %v", out)
	}
	return nil
}

// ListDBs names the server's databases.
func (c *Client) ListDBs(ctx context.Context) ([]string, error) {
	var out []string
	return out, c.call(ctx, "list_dbs", nil, &out)
}
