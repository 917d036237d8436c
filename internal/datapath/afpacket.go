package datapath

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// link is one host interface the datapath owns: an AF_PACKET socket bound to it, in
// promiscuous mode, that sees every frame arriving on it (not the ones it sends) and sends
// frames out of it. The socket is non-blocking and read through Go's poller, so Close
// interrupts a pending read.
//
// The socket carries a virtio-net header before each frame (PACKET_VNET_HDR): a sender with
// segmentation offload (a VM's veth or tap) hands over TCP segments of up to 64 KiB, and
// the header says so and gives the segment size; the datapath cuts such a segment into
// wire-sized ones before sending it on (gso.go).
type link struct {
	name string
	f    *os.File
	rc   syscall.RawConn
	oob  []byte // control messages of the read in progress (reads of one link are serial)
	wbuf []byte // header + frame of the write in progress; writes of one link are serialised
	wmu  sync.Mutex
}

// rcvBuf is the receive buffer of a packet socket.
const rcvBuf = 8 << 20

// vnetHdrLen is the size of struct virtio_net_hdr.
const vnetHdrLen = 10

// vnet is what the datapath reads of a frame's virtio-net header.
type vnet struct {
	gsoType uint8
	gsoSize uint16
}

// GSO types of the virtio-net header.
const (
	gsoNone  = 0
	gsoTCPv4 = 1
)

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
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_VNET_HDR, 1); err != nil {
		return fail("virtio-net header", err)
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
	// The kernel takes an 802.1Q tag off a received frame (VLAN offload) and reports it
	// beside the frame: the auxiliary data brings it back (a trunk's subports need it).
	if err := unix.SetsockoptInt(fd, unix.SOL_PACKET, unix.PACKET_AUXDATA, 1); err != nil {
		return fail("auxiliary data", err)
	}
	// Room for a burst (a TCP window of offloaded segments) while the reader simulates;
	// SO_RCVBUFFORCE goes past net.core.rmem_max as root, SO_RCVBUF is the fallback.
	if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, rcvBuf) != nil {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, rcvBuf)
	}
	f := os.NewFile(uintptr(fd), "packet:"+name)
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("datapath: packet socket for %s: %w", name, err)
	}
	return &link{name: name, f: f, rc: rc, oob: make([]byte, unix.CmsgSpace(int(unsafe.Sizeof(unix.TpacketAuxdata{}))))}, nil
}

// vlanRoom is the room read leaves before the frame, for a tag to be put back.
const vlanRoom = 4

// read returns the next frame (without its header) and what its header says. A tag the
// kernel took off is put back into the frame, which is then four bytes longer. buf must
// hold vlanRoom + vnetHdrLen + the largest frame.
func (l *link) read(buf []byte) ([]byte, vnet, error) {
	for {
		var n, oobn int
		var rerr error
		err := l.rc.Read(func(fd uintptr) bool {
			n, oobn, _, _, rerr = unix.Recvmsg(int(fd), buf[vlanRoom:], l.oob, 0)
			return rerr != unix.EAGAIN
		})
		if err == nil {
			err = rerr
		}
		if err != nil {
			return nil, vnet{}, err
		}
		if n < vnetHdrLen+14 {
			continue
		}
		hb := buf[vlanRoom:]
		h := vnet{gsoType: hb[1] &^ 0x80, gsoSize: binary.NativeEndian.Uint16(hb[4:6])}
		frame := hb[vnetHdrLen:n]
		if tci, ok := strippedVLAN(l.oob[:oobn]); ok {
			// Move the MACs four bytes up (into the header, already read) and put the tag
			// between them and the EtherType.
			start := vlanRoom + vnetHdrLen - 4
			copy(buf[start:start+12], frame[:12])
			binary.BigEndian.PutUint16(buf[start+12:], 0x8100)
			binary.BigEndian.PutUint16(buf[start+14:], tci)
			frame = buf[start : vlanRoom+n]
		}
		return frame, h, nil
	}
}

// strippedVLAN reads the tag control information of a tag the kernel took off, from a
// received frame's control messages.
func strippedVLAN(oob []byte) (uint16, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0, false
	}
	for _, m := range msgs {
		if m.Header.Level != unix.SOL_PACKET || m.Header.Type != unix.PACKET_AUXDATA || len(m.Data) < int(unsafe.Sizeof(unix.TpacketAuxdata{})) {
			continue
		}
		aux := (*unix.TpacketAuxdata)(unsafe.Pointer(&m.Data[0]))
		if aux.Status&unix.TP_STATUS_VLAN_VALID != 0 {
			return aux.Vlan_tci, true
		}
	}
	return 0, false
}

// write sends one frame, complete and checksummed, out of the interface.
func (l *link) write(frame []byte) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.wbuf = append(append(l.wbuf[:0], make([]byte, vnetHdrLen)...), frame...)
	_, err := l.f.Write(l.wbuf)
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
