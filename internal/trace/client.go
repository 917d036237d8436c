package trace

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Client asks a running server for a trace over HTTP (GET /trace), as `midonet trace` does.
type Client struct {
	// URL is the server's base URL ("http://127.0.0.1:9696").
	URL string
	// Token is a Keystone token sent as X-Auth-Token ("" under noauth).
	Token string
	// HTTP is the client used (default: one with a 30-second timeout).
	HTTP *http.Client
	// CACert is a PEM file of the CA that signed an https server's certificate (as
	// OS_CACERT for the openstack CLI); "" trusts the system's CAs.
	CACert string
}

func (c *Client) httpClient() (*http.Client, error) {
	if c.HTTP != nil {
		return c.HTTP, nil
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	if c.CACert != "" {
		pem, err := os.ReadFile(c.CACert)
		if err != nil {
			return nil, fmt.Errorf("trace: --os-cacert: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("trace: --os-cacert %s: no PEM certificate in it", c.CACert)
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		hc.Transport = tr
	}
	return hc, nil
}

// ServeURL reads the URL a `midonet serve` running on dataDir wrote to its serve.url file.
func ServeURL(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "serve.url"))
	if err != nil {
		return "", fmt.Errorf("trace: no running `midonet serve` under --data-dir %s: %w", dataDir, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// Query is the URL query of a trace request (the server's traceHandler reads it back).
func (r Request) Query() url.Values {
	q := url.Values{"from_port": {r.FromPort}, "dst": {r.Dst}, "proto": {r.Proto}}
	if r.DPort != 0 {
		q.Set("dport", strconv.Itoa(r.DPort))
	}
	if r.SPort != 0 {
		q.Set("sport", strconv.Itoa(r.SPort))
	}
	if r.SrcIP != "" {
		q.Set("src_ip", r.SrcIP)
	}
	if r.SrcMAC != "" {
		q.Set("src_mac", r.SrcMAC)
	}
	if r.DHCP {
		q.Set("dhcp", "true")
	}
	if r.DstMAC != "" {
		q.Set("dst_mac", r.DstMAC)
	}
	if r.VLAN != 0 {
		q.Set("vlan", strconv.Itoa(r.VLAN))
	}
	if r.VxlanVNI != 0 {
		q.Set("vxlan_vni", strconv.Itoa(r.VxlanVNI))
		q.Set("inner_src_mac", r.InnerSrcMAC)
		q.Set("inner_dst_mac", r.InnerDstMAC)
		q.Set("inner_src_ip", r.InnerSrcIP)
		q.Set("inner_dst_ip", r.InnerDstIP)
	}
	if r.Reply {
		q.Set("reply", "true")
	}
	return q
}

// RequestFromQuery is the inverse of Request.Query.
func RequestFromQuery(q url.Values) Request {
	dport, _ := strconv.Atoi(q.Get("dport"))
	sport, _ := strconv.Atoi(q.Get("sport"))
	vni, _ := strconv.Atoi(q.Get("vxlan_vni"))
	vlan, _ := strconv.Atoi(q.Get("vlan"))
	return Request{FromPort: q.Get("from_port"), Dst: q.Get("dst"), Proto: q.Get("proto"), DPort: dport, SPort: sport,
		SrcIP: q.Get("src_ip"), SrcMAC: q.Get("src_mac"), DHCP: q.Get("dhcp") == "true", DstMAC: q.Get("dst_mac"),
		VxlanVNI: vni, InnerSrcMAC: q.Get("inner_src_mac"), InnerDstMAC: q.Get("inner_dst_mac"),
		InnerSrcIP: q.Get("inner_src_ip"), InnerDstIP: q.Get("inner_dst_ip"), VLAN: vlan,
		Reply: q.Get("reply") == "true"}
}

// Run asks the server for one trace.
func (c *Client) Run(ctx context.Context, req Request) (*Response, error) {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(c.URL, "/")+"/trace?"+req.Query().Encode(), nil)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	if c.Token != "" {
		hreq.Header.Set("X-Auth-Token", c.Token)
	}
	hc, err := c.httpClient()
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			NeutronError struct{ Type, Message string }
		}
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return nil, fmt.Errorf("trace: %d %s: %s", resp.StatusCode, e.NeutronError.Type, e.NeutronError.Message)
	}
	var res Response
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return nil, fmt.Errorf("trace: the answer: %w", err)
	}
	res.normalize()
	return &res, nil
}

// WriteJSON writes a trace as one indented JSON document (`midonet trace --json`): keys in
// snake_case, every list [] and never null.
func WriteJSON(w io.Writer, r *Response) error {
	r.normalize()
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
