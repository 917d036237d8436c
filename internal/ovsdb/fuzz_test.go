package ovsdb_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/midonet-go/midonet/internal/ovsdb"
)

// FuzzServerStream: whatever a server sends, the client neither panics nor hangs: a call
// made meanwhile returns (answered, failed, or timed out) and Close returns.
func FuzzServerStream(f *testing.F) {
	f.Add([]byte(`{"id":1,"result":["midonet"],"error":null}`))
	f.Add([]byte(`{"method":"update","params":["ls",{"Logical_Switch":{"u1":{"new":{"name":"x"}}}}],"id":null}`))
	f.Add([]byte(`{"method":"echo","params":[],"id":"echo"}{"id":1,"result":null,"error":"x"}`))
	f.Add([]byte(`{"method":"update","params":[1]}[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cli, srv := net.Pipe()
		c := ovsdb.NewClient(cli)
		go func() {
			buf := make([]byte, 4096)
			go func() {
				for {
					if _, err := srv.Read(buf); err != nil {
						return
					}
				}
			}()
			_, _ = srv.Write(data)
			srv.Close()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = c.Echo(ctx)
		c.Close()
	})
}
