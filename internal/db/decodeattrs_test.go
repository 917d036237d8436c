package db

import (
	"reflect"
	"testing"
)

var attrNames = []string{"id", "status", "binding:host_id", "a"}

// TestDecodeAttrs decodes the named attributes as DecodeDoc decodes them, whatever the rest
// of the body holds (the fast path or encoding/json's), and fails where DecodeDoc fails.
func TestDecodeAttrs(t *testing.T) {
	for _, s := range append(decodeSeeds,
		`{"x":{"a":[1,{"b":"c"}],"d":{}},"id":"p","status":"DOWN","y":[[],[{}]]}`,
		`{"x":"\u00e9","id":"p"}`, `{"id":"p","x":[1,}`, `{"id":"p","x":{"a" 1}}`) {
		checkDecodeAttrs(t, []byte(s))
	}
}

func FuzzDecodeAttrs(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkDecodeAttrs)
}

func checkDecodeAttrs(t *testing.T, b []byte) {
	got, err := DecodeAttrs(b, attrNames...)
	full, ferr := DecodeDoc(b)
	if (err != nil) != (ferr != nil) {
		t.Fatalf("%q: DecodeAttrs error %v, DecodeDoc error %v", b, err, ferr)
	}
	if err != nil {
		return
	}
	want := Doc{}
	for _, n := range attrNames {
		if v, ok := full[n]; ok {
			want[n] = v
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: DecodeAttrs %#v, want %#v", b, got, want)
	}
}
