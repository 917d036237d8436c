package roles_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/midonet-go/midonet/test/testenv"
)

// restLogin posts a login to base's /midonet-api and returns the status.
func restLogin(t *testing.T, base, user, pw string) int {
	t.Helper()
	code, _ := restLoginToken(t, base, user, pw)
	return code
}

func restLoginToken(t *testing.T, base, user, pw string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/midonet-api/login", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, pw)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s/midonet-api/login: %v", base, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	for _, c := range resp.Cookies() {
		if c.Name == "sessionId" {
			return resp.StatusCode, c.Value
		}
	}
	return resp.StatusCode, ""
}

// call sends method to url with an optional token and returns the status and body.
func call(t *testing.T, method, url, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestClusterRESTEndpointIsPrivate runs `midonet serve` (REST client, built-in cluster): the
// cluster's REST endpoint answers on its own loopback port only, the public API port answers
// 404 for it, and API writes still reach the topology through it.
func TestClusterRESTEndpointIsPrivate(t *testing.T) {
	restPort := testenv.Port(t)
	conf := fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n[MIDONET]\ncluster_rest_port = %d\n", restPort)
	p := start(t, "serve", conf, testenv.Port(t))
	p.waitReady(t, "/", 60*time.Second)
	public, rest := p.url(), fmt.Sprintf("http://127.0.0.1:%d", restPort)

	network := post(t, public, "networks", "network", map[string]any{"name": "through-rest"})
	id := network["id"].(string)
	post(t, public, "subnets", "subnet", map[string]any{"network_id": id, "cidr": "10.77.0.0/24", "ip_version": 4})

	// The public port: no login, no documents, no deletes, whatever the credentials.
	if code := restLogin(t, public, "admin", "passw0rd"); code != http.StatusNotFound {
		t.Errorf("POST /midonet-api/login on the public port = %d, want 404", code)
	}
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		for _, path := range []string{"/midonet-api/", "/midonet-api/neutron/networks/" + id} {
			if code, body := call(t, m, public+path, ""); code != http.StatusNotFound {
				t.Errorf("%s %s on the public port = %d %s, want 404", m, path, code, body)
			}
		}
	}

	// The REST port: login, and the cluster's copy of the network the API created.
	code, token := restLoginToken(t, rest, "admin", "passw0rd")
	if code != http.StatusOK || token == "" {
		t.Fatalf("login on the REST port = %d (token %q), want 200 with a token", code, token)
	}
	if code, body := call(t, http.MethodGet, rest+"/midonet-api/neutron/networks/"+id, token); code != http.StatusOK || !strings.Contains(body, id) {
		t.Fatalf("GET the network on the REST port = %d %s, want 200 with its copy", code, body)
	}
	if code, _ := call(t, http.MethodGet, rest+"/midonet-api/neutron/networks/"+id, ""); code != http.StatusUnauthorized {
		t.Errorf("GET on the REST port without a token = %d, want 401", code)
	}
	if code := restLogin(t, rest, "admin", "guess"); code != http.StatusUnauthorized {
		t.Errorf("login with a wrong password = %d, want 401", code)
	}
	if !strings.Contains(p.out.String(), fmt.Sprintf(`cluster REST endpoint listening address=127.0.0.1:%d`, restPort)) {
		t.Errorf("the log does not name the loopback REST endpoint:\n%s", p.out.String())
	}
	// Not reachable on the host's other addresses.
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok || ipn.IP.IsLoopback() || ipn.IP.To4() == nil {
				continue
			}
			c, err := net.DialTimeout("tcp", net.JoinHostPort(ipn.IP.String(), fmt.Sprint(restPort)), 2*time.Second)
			if err == nil {
				c.Close()
				t.Errorf("the REST endpoint answers on %s", ipn.IP)
			}
		}
	}

	// Nothing drifted: every write went through the REST endpoint.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, testenv.Binary(t), "db-manage", "verify", "--json",
		"--data-dir", p.dir, "--config-file", p.conf).CombinedOutput()
	var d struct {
		Total int `json:"total"`
	}
	i := bytes.IndexByte(out, '{')
	if err != nil || i < 0 || json.Unmarshal(out[i:], &d) != nil || d.Total != 0 {
		t.Fatalf("db-manage verify: %v, want no drift:\n%s", err, out)
	}
	// A delete through the API reaches the cluster too.
	if code, body := call(t, http.MethodDelete, public+"/v2.0/networks/"+id, ""); code != http.StatusNoContent {
		t.Fatalf("DELETE the network through the API = %d %s", code, body)
	}
	if code, _ := call(t, http.MethodGet, rest+"/midonet-api/neutron/networks/"+id, token); code != http.StatusNotFound {
		t.Fatalf("the cluster still holds the deleted network (%d)", code)
	}
}

// TestClusterRESTRefusesDefaultPasswordOffLoopback: a process that would serve the REST
// endpoint on a non-loopback address with the default or an empty password stops at once
// with a clear error; a real password lets it start.
func TestClusterRESTRefusesDefaultPasswordOffLoopback(t *testing.T) {
	for _, tc := range []struct {
		name, role, midonet string
		refused             string
	}{
		{"serve, default password on 0.0.0.0", "serve", "cluster_rest_bind_host = 0.0.0.0\n",
			"refusing to listen on 0.0.0.0 (not loopback) with the default password passw0rd"},
		{"cluster, empty password on every interface", "cluster", "cluster_rest_bind_host =\npassword =\n",
			"refusing to listen on every interface (not loopback) with an empty password"},
		{"serve, real password on 0.0.0.0", "serve", "cluster_rest_bind_host = 0.0.0.0\npassword = a-real-secret\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			restPort := testenv.Port(t)
			conf := fmt.Sprintf("[DEFAULT]\nauth_strategy = noauth\n[MIDONET]\ncluster_rest_port = %d\n%s", restPort, tc.midonet)
			p := start(t, tc.role, conf, testenv.Port(t))
			if tc.refused == "" {
				p.waitReady(t, "/", 60*time.Second)
				if code := restLogin(t, fmt.Sprintf("http://127.0.0.1:%d", restPort), "admin", "a-real-secret"); code != http.StatusOK {
					t.Fatalf("login with the configured password = %d, want 200", code)
				}
				// The API server in the process logs in with the same password.
				post(t, p.url(), "networks", "network", map[string]any{"name": "n"})
				return
			}
			done := make(chan error, 1)
			go func() { done <- p.cmd.Wait() }()
			select {
			case err := <-done:
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() == 0 {
					t.Fatalf("exit = %v, want a non-zero exit code:\n%s", err, p.out.String())
				}
			case <-time.After(60 * time.Second):
				t.Fatalf("midonet %s did not stop:\n%s", tc.role, p.out.String())
			}
			if !strings.Contains(p.out.String(), tc.refused) {
				t.Fatalf("output does not say %q:\n%s", tc.refused, p.out.String())
			}
			if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", restPort), time.Second); err == nil {
				c.Close()
				t.Fatal("something listens on the REST port after the refusal")
			}
		})
	}
}
