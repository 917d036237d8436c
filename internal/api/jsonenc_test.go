package api

import (
	"bytes"
	"encoding/json"
	"testing"
)

func stdEncode(t *testing.T, v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	cases := []any{
		nil, true, false, "plain", "quote\" back\\slash", "ctl\x01\x1f\n\r\t", "<tag>&amp;", "ünïcödé", "line\u2028para\u2029", "bad\xffutf8",
		json.Number("42"), json.Number("-1.5"), 7, int64(-9), 3.0, 2.5, 1e22,
		map[string]any{"b": 1, "a": []any{"x", nil, map[string]any{"z": true, "y": json.Number("0")}}, "c": map[string]any{}},
		[]any{}, []string{"a", "b\"c"}, map[string]any{"tags": []string{}},
		struct{ A int }{3},
	}
	for _, c := range cases {
		got, err := appendJSON(nil, c)
		if err != nil {
			t.Fatalf("%#v: %v", c, err)
		}
		if want := stdEncode(t, c); !bytes.Equal(got, want) {
			t.Errorf("%#v:\n got %s\nwant %s", c, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "a", "\"", "\x00", "\u2028", "\xff\xfe", "é<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString(nil, s)
		want, _ := json.Marshal(s)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		want = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}
