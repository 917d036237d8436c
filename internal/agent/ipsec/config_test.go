package ipsec

import (
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
	"github.com/strongswan/govici/vici"
)

func conn() topology.IPSecSiteConnection {
	return topology.IPSecSiteConnection{Meta: topology.Meta{ID: "c1"}, PeerAddress: "203.0.113.9", PeerID: "peer@example.org",
		LocalCIDRs: []string{"10.1.0.0/24"}, PeerCIDRs: []string{"10.2.0.0/24", "10.3.0.0/24"}, Initiator: "bi-directional",
		DPDAction: "hold", DPDInterval: 30, DPDTimeout: 120, PSK: "s3cret",
		IKE:   topology.IPSecProposal{Version: "v1", AuthAlgorithm: "sha1", Encryption: "aes-128", PFS: "group5", Lifetime: 3600, Phase1Mode: "main"},
		IPSec: topology.IPSecProposal{AuthAlgorithm: "sha256", Encryption: "aes-256", PFS: "group14", Lifetime: 1800, TransformProtocol: "esp", EncapsulationMode: "tunnel"}}
}

func section(t *testing.T, m *vici.Message, key string) *vici.Message {
	t.Helper()
	s, ok := m.Get(key).(*vici.Message)
	if !ok {
		t.Fatalf("no section %q in %s", key, m)
	}
	return s
}

// TestConnMessage: Neutron's policy values become strongSwan's proposals, lifetimes, DPD,
// identities and start action, and the message never carries the key.
func TestConnMessage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*topology.IPSecSiteConnection)
		check func(t *testing.T, c, ch *vici.Message)
	}{
		{"defaults", func(*topology.IPSecSiteConnection) {}, func(t *testing.T, c, ch *vici.Message) {
			want := map[string]any{"version": "1", "proposals": []string{"aes128-sha1-modp1536"}, "rekey_time": "3600s",
				"dpd_delay": "30s", "dpd_timeout": "120s", "aggressive": "no", "local_addrs": []string{"172.24.0.10"}, "remote_addrs": []string{"203.0.113.9"}}
			for k, v := range want {
				if got := c.Get(k); strings.Join(asList(got), ",") != strings.Join(asList(v), ",") {
					t.Errorf("%s = %v, want %v", k, got, v)
				}
			}
			if got := ch.Get("esp_proposals"); strings.Join(asList(got), ",") != "aes256-sha256-modp2048" {
				t.Errorf("esp_proposals = %v", got)
			}
			if ch.Get("start_action") != "start" || ch.Get("dpd_action") != "trap" || ch.Get("mode") != "tunnel" || ch.Get("rekey_time") != "1800s" {
				t.Errorf("child %s", ch)
			}
			if got := strings.Join(asList(ch.Get("remote_ts")), ","); got != "10.2.0.0/24,10.3.0.0/24" {
				t.Errorf("remote_ts = %s", got)
			}
			if section(t, c, "local").Get("id") != "172.24.0.10" || section(t, c, "remote").Get("id") != "peer@example.org" {
				t.Errorf("identities: local %s remote %s", section(t, c, "local"), section(t, c, "remote"))
			}
		}},
		{"IKEv2, aggressive, local id, response only", func(c *topology.IPSecSiteConnection) {
			c.IKE.Version, c.IKE.Phase1Mode, c.LocalID, c.Initiator = "v2", "aggressive", "site-a", "response-only"
		}, func(t *testing.T, c, ch *vici.Message) {
			if c.Get("version") != "2" || c.Get("aggressive") != "yes" || ch.Get("start_action") != "none" || section(t, c, "local").Get("id") != "site-a" {
				t.Errorf("connection %s", c)
			}
		}},
		{"AH, transport, DPD off", func(c *topology.IPSecSiteConnection) {
			c.IPSec.TransformProtocol, c.IPSec.EncapsulationMode, c.DPDAction = "ah", "transport", "disabled"
		}, func(t *testing.T, c, ch *vici.Message) {
			if strings.Join(asList(ch.Get("ah_proposals")), ",") != "sha256-modp2048" || ch.Get("esp_proposals") != nil || ch.Get("mode") != "transport" || c.Get("dpd_delay") != nil {
				t.Errorf("connection %s child %s", c, ch)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cn := conn()
			tc.edit(&cn)
			m, err := connMessage("172.24.0.10", cn)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(m.String(), "s3cret") {
				t.Fatal("the connection message carries the pre-shared key")
			}
			c := section(t, m, "c1")
			tc.check(t, c, section(t, section(t, c, "children"), "c1"))
		})
	}
	bad := conn()
	bad.IKE.Encryption = "rot13"
	if _, err := connMessage("172.24.0.10", bad); err == nil {
		t.Error("an unknown algorithm was mapped")
	}
	s := secretMessage("172.24.0.10", conn())
	if s.Get("data") != "s3cret" || strings.Join(asList(s.Get("owners")), ",") != "172.24.0.10,peer@example.org" {
		t.Errorf("secret message owners %v", s.Get("owners"))
	}
}

func asList(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case string:
		return []string{x}
	}
	return nil
}
