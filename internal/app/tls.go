package app

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/midonet-go/midonet/internal/config"
)

// tlsConfig is the API listener's TLS from [ssl] (oslo.service's options): nil without
// cert_file and key_file. The certificate is read again when its files change, so that a
// renewed certificate is served without a restart; a client certificate is required when
// ca_file is set.
func tlsConfig(cfg *config.Config) (*tls.Config, error) {
	g := config.GroupSSL
	certFile, keyFile, caFile := cfg.String(g, "cert_file"), cfg.String(g, "key_file"), cfg.String(g, "ca_file")
	version, ciphers := cfg.String(g, "version"), cfg.String(g, "ciphers")
	if certFile == "" && keyFile == "" {
		if caFile != "" {
			return nil, fmt.Errorf("[ssl] ca_file is set without cert_file and key_file: the API would not use TLS")
		}
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, fmt.Errorf("[ssl] cert_file and key_file go together (one is unset)")
	}
	kp := &keyPair{cert: certFile, key: keyFile}
	if err := kp.load(); err != nil {
		return nil, err
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: kp.get}
	switch strings.ToUpper(strings.ReplaceAll(version, ".", "_")) {
	case "", "TLSV1_2":
	case "TLSV1_3":
		tc.MinVersion = tls.VersionTLS13
	default:
		return nil, fmt.Errorf("[ssl] version %q: TLSv1_2 or TLSv1_3 (older versions are not offered)", version)
	}
	if ciphers != "" {
		byName := map[string]uint16{}
		for _, c := range tls.CipherSuites() {
			byName[c.Name] = c.ID
		}
		for _, name := range strings.FieldsFunc(ciphers, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
			id, ok := byName[name]
			if !ok {
				return nil, fmt.Errorf("[ssl] ciphers: %q is not a secure TLS 1.2 cipher suite (names as Go spells them, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)", name)
			}
			tc.CipherSuites = append(tc.CipherSuites, id)
		}
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("[ssl] ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("[ssl] ca_file %s: no PEM certificate in it", caFile)
		}
		tc.ClientCAs, tc.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return tc, nil
}

// keyPair is a certificate and key read from files, read again when either changes.
type keyPair struct {
	cert, key string
	mu        sync.Mutex
	loaded    *tls.Certificate
	stamp     [2]time.Time
}

func modTime(path string) time.Time {
	st, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

func (k *keyPair) load() error {
	c, err := tls.LoadX509KeyPair(k.cert, k.key)
	if err != nil {
		return fmt.Errorf("[ssl] cert_file %s and key_file %s: %w", k.cert, k.key, err)
	}
	k.loaded, k.stamp = &c, [2]time.Time{modTime(k.cert), modTime(k.key)}
	return nil
}

// get serves the current certificate; a pair that fails to load (a renewal half written)
// leaves the previous one in use.
func (k *keyPair) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if now := [2]time.Time{modTime(k.cert), modTime(k.key)}; now != k.stamp {
		prev, stamp := k.loaded, k.stamp
		if err := k.load(); err != nil {
			k.loaded, k.stamp = prev, stamp
		}
	}
	return k.loaded, nil
}
