package topology_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	"github.com/midonet-go/midonet/internal/topology"
	"github.com/midonet-go/midonet/internal/topology/jsongen"
)

type appender interface{ AppendJSON([]byte) []byte }

// allKinds is every kind New makes.
var allKinds = append(append([]topology.Kind{}, topology.Kinds...), topology.KindHost)

// fill gives v random contents: strings json.Marshal escapes, empty and nil lists and maps,
// nil pointers, zero and negative numbers.
func fill(r *rand.Rand, v reflect.Value) {
	strs := []string{"", "a", "10.0.0.1/24", "<b>&amp;", "quote\" back\\slash", "ctl\x01\n\t", "ünï", "line\u2028", "bad\xffutf8", "fa:16:3e:00:00:01"}
	switch v.Kind() {
	case reflect.String:
		v.SetString(strs[r.IntN(len(strs))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt([]int64{0, 1, -7, 65535, 1 << 40}[r.IntN(5)] % (1 << (v.Type().Bits() - 1)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint([]uint64{0, 1, 4094, 1<<32 - 1}[r.IntN(4)] & (1<<v.Type().Bits() - 1))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(r, v.Field(i))
			}
		}
	case reflect.Pointer:
		if r.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(r, v.Elem())
		}
	case reflect.Slice:
		if n := r.IntN(5) - 1; n >= 0 { // nil a fifth of the time
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := range n {
				fill(r, v.Index(i))
			}
		}
	case reflect.Map:
		if n := r.IntN(5) - 1; n >= 0 {
			v.Set(reflect.MakeMap(v.Type()))
			for range n {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				fill(r, k)
				fill(r, e)
				v.SetMapIndex(k, e)
			}
		}
	default:
		panic("fill: " + v.Type().String())
	}
}

// TestAppendJSONIsMarshal: every kind's AppendJSON writes json.Marshal's bytes, empty or
// filled at random.
func TestAppendJSONIsMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range allKinds {
		for i := range 300 {
			o, err := topology.New(k)
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 {
				fill(r, reflect.ValueOf(o).Elem())
			}
			a, ok := o.(appender)
			if !ok {
				t.Fatalf("%s has no AppendJSON: run go generate ./internal/topology", k)
			}
			want, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			prefix := []byte("x")
			if got := a.AppendJSON(prefix); !bytes.Equal(got[1:], want) || got[0] != 'x' {
				t.Fatalf("%s AppendJSON\n %s\nwant\n %s", k, got, want)
			}
		}
	}
}

// TestGeneratedJSONIsCurrent: json_gen.go is what the generator writes for today's types.
func TestGeneratedJSONIsCurrent(t *testing.T) {
	want, err := jsongen.Source()
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadFile("json_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, want) {
		t.Error("json_gen.go is stale: run go generate ./internal/topology")
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	rule := &topology.Rule{Meta: topology.Meta{ID: "r1", Owner: "ports/p1", Revision: 3}, ChainID: "c1", Order: 10,
		Type: topology.RuleLiteral, Action: topology.ActionDrop, Condition: topology.Condition{InPortIDs: []string{"p1"},
			DlType: 0x800, NwSrcIP: "10.0.0.5/32", NwSrcInv: true, TpDst: &topology.Range{Start: 22, End: 22}}}
	buf := make([]byte, 0, 1024)
	b.Run("generated", func(b *testing.B) {
		for b.Loop() {
			buf = rule.AppendJSON(buf[:0])
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			buf, _ = json.Marshal(rule)
		}
	})
}
