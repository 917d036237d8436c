package api

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/db"
)

// TestEncodedDocIsTheDoc renders documents from their kept encoded attributes (appendEnc)
// and by encoding each value (appendDoc), for lists that show every attribute, some of them
// (fields=), attributes a document lacks (optional or not) and attributes an expander adds
// over the document's own: the bytes must be the same.
func TestEncodedDocIsTheDoc(t *testing.T) {
	docs := []db.Doc{
		{"id": "p1", "name": "<a & b>", "admin_state_up": true, "fixed_ips": []any{map[string]any{"ip_address": "10.0.0.2", "subnet_id": "s"}},
			"binding:profile": map[string]any{}, "description": "é\u2028\x01\"\\", "revision_number": json.Number("3"), "dns_name": nil, "tags": []any{}},
		{"id": "p2", "name": "", "extra": "x", "binding:vnic_type": "normal", "mac_address": "fa:16:3e:00:00:01", "dns_assignment": "stored"},
		{},
	}
	attrSets := [][]string{
		{"admin_state_up", "binding:profile", "binding:vnic_type", "description", "dns_assignment", "dns_name", "fixed_ips", "id", "mac_address", "name", "revision_number", "tags", "zzz"},
		{"id", "name"},
		{"dns_assignment", "extra"},
		{"a", "zzz"},
	}
	for _, names := range attrSets {
		for _, optional := range []bool{false, true} {
			l := &sharedList{}
			for _, n := range names {
				l.attrs = append(l.attrs, sharedAttr{name: n, nameBytes: []byte(n), key: append(appendString(nil, n), ':'), optional: optional})
			}
			slices.SortFunc(l.attrs, func(a, b sharedAttr) int { return strings.Compare(a.name, b.name) })
			l.added = overlay{}
			l.added.reset(len(docs))
			set := l.added.setter(len(docs))
			set(0, "dns_assignment", []any{map[string]any{"hostname": "h<", "fqdn": "h.example."}})
			set(1, "dns_assignment", []any{})
			l.cols = make([][]overlaid, len(l.attrs))
			for j := range l.attrs {
				l.cols[j] = l.added[l.attrs[j].name]
			}
			for i, d := range docs {
				want, err := l.appendDoc(nil, d, i)
				if err != nil {
					t.Fatal(err)
				}
				e := encodeDoc(d)
				if e == nil {
					t.Fatalf("document %d: not encoded", i)
				}
				got, err := l.appendEnc(nil, e, d, i)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Errorf("attributes %v (optional %v), document %d:\n%s\nwant\n%s", names, optional, i, got, want)
				}
			}
		}
	}
}

// TestEncodedDocRefusesEscapedKeys: a key that needs escaping cannot be found by its bytes,
// so such a document is not kept encoded (lists encode it each time).
func TestEncodedDocRefusesEscapedKeys(t *testing.T) {
	if e := encodeDoc(db.Doc{"id": "x", "a\"b": 1}); e != nil {
		t.Errorf("a document with the key a\"b was kept encoded: %s", e.enc)
	}
	if e := encodeDoc(db.Doc{"id": "x", "bad": make(chan int)}); e != nil {
		t.Errorf("a document with a value JSON cannot encode was kept encoded: %s", e.enc)
	}
}
