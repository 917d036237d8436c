package ipsec

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/midonet-go/midonet/internal/topology"
	"github.com/strongswan/govici/vici"
)

// runner is one router's site: its namespace, its charon and its connections.
type runner struct {
	m       *Manager
	router  string
	cancel  context.CancelFunc
	updates chan Site
	done    chan struct{}
	last    Site // what Sync last sent (guarded by Manager.mu)

	ns, dir string
	charon  *exec.Cmd
	exited  chan struct{} // closed when charon exits
	sess    *vici.Session
	site    Site                                    // what is configured
	loaded  map[string]topology.IPSecSiteConnection // by id
	status  map[string]string
	routes  map[string]bool // peer CIDRs routed into the TUN device
}

// nsName is the namespace of a router's IPsec container.
func nsName(router string) string { return "mnvpn-" + router[:min(8, len(router))] }

// innerIf is the namespace's end of the container link.
const innerIf = "vpn0"

func (r *runner) log() func(msg string, args ...any) {
	return func(msg string, args ...any) { r.m.o.Log.Warn(msg, append([]any{"router", r.router}, args...)...) }
}

func (r *runner) run(ctx context.Context) {
	defer close(r.done)
	r.ns, r.dir = nsName(r.router), filepath.Join(r.m.o.StateDir, r.router)
	defer r.teardown()
	tick := time.NewTicker(r.m.o.Poll)
	defer tick.Stop()
	var want *Site
	for {
		select {
		case <-ctx.Done():
			return
		case s := <-r.updates:
			want = &s
		case <-tick.C:
		}
		if want != nil {
			if err := r.apply(ctx, *want); err != nil {
				r.log()("ipsec: configure site", "err", err)
			}
		}
		r.poll(ctx)
	}
}

// apply brings namespace, daemon and connections to s.
func (r *runner) apply(ctx context.Context, s Site) error {
	if r.sess != nil && (s.Interface != r.site.Interface || s.RouterSide != r.site.RouterSide || s.Container != r.site.Container || s.ExternalIP != r.site.ExternalIP) {
		r.teardown()
	}
	if r.sess == nil {
		if err := r.setup(ctx, s); err != nil {
			r.teardown()
			return err
		}
	}
	r.site = s
	wanted := map[string]topology.IPSecSiteConnection{}
	for _, c := range s.Conns {
		wanted[c.ID] = c
	}
	for id, old := range r.loaded {
		if c, ok := wanted[id]; ok && reflect.DeepEqual(c, old) {
			continue
		}
		r.unload(ctx, id)
	}
	local := s.ExternalIP.String()
	for id, c := range wanted {
		if _, ok := r.loaded[id]; ok {
			continue
		}
		conn, err := connMessage(local, c)
		if err != nil {
			r.log()("ipsec: connection not loaded", "connection", id, "err", err)
			continue
		}
		if _, err := r.sess.Call(ctx, "load-shared", secretMessage(local, c)); err != nil {
			r.log()("ipsec: pre-shared key not loaded", "connection", id, "err", err)
			continue
		}
		if _, err := r.sess.Call(ctx, "load-conn", conn); err != nil {
			r.log()("ipsec: connection not loaded", "connection", id, "err", err)
			continue
		}
		r.loaded[id] = c
	}
	r.route()
	return nil
}

// tunDevice is the TUN device charon's libipsec creates in the namespace.
const tunDevice = "ipsec0"

