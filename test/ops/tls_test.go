package ops

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"

	"github.com/midonet-go/midonet/test/testenv"
)

// pki is a test CA and what it signed, written as PEM files.
type pki struct {
	dir    string
	ca     *x509.Certificate
	caKey  *ecdsa.PrivateKey
	caPool *x509.CertPool
	serial int64
}

func newPKI(t *testing.T, name string) *pki {
	t.Helper()
	p := &pki{dir: t.TempDir(), serial: 1}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p.ca, _ = x509.ParseCertificate(der)
	p.caKey = key
	p.caPool = x509.NewCertPool()
	p.caPool.AddCert(p.ca)
	p.write(t, "ca.pem", "CERTIFICATE", der)
	return p
}

func (p *pki) write(t *testing.T, name, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(p.dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// issue signs a certificate (server: for 127.0.0.1; else a client's) and writes it and its
// key as <name>.pem and <name>-key.pem; it returns the certificate's serial.
func (p *pki) issue(t *testing.T, name string, server bool) (certFile, keyFile string, serial int64) {
	t.Helper()
	p.serial++
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(p.serial), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		tmpl.DNSNames = []string{"localhost"}
	} else {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return p.write(t, name+".pem", "CERTIFICATE", der), p.write(t, name+"-key.pem", "EC PRIVATE KEY", kder), p.serial
}

// networkClient is gophercloud's network client over a TLS configuration (noauth).
func networkClient(url string, tc *tls.Config) *gophercloud.ServiceClient {
	pc := &gophercloud.ProviderClient{HTTPClient: http.Client{Timeout: time.Minute,
		Transport: &http.Transport{TLSClientConfig: tc, DisableKeepAlives: true}}}
	return &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: url + "/", ResourceBase: url + "/v2.0/", Type: "network"}
}

// TestTLS: with [ssl] cert_file and key_file the API answers HTTPS only: gophercloud trusting
// the CA creates and lists networks, a client that does not trust it and a plain-HTTP
// client get nothing, serve.url is https and `midonet trace --os-cacert` works through it,
// a renewed certificate is served without a restart; with ca_file a client certificate of
// that CA is required. A half-configured [ssl] stops the server with one sentence.
func TestTLS(t *testing.T) {
	p := newPKI(t, "midonet test CA")
	cert, key, _ := p.issue(t, "server", true)
	trusting := &tls.Config{RootCAs: p.caPool, MinVersion: tls.VersionTLS12}
	conf := "[DEFAULT]\nauth_strategy = noauth\n\n[ssl]\ncert_file = " + cert + "\nkey_file = " + key + "\n"

	t.Run("https only", func(t *testing.T) {
		srv := testenv.StartServer(t, testenv.Options{Config: conf, TLS: trusting})
		if !strings.HasPrefix(srv.URL, "https://") {
			t.Fatalf("URL %s", srv.URL)
		}
		c := networkClient(srv.URL, trusting)
		ctx := t.Context()
		n, err := networks.Create(ctx, c, networks.CreateOpts{Name: "over-tls"}).Extract()
		if err != nil {
			t.Fatalf("create a network over TLS: %v", err)
		}
		pages, err := networks.List(c, networks.ListOpts{Name: "over-tls"}).AllPages(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := networks.ExtractNetworks(pages); len(got) != 1 || got[0].ID != n.ID {
			t.Fatalf("list over TLS: %+v", got)
		}
		// Not trusted: the handshake fails on the client's side.
		if _, err := networks.List(networkClient(srv.URL, &tls.Config{MinVersion: tls.VersionTLS12}), nil).AllPages(ctx); err == nil ||
			!strings.Contains(err.Error(), "certificate") {
			t.Errorf("a client without the CA: err = %v, want a certificate error", err)
		}
		// Plain HTTP on the TLS port is no API.
		plain := "http://" + strings.TrimPrefix(srv.URL, "https://")
		if resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(plain + "/v2.0/networks"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Errorf("plain HTTP answered 200")
			}
		}
		// serve.url says https, and trace reaches the server through it with the CA.
		b, err := os.ReadFile(filepath.Join(srv.DataDir, "serve.url"))
		if err != nil || strings.TrimSpace(string(b)) != srv.URL {
			t.Fatalf("serve.url = %q (%v), want %s", b, err, srv.URL)
		}
		sub, err := subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: n.ID, CIDR: "10.66.0.0/24", IPVersion: gophercloud.IPv4}).Extract()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ports.Create(ctx, c, ports.CreateOpts{Name: "tls-vm", NetworkID: n.ID, DeviceOwner: "compute:nova",
			FixedIPs: []ports.IP{{SubnetID: sub.ID}}}).Extract(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond) // the agent's cache follows the NSDB by a watch
		out, err := exec.Command(testenv.Binary(t), "trace", "--data-dir", srv.DataDir, "--os-cacert", filepath.Join(p.dir, "ca.pem"),
			"--from-port", "tls-vm", "--dhcp").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "consumed") {
			t.Errorf("trace over TLS: %v\n%s", err, out)
		}
		out, err = exec.Command(testenv.Binary(t), "trace", "--data-dir", srv.DataDir, "--from-port", "tls-vm", "--dhcp").CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 || !strings.Contains(string(out), "certificate") {
			t.Errorf("trace without the CA: %v\n%s", err, out)
		}
		// Debian's openstack CLI, trusting the CA as OS_CACERT says (install-test-deps.sh).
		cli := exec.Command("openstack", "--os-auth-type", "none", "--os-endpoint", srv.URL, "network", "show", "over-tls", "-f", "value", "-c", "id")
		cli.Env = append(os.Environ(), "OS_CACERT="+filepath.Join(p.dir, "ca.pem"))
		if out, err := cli.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != n.ID {
			t.Errorf("openstack network show over TLS: %v\n%s", err, out)
		}
		cli = exec.Command("openstack", "--os-auth-type", "none", "--os-endpoint", srv.URL, "network", "list")
		// (the CLI reports it as "Unable to find a version discovery document").
		if out, err := cli.CombinedOutput(); err == nil || strings.Contains(string(out), n.ID) {
			t.Errorf("openstack without the CA: %v\n%s", err, out)
		}
		// A renewed certificate (new files in place) is served to the next connection.
		newCert, newKey, serial := p.issue(t, "server-renewed", true)
		for _, f := range [][2]string{{newCert, cert}, {newKey, key}} {
			b, _ := os.ReadFile(f[0])
			if err := os.WriteFile(f[1], b, 0o600); err != nil {
				t.Fatal(err)
			}
			later := time.Now().Add(time.Minute)
			_ = os.Chtimes(f[1], later, later)
		}
		conn, err := tls.Dial("tcp", strings.TrimPrefix(srv.URL, "https://"), trusting)
		if err != nil {
			t.Fatal(err)
		}
		got := conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
		conn.Close()
		if got != serial {
			t.Errorf("after renewal the server presents serial %d, want %d", got, serial)
		}
	})
	t.Run("client certificates", func(t *testing.T) {
		clientCert, clientKey, _ := p.issue(t, "client", false)
		mine, err := tls.LoadX509KeyPair(clientCert, clientKey)
		if err != nil {
			t.Fatal(err)
		}
		rogue := newPKI(t, "another CA")
		rc, rk, _ := rogue.issue(t, "rogue", false)
		theirs, _ := tls.LoadX509KeyPair(rc, rk)
		withCert := &tls.Config{RootCAs: p.caPool, MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{mine}}
		srv := testenv.StartServer(t, testenv.Options{Config: conf + "ca_file = " + filepath.Join(p.dir, "ca.pem") + "\n", TLS: withCert})
		ctx := t.Context()
		if _, err := networks.List(networkClient(srv.URL, withCert), nil).AllPages(ctx); err != nil {
			t.Errorf("with a client certificate of the CA: %v", err)
		}
		for name, tc := range map[string]*tls.Config{
			"no client certificate":       trusting,
			"a certificate of another CA": {RootCAs: p.caPool, MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{theirs}},
		} {
			if _, err := networks.List(networkClient(srv.URL, tc), nil).AllPages(ctx); err == nil {
				t.Errorf("%s: the API answered", name)
			}
		}
	})
	t.Run("half configured", func(t *testing.T) {
		for _, c := range []struct{ conf, want string }{
			{"[ssl]\ncert_file = " + cert + "\n", "[ssl] cert_file and key_file go together"},
			{"[ssl]\ncert_file = " + cert + "\nkey_file = /nonexistent.pem\n", "[ssl] cert_file"},
			{"[ssl]\nca_file = " + filepath.Join(p.dir, "ca.pem") + "\n", "[ssl] ca_file is set without cert_file"},
			{conf + "version = TLSv1\n", "[ssl] version"},
		} {
			dir := t.TempDir()
			f := filepath.Join(dir, "ssl.conf")
			if err := os.WriteFile(f, []byte("[DEFAULT]\nauth_strategy = noauth\n"+c.conf), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(testenv.Binary(t), "serve", "--data-dir", filepath.Join(dir, "data"), "--bind-port", "0", "--config-file", f)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			done := make(chan error, 1)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(stderr.String(), c.want) {
					t.Errorf("%q: exit %v, stderr %q; want a failure naming %q", c.conf, err, stderr.String(), c.want)
				}
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				t.Errorf("%q: the server started", c.conf)
			}
		}
	})
}
