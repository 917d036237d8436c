package db

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var decodeSeeds = []string{
	string(portBody(7)),
	`{}`, ` { "a" : [ ] , "b" : { } } `, `{"a":[1,-2,3.5,-0.25e+10,1E5,0,-0]}`, `{"a":true,"b":false,"c":null}`,
	`{"a":{"b":{"c":[{"d":"e"}]}}}`, `{"a":1,"a":2}`, `{"a":{"x":1},"a":"y"}`,
	// More string and number values than stringValues guesses (the parser's boxes overflow).
	`{"a":["b","c","d","e","f","g","h","i","j","k","l","m"],"n":[1,2,3,4,5,6,7,8,9,10,1.5,-2]}`,
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

// TestDecodeFastKeepsValues decodes many documents one after the other, keeping them all,
// and checks each against DecodeDoc's afterwards: the parser's scratch, used again for each
// document, and the boxes its values point into, are never shared by two documents. A
// change to one document's values shows in no other.
func TestDecodeFastKeepsValues(t *testing.T) {
	bodies := make([][]byte, 200)
	docs := make([]Doc, len(bodies))
	for i := range bodies {
		bodies[i] = portBody(i)
		if i%3 == 0 { // and some that overflow their first boxes
			bodies[i] = fmt.Appendf(nil, `{"a":["%d","x%d","y","z","w","v","u","t","s","r"],"b":[%d,2,3,4,5,6]}`, i, i, i)
		}
		d, ok := decodeFast(bodies[i])
		if !ok {
			t.Fatalf("%s: declined", bodies[i])
		}
		docs[i] = d
	}
	change := func(i int, d Doc) { // a document's own top-level value and an element of one of its lists
		if i%3 == 0 {
			d["a"].([]any)[0] = "changed"
			d["b"] = "changed"
		} else {
			d["name"] = "changed"
			d["fixed_ips"].([]any)[0].(map[string]any)["ip_address"] = "changed"
		}
	}
	for i, d := range docs {
		change(i, d)
	}
	for i, d := range docs {
		want, err := DecodeDoc(bodies[i])
		if err != nil {
			t.Fatal(err)
		}
		change(i, want)
		if !reflect.DeepEqual(d, want) {
			t.Fatalf("document %d after the others were decoded and changed:\n%#v\nwant\n%#v", i, d, want)
		}
	}
}

// TestDecodeFastListsApart: the arrays of one document share the slice their elements are
// cut from, yet an append to one never writes over another's elements, and an empty one
// grows into a list of its own.
func TestDecodeFastListsApart(t *testing.T) {
	d, ok := decodeFast([]byte(`{"a":[1,2],"b":["x","y"],"c":[],"d":[]}`))
	if !ok {
		t.Fatal("declined")
	}
	a := append(d["a"].([]any), "appended")
	c := append(d["c"].([]any), "appended")
	want := Doc{"a": []any{json.Number("1"), json.Number("2")}, "b": []any{"x", "y"}, "c": []any{}, "d": []any{}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("after appends to two of its lists the document is %#v, want %#v", d, want)
	}
	if len(a) != 3 || len(c) != 1 || a[2] != "appended" || c[0] != "appended" {
		t.Errorf("the appends gave %#v and %#v", a, c)
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
		if wantEnc := encodeAttrs(t, want); enc.Enc != wantEnc.Enc || !slices.Equal(enc.Offs, wantEnc.Offs) {
			t.Fatalf("%q: encoded attributes %q %v, want %q %v", b, enc.Enc, enc.Offs, wantEnc.Enc, wantEnc.Offs)
		}
		for i := range enc.Len() {
			if k := enc.Key(i); k != sortedKeys(want)[i] {
				t.Fatalf("%q: key %d is %q, want %q", b, i, k, sortedKeys(want)[i])
			}
			if a, want := enc.Attr(i), `"`+enc.Key(i)+`":`; !strings.HasPrefix(a, want) {
				t.Fatalf("%q: attribute %d is %q, want it to start %q", b, i, a, want)
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
	var enc []byte
	var starts []uint32
	for i, k := range sortedKeys(d) {
		if i > 0 {
			enc = append(enc, ',')
		}
		starts = append(starts, uint32(len(enc)))
		var buf bytes.Buffer
		je := json.NewEncoder(&buf)
		je.SetEscapeHTML(false)
		if err := je.Encode(map[string]any{k: d[k]}); err != nil {
			t.Fatal(err)
		}
		b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		enc = append(enc, b[1:len(b)-1]...)
	}
	return NewEncoded(enc, starts)
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

// TestEncodedSharesTheBody: a body in json.Marshal's form gives its attributes as a cut of
// itself, which the cache's budget does not count again; a body in any other form gives
// none (the API encodes the document on first use).
func TestEncodedSharesTheBody(t *testing.T) {
	for _, c := range []struct {
		name, body string
		cut        bool
	}{
		{"json.Marshal's form", `{"a":1,"b":"x","c":{"d":[1,2]}}`, true},
		{"no attributes", `{}`, true},
		{"space after the document", `{"a":1,"b":2} `, false},
		{"space between attributes", `{"a":1, "b":2}`, false},
		{"keys out of order", `{"b":1,"a":2}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, enc, ok := decodeFastString(c.body, true)
			if !ok {
				t.Fatalf("decodeFastString(%q) failed", c.body)
			}
			if (enc != nil) != c.cut {
				t.Fatalf("encoded attributes %v, want them: %v", enc, c.cut)
			}
			if enc == nil {
				return
			}
			if enc.Own || enc.Cost() >= int64(len(enc.Enc))+64 && len(enc.Enc) > 0 {
				t.Errorf("a cut of the body is counted as its own: Own %v, Cost() %d for %d bytes", enc.Own, enc.Cost(), len(enc.Enc))
			}
			if want := encodeAttrs(t, d); enc.Enc != want.Enc || !slices.Equal(enc.Offs, want.Offs) {
				t.Errorf("encoded %q %v, want %q %v", enc.Enc, enc.Offs, want.Enc, want.Offs)
			}
		})
	}
}