// route sends the peer CIDRs of the loaded connections into libipsec's TUN device (charon
// would install such routes with a source address inside the local CIDRs, which the
// namespace does not hold: it forwards the router's traffic).
//
// libipsec installs a policy only with a local address inside the local traffic selector
// (for the source of its own route): the namespace holds the network address of each local
// CIDR on its loopback, an address no host of the subnet uses.
func (r *runner) route() {
	want := map[string]bool{}
	for _, c := range r.loaded {
		for _, p := range c.PeerCIDRs {
			want[p] = true
		}
		for _, l := range c.LocalCIDRs {
			pfx, err := netip.ParsePrefix(l)
			if err != nil {
				continue
			}
			a := pfx.Masked().Addr()
			key := "local:" + a.String()
			if r.routes[key] {
				continue
			}
			bits := 32
			if a.Is6() {
				bits = 128
			}
			if err := ip("-n", r.ns, "addr", "replace", fmt.Sprintf("%s/%d", a, bits), "dev", "lo"); err != nil {
				r.log()("ipsec: local selector address", "cidr", l, "err", err)
				continue
			}
			r.routes[key] = true
		}
	}
	for p := range want {
		if r.routes[p] {
			continue
		}
		if err := ip("-n", r.ns, "route", "replace", p, "dev", tunDevice); err != nil {
			r.log()("ipsec: route to the peer", "cidr", p, "err", err)
			continue
		}
		r.routes[p] = true
	}
	for p := range r.routes {
		if !want[p] && !strings.HasPrefix(p, "local:") {
			_ = ip("-n", r.ns, "route", "del", p, "dev", tunDevice)
			delete(r.routes, p)
		}
	}
}

// unload removes a connection: its IKE SA (and children) is terminated, its config and key
// unloaded.
func (r *runner) unload(ctx context.Context, id string) {
	m := vici.NewMessage()
	_ = m.Set("name", id)
	if _, err := r.sess.Call(ctx, "unload-conn", m); err != nil {
		r.log()("ipsec: unload connection", "connection", id, "err", err)
	}
	t := vici.NewMessage()
	_ = t.Set("ike", id)
	_ = t.Set("force", "yes")
	_ = t.Set("timeout", "-1")
	for range r.sess.CallStreaming(ctx, "terminate", "control-log", t) {
	}
	k := vici.NewMessage()
	_ = k.Set("id", "psk-"+id)
	_, _ = r.sess.Call(ctx, "unload-shared", k)
	delete(r.loaded, id)
}

// ip runs an ip(8) command.
func ip(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %v: %w: %s", args, err, out)
	}
	return nil
}

const charonConf = `charon {
	load_modular = no
	load = random nonce aes sha1 sha2 md5 hmac gmp kdf kernel-libipsec kernel-netlink socket-default vici
	install_routes = no
	install_virtual_ip = no
	retransmit_tries = 3
	plugins {
		vici {
			socket = unix://%s
		}
	}
	filelog {
		stderr {
			default = 1
		}
	}
}
`

