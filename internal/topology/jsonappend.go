package topology

import (
	"encoding/json"

	"github.com/midonet-go/midonet/internal/jsonenc"
)

//go:generate go run ./jsongen/cmd

// The pieces json_gen.go's AppendJSON methods are made of; each appends what json.Marshal
// writes.

// appendSep appends the comma before an object's attribute unless it is the first.
func appendSep(b []byte) []byte {
	if b[len(b)-1] != '{' { // no value ends with an opening brace
		b = append(b, ',')
	}
	return b
}

func appendJSONString(b []byte, s string) []byte { return jsonenc.AppendMarshalString(b, s) }

func appendJSONStrings(b []byte, xs []string) []byte {
	if xs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, x)
	}
	return append(b, ']')
}

// appendJSONStringMap appends m with its keys sorted (a map's strings cannot fail).
func appendJSONStringMap(b []byte, m map[string]string) []byte {
	b, _ = jsonenc.AppendMarshal(b, m)
	return b
}

// AppendJSON appends json.Marshal's encoding of o: through the AppendJSON method
// json_gen.go gives every kind, or encoding/json for a kind it does not have yet.
func AppendJSON(b []byte, o Object) ([]byte, error) {
	if a, ok := o.(interface{ AppendJSON([]byte) []byte }); ok {
		return a.AppendJSON(b), nil
	}
	js, err := json.Marshal(o)
	return append(b, js...), err
}
