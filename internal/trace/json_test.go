package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/sim"
)

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// jsonShape lists the keys of a decoded JSON value that are not snake_case and the values
// that are null, at every depth.
func jsonShape(path string, v any) []string {
	var out []string
	switch x := v.(type) {
	case nil:
		out = append(out, path+" is null")
	case map[string]any:
		for k, e := range x {
			if !snakeCase.MatchString(k) {
				out = append(out, "key "+path+"."+k+" is not snake_case")
			}
			out = append(out, jsonShape(path+"."+k, e)...)
		}
	case []any:
		for i, e := range x {
			out = append(out, jsonShape(fmt.Sprintf("%s[%d]", path, i), e)...)
		}
	}
	return out
}

// TestWriteJSONShape: an answer built with every list left nil — the ingress, egress and
// generated packets with DHCP messages, an ICMP error's inner packet, a drop without
// security groups — is written with snake_case keys only and no null anywhere (the optional
// objects are left out, the lists are []).
func TestWriteJSONShape(t *testing.T) {
	dhcp := func() *sim.Packet { return &sim.Packet{DHCP: &sim.DHCP{}} }
	icmpErr := &sim.Packet{Inner: dhcp()}
	cases := map[string]*Response{
		"empty":     {},
		"dropped":   {Verdict: "dropped", Drop: &sim.Drop{Kind: sim.DropRule}, Hops: []Hop{{Hop: sim.Hop{Device: "d", DeviceType: "bridge"}}}},
		"dhcp":      {Verdict: "consumed", Ingress: Endpoint{PortID: "p", Packet: dhcp()}, Generated: []Endpoint{{PortID: "p", Packet: dhcp()}}},
		"icmp":      {Verdict: "dropped", Generated: []Endpoint{{PortID: "p", Packet: icmpErr}}, Drop: &sim.Drop{Kind: sim.DropTTL}},
		"forwarded": {Verdict: "forwarded", Egress: []Endpoint{{PortID: "q", Packet: &sim.Packet{}}}},
	}
	for name, r := range cases {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, r); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil || dec.More() {
			t.Fatalf("%s: not one JSON document (%v):\n%s", name, err, buf.String())
		}
		for _, e := range jsonShape("", doc) {
			t.Errorf("%s: %s", name, e)
		}
		for _, k := range []string{"verdict", "ingress", "egress", "generated", "hops"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("%s: key %s missing:\n%s", name, k, buf.String())
			}
		}
		if _, ok := doc["drop"]; ok != (r.Drop != nil) {
			t.Errorf("%s: drop present %v, want %v", name, ok, r.Drop != nil)
		}
		if strings.Contains(buf.String(), "null") {
			t.Errorf("%s: null in the answer:\n%s", name, buf.String())
		}
	}
}

// TestClientAnswerNormalized: a trace read back from a server that left its lists out (an
// older server) still prints them as [].
func TestClientAnswerNormalized(t *testing.T) {
	var r Response
	if err := json.Unmarshal([]byte(`{"verdict":"dropped","drop":{"kind":"rule","security_group_ids":null},"hops":null}`), &r); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "null") {
		t.Errorf("null in the answer:\n%s", buf.String())
	}
}

// TestRelabel: ids in a simulator note become labels, the kind word before one going when
// the label says it.
func TestRelabel(t *testing.T) {
	const r1, p1 = "11093651-8a7e-4787-bcc8-e0b17c71b45c", "617d2458-817a-4133-bea5-ae931b51f0d1"
	labels := map[string]string{r1: "router border (" + r1 + ")", p1: "DHCP port 10.0.0.2 (" + p1 + ")"}
	label := func(id string) string { return labels[id] }
	cases := map[string]string{
		"router " + r1 + " connects no network":    "router border (" + r1 + ") connects no network",
		"port " + p1 + " is administratively down": "DHCP port 10.0.0.2 (" + p1 + ") is administratively down",
		"unicast to " + p1:                         "unicast to DHCP port 10.0.0.2 (" + p1 + ")",
		"nothing to say":                           "nothing to say",
	}
	for in, want := range cases {
		if got := relabelWith(in, label); got != want {
			t.Errorf("relabel(%q) = %q, want %q", in, got, want)
		}
	}
}