// setup makes the namespace with the container link, and starts charon in it.
func (r *runner) setup(ctx context.Context, s Site) error {
	_ = ip("netns", "del", r.ns) // a namespace a dead agent left
	_ = ip("link", "del", s.Interface)
	if err := ip("netns", "add", r.ns); err != nil {
		return err
	}
	steps := [][]string{
		{"link", "add", s.Interface, "type", "veth", "peer", "name", innerIf, "netns", r.ns},
		{"link", "set", s.Interface, "up"},
		{"-n", r.ns, "link", "set", "lo", "up"},
		{"-n", r.ns, "addr", "add", fmt.Sprintf("%s/%d", s.Container, s.RouterSide.Bits()), "dev", innerIf},
		{"-n", r.ns, "addr", "add", s.ExternalIP.String() + "/32", "dev", innerIf},
		{"-n", r.ns, "link", "set", innerIf, "up"},
		{"-n", r.ns, "route", "add", "default", "via", s.RouterSide.Addr().String(), "dev", innerIf},
	}
	for _, st := range steps {
		if err := ip(st...); err != nil {
			return err
		}
	}
	// The host end belongs to the datapath: no IPv6 chatter from the host's own stack.
	_ = os.WriteFile("/proc/sys/net/ipv6/conf/"+s.Interface+"/disable_ipv6", []byte("1"), 0o644)
	// ARP on the link from the link's address (not from the external address the IKE and ESP
	// packets leave with): the router answers requests from its port's subnet only.
	for _, k := range []string{"net.ipv4.ip_forward=1", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
		"net.ipv4.conf.all.arp_announce=2", "net.ipv6.conf.all.disable_ipv6=1"} {
		if out, err := exec.Command("ip", "netns", "exec", r.ns, "sysctl", "-qw", k).CombinedOutput(); err != nil {
			return fmt.Errorf("sysctl %s: %w: %s", k, err, out)
		}
	}
	if err := os.MkdirAll(r.dir, 0o700); err != nil {
		return err
	}
	sock := filepath.Join(r.dir, "charon.vici")
	_ = os.Remove(sock)
	conf := filepath.Join(r.dir, "strongswan.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(charonConf, sock)), 0o600); err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(r.dir, "charon.log"), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	// A mount namespace with a private /run keeps each charon's pid file apart.
	cmd := exec.Command("ip", "netns", "exec", r.ns, "unshare", "--mount", "sh", "-c", `mount -t tmpfs tmpfs /run && exec "$0"`, r.m.o.Charon)
	cmd.Env = append(os.Environ(), "STRONGSWAN_CONF="+conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start charon: %w", err)
	}
	r.charon, r.exited = cmd, make(chan struct{})
	go func(done chan struct{}) { _ = cmd.Wait(); close(done) }(r.exited)
	deadline := time.Now().Add(10 * time.Second)
	for {
		sess, err := vici.NewSession(vici.WithSocketPath(sock))
		if err == nil {
			r.sess = sess
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("charon's VICI socket %s: %w", sock, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	r.loaded = map[string]topology.IPSecSiteConnection{}
	r.routes = map[string]bool{}
	r.m.o.Log.Info("ipsec: site up", "router", r.router, "namespace", r.ns, "external_ip", s.ExternalIP.String())
	return nil
}

// teardown stops charon and removes the namespace (and with it the link).
func (r *runner) teardown() {
	if r.sess != nil {
		_ = r.sess.Close()
		r.sess = nil
	}
	if r.charon != nil {
		_ = r.charon.Process.Kill()
		<-r.exited
		r.charon = nil
	}
	if r.ns != "" {
		_ = ip("netns", "del", r.ns)
	}
	if r.site.Interface != "" {
		_ = ip("link", "del", r.site.Interface)
	}
	if r.dir != "" {
		_ = os.RemoveAll(r.dir)
	}
	r.loaded = nil
	if len(r.status) > 0 {
		r.status = nil
		r.m.o.OnStatus(r.router, map[string]string{})
	}
}

// sa is what list-sas tells of one IKE SA.
type sa struct {
	State    string             `vici:"state"`
	Children map[string]childSA `vici:"child-sas"`
}

type childSA struct {
	Name  string `vici:"name"`
	State string `vici:"state"`
}

// poll reads the SAs and reports the connections' status when it changed; a connection
// configured to start is initiated again while it has no IKE SA.
func (r *runner) poll(ctx context.Context) {
	if r.sess == nil {
		return
	}
	select {
	case <-r.exited:
		r.log()("ipsec: charon exited; starting it again")
		r.teardown()
		return
	default:
	}
	up := map[string]bool{}
	present := map[string]bool{}
	for m, err := range r.sess.CallStreaming(ctx, "list-sas", "list-sa", nil) {
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				r.log()("ipsec: list-sas", "err", err)
			}
			return
		}
		for _, name := range m.Keys() {
			sub, ok := m.Get(name).(*vici.Message)
			if !ok {
				continue
			}
			var s sa
			if vici.UnmarshalMessage(sub, &s) != nil {
				continue
			}
			present[name] = true
			if s.State != "ESTABLISHED" {
				continue
			}
			for _, c := range s.Children {
				if c.State == "INSTALLED" && c.Name == name {
					up[name] = true
				}
			}
		}
	}
	st := map[string]string{}
	for id, c := range r.loaded {
		st[id] = Down
		if up[id] {
			st[id] = Active
		}
		if !present[id] && c.Initiator != "response-only" {
			m := vici.NewMessage()
			_ = m.Set("child", id)
			_ = m.Set("ike", id)
			_ = m.Set("timeout", "-1")
			for range r.sess.CallStreaming(ctx, "initiate", "control-log", m) {
			}
		}
	}
	if !reflect.DeepEqual(st, r.status) {
		r.status = st
		r.m.o.OnStatus(r.router, st)
	}
}
