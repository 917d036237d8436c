package api

import (
	"bytes"
	"net/http/httptest"
	"reflect"
	"testing"
)

// FuzzReadBody: a body the fast decoder takes gives the document encoding/json gives it
// (decodeObject, which readBody falls back to), and any body is either a document or a 400.
func FuzzReadBody(f *testing.F) {
	for _, s := range []string{
		`{"port":{"network_id":"n","fixed_ips":[{"ip_address":"10.0.0.5"}],"admin_state_up":true,"mtu":1500}}`,
		`{ "port" : { "name" : "x" } }`, `{"a":"\u00e9"}`, `{"a":"é"}`, `{"a":1}]`, `{"a":1} {"b":2}`, `{"a":1}x`,
		`null`, `[]`, `"s"`, `{"a":1,"a":2}`, `{"a":01}`, "{}\n", ` `, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := readBody(httptest.NewRequest("POST", "/", bytes.NewReader(b)))
		if len(bytes.TrimSpace(b)) == 0 {
			if err == nil {
				t.Fatalf("%q: an empty body decoded", b)
			}
			return
		}
		want, werr := decodeObject(b)
		if (err == nil) != (werr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: readBody %#v (%v), encoding/json %#v (%v)", b, got, err, want, werr)
		}
		if err == nil && got == nil {
			t.Fatalf("%q: no error and no document", b)
		}
	})
}
