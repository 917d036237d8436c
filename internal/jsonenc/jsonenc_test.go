package jsonenc

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// apiEncode is encoding/json in the API's form: HTML characters kept.
func apiEncode(t *testing.T, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var cases = []any{
	nil, true, false, "plain", "quote\" back\\slash", "ctl\x01\x1f\n\r\t\b\f", "<tag>&amp;", "ünïcödé", "line\u2028para\u2029", "bad\xffutf8",
	json.Number("42"), json.Number("-1.5e+3"), json.Number(""), 7, int64(-9), 3.0, 2.5, 1e22, math.Copysign(0, -1), -4.0,
	map[string]any{"b": 1, "a": []any{"x", nil, map[string]any{"z": true, "y": json.Number("0")}}, "c": map[string]any{}, "<k>": "&"},
	[]any{}, []string{"a", "b\"c", "<"}, map[string]any{"tags": []string{}}, json.RawMessage(`{"a":"<"}`),
	map[string]any{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9, "j": "ten"}, // past the key buffer
	struct{ A int }{3}, []int{1, 2}, map[string]string{"x": "<y>"}, map[string]string(nil), map[string]string{"b": "1", "a": "&"},
}

// TestFormsMatchEncodingJSON: Marshal is json.Marshal, Append an Encoder without HTML
// escaping, byte for byte.
func TestFormsMatchEncodingJSON(t *testing.T) {
	for _, c := range cases {
		got, err := Marshal(c)
		if err != nil {
			t.Fatalf("Marshal(%#v): %v", c, err)
		}
		if want, _ := json.Marshal(c); !bytes.Equal(got, want) {
			t.Errorf("Marshal(%#v):\n got %s\nwant %s", c, got, want)
		}
		got, err = Append([]byte("x"), c)
		if err != nil {
			t.Fatalf("Append(%#v): %v", c, err)
		}
		if want := append([]byte("x"), apiEncode(t, c)...); !bytes.Equal(got, want) {
			t.Errorf("Append(%#v):\n got %s\nwant %s", c, got, want)
		}
	}
}

// TestNilLists: the API's form writes a nil list as an empty one, Marshal as null.
func TestNilLists(t *testing.T) {
	for _, v := range []any{[]any(nil), []string(nil)} {
		if got, _ := Append(nil, v); string(got) != "[]" {
			t.Errorf("Append(%#v) = %s, want []", v, got)
		}
		if got, _ := Marshal(v); string(got) != "null" {
			t.Errorf("Marshal(%#v) = %s, want null", v, got)
		}
	}
}

// TestInvalidNumber fails as json.Marshal does, writing nothing.
func TestInvalidNumber(t *testing.T) {
	for _, n := range []string{"1.", "01", "-", "1e", "x", "1 "} {
		v := map[string]any{"n": json.Number(n)}
		if _, err := json.Marshal(v); err == nil {
			t.Fatalf("json.Marshal accepts %q", n)
		}
		if b, err := Marshal(v); err == nil {
			t.Errorf("Marshal accepts json.Number(%q): %s", n, b)
		}
		if b, err := Append(nil, v); err == nil {
			t.Errorf("Append accepts json.Number(%q): %s", n, b)
		}
	}
}

// FuzzForms decodes the input as a document is decoded (numbers as json.Number) and checks
// both forms against encoding/json.
func FuzzForms(f *testing.F) {
	for _, s := range []string{`{"a":[1,"<b>",{"c":null}],"d":-0.5e10}`, `"\u2028\ufffd"`, `[]`, `{"é":"&"}`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d := json.NewDecoder(bytes.NewReader(b))
		d.UseNumber()
		var v any
		if d.Decode(&v) != nil {
			return
		}
		got, err := Marshal(v)
		want, werr := json.Marshal(v)
		if (err == nil) != (werr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("%q: Marshal %s (%v), json.Marshal %s (%v)", b, got, err, want, werr)
		}
		if got, err := Append(nil, v); err != nil || !bytes.Equal(got, apiEncode(t, v)) {
			t.Fatalf("%q: Append %s (%v), want %s", b, got, err, apiEncode(t, v))
		}
	})
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "\"", "\x00", "\u2028", "\xff\xfe", "é<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := AppendString(nil, s), apiEncode(t, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: AppendString %s, want %s", s, got, want)
		}
		if got, _ := Marshal(s); !bytes.Equal(got, must(json.Marshal(s))) {
			t.Fatalf("%q: Marshal %s, want %s", s, got, must(json.Marshal(s)))
		}
	})
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func BenchmarkMarshalPort(b *testing.B) {
	var port map[string]any
	d := json.NewDecoder(bytes.NewReader(portJSON))
	d.UseNumber()
	if err := d.Decode(&port); err != nil {
		b.Fatal(err)
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(port); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("jsonenc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Marshal(port); err != nil {
				b.Fatal(err)
			}
		}
	})
}

var portJSON = []byte(`{"admin_state_up":true,"allowed_address_pairs":[],"binding:host_id":"","binding:profile":{},"binding:vif_details":{},"binding:vif_type":"unbound","binding:vnic_type":"normal","created_at":"2026-12-04T08:00:00Z","description":"","device_id":"vm7","device_owner":"compute:nova","dns_assignment":[],"dns_domain":"","dns_name":"","extra_dhcp_opts":[],"fixed_ips":[{"ip_address":"10.0.0.7","subnet_id":"0b0c0d0e-0000-4000-8000-000000000001"}],"id":"0b0c0d0e-0000-4000-8000-000000000007","mac_address":"fa:16:3e:00:11:22","name":"p7","network_id":"0b0c0d0e-0000-4000-8000-000000000003","port_security_enabled":true,"project_id":"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f","qos_network_policy_id":null,"qos_policy_id":null,"revision_number":1,"security_groups":["0b0c0d0e-0000-4000-8000-000000000004"],"standard_attr_id":7,"status":"DOWN","tags":[],"tenant_id":"3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3f","updated_at":"2026-12-04T08:00:00Z"}`)
