package db

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
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
	// Not in the canonical form (no encoded attributes): spaces, keys out of order at any depth.
	`{"b":1,"a":2}`, `{"a":{"y":1,"x":2}}`, `{"a": 1}`, `{"a":[{"b":1,"a":2}]}`, `{"a":"<&>","b":[1E5,-0]}`,
}

// TestDecodeFast decodes what DecodeDoc decodes, to the same values, or declines.
func TestDecodeFast(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecodeFast(t, []byte(s))
	}
	if _, ok := decodeFast(portBody(7)); !ok {
		t.Errorf("a stored port is left to encoding/json")
	}
	if _, enc, _ := decodeFastString(string(portBody(7)), true); enc == nil {
		t.Errorf("a stored port has no encoded attributes")
	}
	for _, s := range []string{`{"b":1,"a":2}`, `{"a":{"y":1,"x":2}}`, `{"a": 1}`, `{"a":[{"b":1,"a":2}]}`, `{"a":1,"a":2}`} {
		if _, enc, ok := decodeFastString(s, true); !ok || enc != nil {
			t.Errorf("%s: decoded %v, encoded attributes %v; want decoded, none", s, ok, enc)
		}
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
	got2, enc, ok := decodeFastString(string(b), true)
	if !ok || !reflect.DeepEqual(got2, want) {
		t.Fatalf("%q: decodeFastString %#v (%v), DecodeDoc %#v", b, got2, ok, want)
	}
	if enc != nil {
		if wantEnc := encodeAttrs(t, want); !bytes.Equal(enc.Enc, wantEnc.Enc) || !slices.Equal(enc.Offs, wantEnc.Offs) {
			t.Fatalf("%q: encoded attributes %q %v, want %q %v", b, enc.Enc, enc.Offs, wantEnc.Enc, wantEnc.Offs)
		}
		for i := range len(enc.Offs) - 1 {
			if k := string(enc.Key(i)); k != sortedKeys(want)[i] {
				t.Fatalf("%q: key %d is %q, want %q", b, i, k, sortedKeys(want)[i])
			}
		}
	}
}

func sortedKeys(d Doc) []string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// encodeAttrs encodes each attribute of d as the API's encoder does (encoding/json without
// HTML escapes: sorted keys, no spaces, json.Number as written).
func encodeAttrs(t *testing.T, d Doc) *Encoded {
	e := &Encoded{Enc: []byte{}}
	for _, k := range sortedKeys(d) {
		e.Offs = append(e.Offs, uint32(len(e.Enc)))
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(map[string]any{k: d[k]}); err != nil {
			t.Fatal(err)
		}
		b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		e.Enc = append(e.Enc, b[1:len(b)-1]...)
	}
	e.Offs = append(e.Offs, uint32(len(e.Enc)))
	return e
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
	b.Run("fast-encoded", func(b *testing.B) { // a page's miss: the document and its encoded attributes
		b.ReportAllocs()
		for b.Loop() {
			if _, enc, ok := decodeFastString(string(body), true); !ok || enc == nil {
				b.Fatal("declined")
			}
		}
	})
}
