package model

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// The decoder reads a generic document (what encoding/json gives, or what a plugin built by
// hand) straight into a tagged struct, without a JSON round trip: the cluster decodes every
// changed resource, and at 100,000 ports a round trip would cost seconds at start-up. Field
// names come from the json tags; embedded structs are flattened as encoding/json does.

// fieldPlan is one settable field of a struct type.
type fieldPlan struct {
	key   string
	index []int
}

var plans sync.Map // reflect.Type → []fieldPlan

func planOf(t reflect.Type) []fieldPlan {
	if p, ok := plans.Load(t); ok {
		return p.([]fieldPlan)
	}
	var out []fieldPlan
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			idx := append(append([]int{}, prefix...), i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx)
				continue
			}
			if !f.IsExported() {
				continue
			}
			key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if key == "-" {
				continue
			}
			if key == "" {
				key = f.Name
			}
			out = append(out, fieldPlan{key: key, index: idx})
		}
	}
	walk(t, nil)
	plans.Store(t, out)
	return out
}

// decodeValue sets v from the generic value x. A JSON null (nil) leaves v as it is, so
// defaults survive an explicit null as they do with encoding/json. The first mismatch is
// returned; the other fields are still set.
func decodeValue(v reflect.Value, x any, path *docPath) error {
	if x == nil {
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return mismatch(path, "a string", x)
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return mismatch(path, "a boolean", x)
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := Int(x)
		if !ok || v.OverflowInt(n) {
			return mismatch(path, "an integer", x)
		}
		v.SetInt(n)
	case reflect.Pointer:
		e := reflect.New(v.Type().Elem())
		if err := decodeValue(e.Elem(), x, path); err != nil {
			return err
		}
		v.Set(e)
	case reflect.Interface:
		v.Set(reflect.ValueOf(x))
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok || v.Type().Key().Kind() != reflect.String {
			return mismatch(path, "an object", x)
		}
		if v.Type().Elem().Kind() == reflect.Interface {
			v.Set(reflect.ValueOf(m))
			return nil
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m))
		var first error
		for k, e := range m {
			ev := reflect.New(v.Type().Elem()).Elem()
			path.push(k, -1)
			if err := decodeValue(ev, e, path); err != nil && first == nil {
				first = err
			}
			path.pop()
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		v.Set(out)
		return first
	case reflect.Slice:
		xv := reflect.ValueOf(x)
		if xv.Kind() != reflect.Slice {
			return mismatch(path, "a list", x)
		}
		out := reflect.MakeSlice(v.Type(), xv.Len(), xv.Len())
		var first error
		for i := 0; i < xv.Len(); i++ {
			path.push("", i)
			if err := decodeValue(out.Index(i), xv.Index(i).Interface(), path); err != nil && first == nil {
				first = err
			}
			path.pop()
		}
		v.Set(out)
		return first
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			return mismatch(path, "an object", x)
		}
		var first error
		for _, f := range planOf(v.Type()) {
			e, ok := m[f.key]
			if !ok {
				continue
			}
			path.push(f.key, -1)
			if err := decodeValue(v.FieldByIndex(f.index), e, path); err != nil && first == nil {
				first = err
			}
			path.pop()
		}
		return first
	default:
		return fmt.Errorf("%s: cannot decode into %s", path.String(), v.Type())
	}
	return nil
}

// docPath is where the value being decoded sits in the document: the keys and list indexes
// (index ≥ 0) from the document down, pushed and popped as the decoder descends. It becomes a
// string only for an error, so that decoding builds none.
type docPath struct {
	segs []pathSeg
	buf  [8]pathSeg // most paths fit
}

type pathSeg struct {
	key   string
	index int
}

func (p *docPath) push(key string, index int) { p.segs = append(p.segs, pathSeg{key, index}) }
func (p *docPath) pop()                       { p.segs = p.segs[:len(p.segs)-1] }

// String is the path as `a.b[2].c`.
func (p *docPath) String() string {
	var b strings.Builder
	for _, s := range p.segs {
		switch {
		case s.index >= 0:
			fmt.Fprintf(&b, "[%d]", s.index)
		case b.Len() > 0:
			b.WriteString("." + s.key)
		default:
			b.WriteString(s.key)
		}
	}
	return b.String()
}

func mismatch(path *docPath, want string, x any) error {
	return fmt.Errorf("%s is %T, want %s", path.String(), x, want)
}
