package bgpd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"syscall"

	gobgplog "github.com/osrg/gobgp/v3/pkg/log"
	"github.com/vishvananda/netlink"
)

// netlinkAddresser configures the bound interface with netlink: the speaker's address is
// added (and the link brought up) so the BGP server can listen on it and reach its peers.
type netlinkAddresser struct{}

func (netlinkAddresser) Add(iface string, p netip.Prefix) error {
	link, err := netlink.LinkByName(iface)
	if err != nil {
		return fmt.Errorf("interface %s: %w", iface, err)
	}
	if err := netlink.AddrReplace(link, &netlink.Addr{IPNet: ipNet(p)}); err != nil {
		return fmt.Errorf("add %s to %s: %w", p, iface, err)
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fmt.Errorf("set %s up: %w", iface, err)
	}
	return nil
}

func (netlinkAddresser) Remove(iface string, p netip.Prefix) error {
	link, err := netlink.LinkByName(iface)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil // the interface went away with its addresses
		}
		return fmt.Errorf("interface %s: %w", iface, err)
	}
	if err := netlink.AddrDel(link, &netlink.Addr{IPNet: ipNet(p)}); err != nil && !errors.Is(err, syscall.EADDRNOTAVAIL) {
		return fmt.Errorf("remove %s from %s: %w", p, iface, err)
	}
	return nil
}

func ipNet(p netip.Prefix) *net.IPNet {
	bits := 32
	if p.Addr().Is6() {
		bits = 128
	}
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), bits)}
}

// logAdapter sends GoBGP's log to slog. GoBGP's info lines (every FSM step) become debug
// lines: the speaker logs the session changes operators look for itself.
type logAdapter struct{ l *slog.Logger }

func (a logAdapter) log(level slog.Level, msg string, fields gobgplog.Fields) {
	if !a.l.Enabled(context.Background(), level) {
		return
	}
	args := make([]any, 0, 2*len(fields))
	for k, v := range fields {
		args = append(args, k, v)
	}
	a.l.Log(context.Background(), level, "gobgp: "+msg, args...)
}

func (a logAdapter) Panic(msg string, f gobgplog.Fields) { a.log(slog.LevelError, msg, f) }
func (a logAdapter) Fatal(msg string, f gobgplog.Fields) { a.log(slog.LevelError, msg, f) }
func (a logAdapter) Error(msg string, f gobgplog.Fields) { a.log(slog.LevelError, msg, f) }
func (a logAdapter) Warn(msg string, f gobgplog.Fields)  { a.log(slog.LevelWarn, msg, f) }
func (a logAdapter) Info(msg string, f gobgplog.Fields)  { a.log(slog.LevelDebug, msg, f) }
func (a logAdapter) Debug(msg string, f gobgplog.Fields) { a.log(slog.LevelDebug-4, msg, f) }
func (a logAdapter) SetLevel(gobgplog.LogLevel)          {}
func (a logAdapter) GetLevel() gobgplog.LogLevel         { return gobgplog.InfoLevel }
