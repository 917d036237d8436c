package ipsec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/midonet-go/midonet/internal/topology"
	"github.com/strongswan/govici/vici"
)

// Mapping Neutron's policy values onto strongSwan's proposal keywords.
var (
	encryption = map[string]string{"aes-128": "aes128", "aes-192": "aes192", "aes-256": "aes256", "3des": "3des"}
	integrity  = map[string]string{"sha1": "sha1", "sha256": "sha256", "sha384": "sha384", "sha512": "sha512"}
	dhGroup    = map[string]string{"group2": "modp1024", "group5": "modp1536", "group14": "modp2048"}
	// DPD actions of a child SA (strongSwan 5.9: clear, trap, restart).
	dpdAction = map[string]string{"clear": "clear", "hold": "trap", "restart": "restart", "restart-by-peer": "clear", "disabled": "clear"}
)

// proposal is "<encryption>-<integrity>-<dh group>" (or without encryption, for AH).
func proposal(p topology.IPSecProposal, withEncryption bool) (string, error) {
	parts := []string{}
	if withEncryption {
		e, ok := encryption[p.Encryption]
		if !ok {
			return "", fmt.Errorf("ipsec: unknown encryption algorithm %q", p.Encryption)
		}
		parts = append(parts, e)
	}
	i, ok := integrity[p.AuthAlgorithm]
	if !ok {
		return "", fmt.Errorf("ipsec: unknown auth algorithm %q", p.AuthAlgorithm)
	}
	parts = append(parts, i)
	if p.PFS != "" {
		g, ok := dhGroup[p.PFS]
		if !ok {
			return "", fmt.Errorf("ipsec: unknown PFS group %q", p.PFS)
		}
		parts = append(parts, g)
	}
	return strings.Join(parts, "-"), nil
}

func seconds(n int64) string { return strconv.FormatInt(n, 10) + "s" }

// ikeConfig is a load-conn message for one site connection: IKE from the external address
// to the peer, PSK authentication with the local and peer identities, one child SA between
// the local and peer CIDRs with the IPsec policy's proposal, DPD, lifetimes, and who starts.
type ikeConfig struct {
	Version     string           `vici:"version"`
	LocalAddrs  []string         `vici:"local_addrs"`
	RemoteAddrs []string         `vici:"remote_addrs"`
	Proposals   []string         `vici:"proposals"`
	Aggressive  string           `vici:"aggressive"`
	RekeyTime   string           `vici:"rekey_time"`
	DPDDelay    string           `vici:"dpd_delay"`
	DPDTimeout  string           `vici:"dpd_timeout"`
	Encap       string           `vici:"encap"`
	KeyingTries string           `vici:"keyingtries"`
	Local       auth             `vici:"local"`
	Remote      auth             `vici:"remote"`
	Children    map[string]child `vici:"children"`
}

type auth struct {
	Auth string `vici:"auth"`
	ID   string `vici:"id"`
}

type child struct {
	LocalTS      []string `vici:"local_ts"`
	RemoteTS     []string `vici:"remote_ts"`
	ESPProposals []string `vici:"esp_proposals"`
	AHProposals  []string `vici:"ah_proposals"`
	Mode         string   `vici:"mode"`
	RekeyTime    string   `vici:"rekey_time"`
	DPDAction    string   `vici:"dpd_action"`
	StartAction  string   `vici:"start_action"`
	CloseAction  string   `vici:"close_action"`
}

// connMessage builds the load-conn message of a connection (named by its id).
func connMessage(local string, c topology.IPSecSiteConnection) (*vici.Message, error) {
	ike, err := proposal(c.IKE, true)
	if err != nil {
		return nil, err
	}
	version := "1"
	if c.IKE.Version == "v2" {
		version = "2"
	}
	localID := c.LocalID
	if localID == "" {
		localID = local
	}
	ch := child{LocalTS: c.LocalCIDRs, RemoteTS: c.PeerCIDRs, Mode: "tunnel", RekeyTime: seconds(c.IPSec.Lifetime),
		DPDAction: dpdAction[c.DPDAction], StartAction: "none", CloseAction: "none"}
	if c.IPSec.EncapsulationMode == "transport" {
		ch.Mode = "transport"
	}
	switch c.IPSec.TransformProtocol {
	case "ah":
		p, err := proposal(c.IPSec, false)
		if err != nil {
			return nil, err
		}
		ch.AHProposals = []string{p}
	default:
		p, err := proposal(c.IPSec, true)
		if err != nil {
			return nil, err
		}
		ch.ESPProposals = []string{p}
	}
	if c.Initiator != "response-only" {
		ch.StartAction = "start"
	}
	if ch.DPDAction == "" {
		ch.DPDAction = "trap"
	}
	cfg := ikeConfig{Version: version, LocalAddrs: []string{local}, RemoteAddrs: []string{c.PeerAddress},
		Proposals: []string{ike}, Aggressive: "no", RekeyTime: seconds(c.IKE.Lifetime), Encap: "yes", KeyingTries: "1",
		Local: auth{Auth: "psk", ID: localID}, Remote: auth{Auth: "psk", ID: c.PeerID},
		Children: map[string]child{c.ID: ch}}
	if c.IKE.Phase1Mode == "aggressive" {
		cfg.Aggressive = "yes"
	}
	if c.DPDAction != "disabled" && c.DPDInterval > 0 {
		cfg.DPDDelay, cfg.DPDTimeout = seconds(c.DPDInterval), seconds(c.DPDTimeout)
	}
	conn, err := vici.MarshalMessage(cfg)
	if err != nil {
		return nil, fmt.Errorf("ipsec: connection %s: %w", c.ID, err)
	}
	m := vici.NewMessage()
	if err := m.Set(c.ID, conn); err != nil {
		return nil, err
	}
	return m, nil
}

// secretMessage is the load-shared message of a connection's PSK, for its two identities.
// It is never logged.
func secretMessage(local string, c topology.IPSecSiteConnection) *vici.Message {
	localID := c.LocalID
	if localID == "" {
		localID = local
	}
	m := vici.NewMessage()
	_ = m.Set("id", "psk-"+c.ID)
	_ = m.Set("type", "IKE")
	_ = m.Set("data", c.PSK)
	_ = m.Set("owners", []string{localID, c.PeerID})
	return m
}
