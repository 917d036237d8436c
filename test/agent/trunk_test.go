package agent_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestDatapathTrunk: a VM whose port is a trunk's parent sends frames tagged with VLAN 7
// (the subport's MAC and address); the kernel hands the agent those frames with the tag taken
// off into the packet socket's auxiliary data, the agent delivers them as the subport's on
// the subport's network, and the answers come back to the VM tagged 7. The subport's own
// security group decides what reaches it: a ping from the other network is dropped until the
// group admits ICMP.
func TestDatapathTrunk(t *testing.T) {
	script, tag := datapathSetup(t, "ip", "busybox", "ping")

	h := startWith(t, "datapath = afpacket\n")
	h.startLoggedAgent("dp-trunk")
	netA := h.create("networks", "network", map[string]any{"name": "ta", "tenant_id": "admin"})
	h.create("subnets", "subnet", map[string]any{"network_id": netA["id"], "cidr": "10.83.0.0/24", "ip_version": 4, "tenant_id": "admin"})
	netB := h.create("networks", "network", map[string]any{"name": "tb", "tenant_id": "admin"})
	// The pool leaves out 10.84.0.70, the subport's address: a port made without one (the
	// other VM's, drawn at random) must not take it first.
	h.create("subnets", "subnet", map[string]any{"network_id": netB["id"], "cidr": "10.84.0.0/24", "ip_version": 4, "tenant_id": "admin",
		"allocation_pools": []any{map[string]any{"start": "10.84.0.100", "end": "10.84.0.200"}}})
	icmp := h.create("security-groups", "security_group", map[string]any{"name": "icmp", "tenant_id": "admin"})
	h.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": icmp["id"], "direction": "ingress",
		"ethertype": "IPv4", "protocol": "icmp", "tenant_id": "admin"})
	closed := h.create("security-groups", "security_group", map[string]any{"name": "closed", "tenant_id": "admin"})

	bound := func(name string, net map[string]any, group any) *vm {
		v := h.boundVM(t, tag, name, "dp-trunk", map[string]any{"name": name, "network_id": net["id"], "tenant_id": "admin",
			"device_owner": "compute:nova", "security_groups": []any{group}})
		return v
	}
	parent := bound("p", netA, icmp["id"])
	other := bound("o", netB, icmp["id"])
	sub := h.create("ports", "port", map[string]any{"name": "sub", "network_id": netB["id"], "tenant_id": "admin",
		"security_groups": []any{closed["id"]}, "fixed_ips": []any{map[string]any{"ip_address": "10.84.0.70"}}})
	code, out := h.do("POST", "/v2.0/trunks", map[string]any{"trunk": map[string]any{"port_id": parent.port["id"], "tenant_id": "admin",
		"sub_ports": []any{map[string]any{"port_id": sub["id"], "segmentation_type": "vlan", "segmentation_id": 7}}}}, nil)
	if code != 201 {
		t.Fatalf("trunk: %d %v", code, out)
	}
	trunkID := out["trunk"].(map[string]any)["id"].(string)
	for _, v := range []*vm{parent, other} {
		eventually(t, 30*time.Second, "port "+v.port["name"].(string)+" ACTIVE", func() bool { return h.portStatus(v.port["id"].(string)) == "ACTIVE" })
		v.dhcp(t, script)
	}
	// The trunk's status follows its parent port, now plugged.
	if code, out := h.do("GET", "/v2.0/trunks/"+trunkID, nil, nil); code != 200 || out["trunk"].(map[string]any)["status"] != "ACTIVE" {
		t.Errorf("trunk with an active parent port: %d %v; want status ACTIVE", code, out)
	}
	// The subport inside the parent's VM: frames tagged 7 with the subport's MAC and address,
	// sent and read on eth0 by a packet socket (the kernel here has no 802.1Q module for an
	// eth0.7 interface).
	vlanTool := filepath.Join(t.TempDir(), "vlan.py")
	if err := os.WriteFile(vlanTool, []byte(vlanPy), 0o755); err != nil {
		t.Fatal(err)
	}
	subMAC := sub["mac_address"].(string)
	pingFromSub := func() bool {
		out, err := parent.exec("python3", vlanTool, "ping", "eth0", "7", subMAC, other.port["mac_address"].(string), "10.84.0.70", other.ip())
		if err != nil {
			t.Logf("tagged ping: %v %s", err, out)
		}
		return err == nil
	}
	eventually(t, 15*time.Second, "the subport (VLAN 7 on the parent's link) pings the VM on its network", pingFromSub)
	// What the other VM sends to the subport: dropped by the subport's closed group, then
	// delivered tagged 7 to the parent's link once the group admits ICMP.
	seen := func() bool {
		done := make(chan error, 1)
		go func() {
			_, err := parent.exec("python3", vlanTool, "expect", "eth0", "7", "10.84.0.70")
			done <- err
		}()
		time.Sleep(time.Second) // the listener is up (the machine may be busy)
		_, _ = other.exec("ping", "-c", "4", "-i", "0.5", "-W", "1", "10.84.0.70")
		return <-done == nil
	}
	if seen() {
		t.Fatal("a ping reached the subport through its closed group")
	}
	h.create("security-group-rules", "security_group_rule", map[string]any{"security_group_id": closed["id"], "direction": "ingress",
		"ethertype": "IPv4", "protocol": "icmp", "tenant_id": "admin"})
	eventually(t, 15*time.Second, "the other VM's ping reaches the subport tagged 7 once its group admits ICMP", seen)
}

