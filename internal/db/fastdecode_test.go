package db

import (
	"reflect"
	"testing"
)

var decodeSeeds = []string{
	string(portBody(7)),
	`{}`, ` { "a" : [ ] , "b" : { } } `, `{"a":[1,-2,3.5,-0.25e+10,1E5,0,-0]}`, `{"a":true,"b":false,"c":null}`,
	`{"a":{"b":{"c":[{"d":"e"}]}}}`, `{"a":1,"a":2}`, `{"a":{"x":1},"a":"y"}`,
	// decodeFast leaves these to encoding/json: escapes, non-ASCII, control bytes, bad numbers,
	// trailing bytes, not an object.
	`{"a":"b\"c"}`, `{"a":"\u00e9"}`, `{"é":"x"}`, "{\"a\":\"\x01\"}", `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":1e}`,
	`{"a":1} x`, `{"a":1}{"b":2}`, `[1]`, `null`, `{"a":1`, `{"a" 1}`, `{"a":[1,]}`, `{"a":tru}`, `{,}`, ``,
}

// TestDecodeFast decodes what DecodeDoc decodes, to the same values, or declines.
func TestDecodeFast(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecodeFast(t, []byte(s))
	}
	if _, ok := decodeFast(portBody(7)); !ok {
		t.Errorf("a stored port is left to encoding/json")
	}
}

func FuzzDecodeFast(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkDecodeFast)
}

func checkDecodeFast(t *testing.T, b []byte) {
	got, ok := decodeFast(b)
	if !ok {
		return
	}
	want, err := DecodeDoc(b)
	if err != nil {
		t.Fatalf("%q: decodeFast decoded %v, DecodeDoc fails: %v", b, got, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: decodeFast %#v, DecodeDoc %#v", b, got, want)
	}
}

func BenchmarkDecodePort(b *testing.B) {
	body := portBody(7)
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeDoc(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := decodeFast(body); !ok {
				b.Fatal("declined")
			}
		}
	})
}
