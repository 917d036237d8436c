package datapath

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// link is one host interface the datapath owns: an AF_PACKET socket bound to it, in
// promiscuous mode, that sees every frame arriving on it (not the ones it sends) and sends
// frames out of it. The socket is non-blocking and read through Go's poller, so Close
// interrupts a pending read.
type link struct {
	name string
	f    *os.File
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

// openLink binds a packet socket to the interface named name.
func openLink(name string) (*link, error) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return nil, fmt.Errorf("datapath: interface %s: %w", name, err)
	}
	fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, int(htons(unix.ETH_P_ALL)))
	if err != nil {
		return nil, fmt.Errorf("datapath: packet socket for %s: %w", name, err)
	}
	fail := func(what string, err error) (*link, error) {
		unix.Close(fd)
		return nil, fmt.Errorf("datapath: %s on %s: %w", what, name, err)
	}
	if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: htons(unix.ETH_P_ALL), Ifindex: ifi.Index}); err != nil {
		return fail("bind", err)
	}
	mreq := unix.PacketMreq{Ifindex: int32(ifi.Index), Type: unix.PACKET_MR_PROMISC}
	if err := unix.SetsockoptPacketMreq(fd, unix.SOL_PACKET, unix.PACKET_ADD_MEMBERSHIP, &mreq); err != nil {
		return fail("promiscuous mode", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1); err != nil {
		return fail("ignore outgoing", err)
	}
	return &link{name: name, f: os.NewFile(uintptr(fd), "packet:"+name)}, nil
}

// read returns the next frame into buf.
func (l *link) read(buf []byte) (int, error) { return l.f.Read(buf) }

// write sends one frame out of the interface.
func (l *link) write(frame []byte) error {
	_, err := l.f.Write(frame)
	return err
}

func (l *link) close() error { return l.f.Close() }

// setUp brings the interface up (a veth end handed to the datapath may still be down).
func setUp(name string) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}