// vlanPy sends a tagged ICMP echo request and waits for the tagged reply ("ping"), or waits
// for a tagged echo request to an address ("expect"). The VLAN tag of a received frame is
// read from the packet socket's auxiliary data (the kernel takes it off) or the frame.
const vlanPy = `import socket, struct, sys, time
SOL_PACKET, PACKET_AUXDATA, VLAN_VALID = 263, 8, 0x10
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def mac(m): return bytes.fromhex(m.replace(":", ""))
mode, ifname, vlan = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
s.bind((ifname, 0))
s.settimeout(0.2)
def frames(deadline):
    while time.time() < deadline:
        try:
            data, anc, _, _ = s.recvmsg(65535, socket.CMSG_SPACE(20))
        except socket.timeout:
            continue
        tag = None
        for lvl, typ, cd in anc:
            if lvl == SOL_PACKET and typ == PACKET_AUXDATA and len(cd) >= 20:
                st, _, _, _, _, tci, _ = struct.unpack("IIIHHHH", cd[:20])
                if st & VLAN_VALID: tag = tci & 0xfff
        if tag is None and data[12:14] == b"\x81\x00":
            tag, data = struct.unpack("!H", data[14:16])[0] & 0xfff, data[:12] + data[16:]
        yield tag, data
if mode == "ping":
    src_mac, dst_mac, src, dst = sys.argv[4:8]
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1) + b"trunk" * 8
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0, socket.inet_aton(src), socket.inet_aton(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    s.send(mac(dst_mac) + mac(src_mac) + struct.pack("!HH", 0x8100, vlan) + b"\x08\x00" + ip + icmp)
    for tag, d in frames(time.time() + 2):
        if tag == vlan and d[12:14] == b"\x08\x00" and d[23] == 1 and d[14 + 20] == 0 and d[26:30] == socket.inet_aton(dst) and d[30:34] == socket.inet_aton(src):
            sys.exit(0)
    sys.exit("no tagged echo reply")
if mode == "expect":
    dst = socket.inet_aton(sys.argv[4])
    for tag, d in frames(time.time() + 4):
        if tag == vlan and d[12:14] == b"\x08\x00" and d[23] == 1 and d[14 + 20] == 8 and d[30:34] == dst:
            sys.exit(0)
    sys.exit("no tagged echo request")
`
