package isolation

import (
	"bytes"
	"context"
	"io"

	"github.com/gophercloud/gophercloud/v2"
)

// ServiceClient is a Client over a gophercloud networking client: the
// provider client carries the identity (noauth headers in MoreHeaders, or a
// Keystone token it renews itself) and requests go through gophercloud's
// transport. Every status is handed back, not turned into an error: the
// matrix compares status and body itself.
type ServiceClient struct{ *gophercloud.ServiceClient }

var allStatuses = func() []int {
	var s []int
	for c := 100; c < 600; c++ {
		s = append(s, c)
	}
	return s
}()

// Do implements Client.
func (c ServiceClient) Do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	opts := &gophercloud.RequestOpts{OkCodes: allStatuses, KeepResponseBody: true, MoreHeaders: map[string]string{}}
	if body != nil {
		opts.RawBody = bytes.NewReader(body)
		opts.MoreHeaders["Content-Type"] = "application/json"
	}
	resp, err := c.Request(ctx, method, c.ResourceBase+path, opts)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
