// Package strpack gathers the strings of a decoded value into as few allocations as it can,
// for values that live long in large numbers: the cluster's world copy of every Neutron
// resource and the agent's copy of every topology object. encoding/json gives each string
// of a decoded struct its own allocation, some fifteen for a port; at 100,000 ports that is
// millions of objects the garbage collector marks on every cycle. After Pack, the strings
// that many values share (a network id, a project id, a host) are interned (package unique)
// and the rest are substrings of one string per value.
//
// Pack walks exported and unexported string fields, []string fields, nested and embedded
// structs, and slices of such structs. It leaves pointers, maps and interfaces alone (what
// they hold may be shared with other values). The value's contents are unchanged.
package strpack

import (
	"reflect"
	"strings"
	"sync"
	"unique"
	"unsafe"
)

// Packer packs values, interning the strings of the fields it was told are shared.
type Packer struct {
	shared map[string]bool // field names whose strings are interned
	plans  sync.Map        // reflect.Type → *plan
}

// New returns a Packer that interns the strings of fields with the given names (in any
// struct, at any depth: "NetworkID" names every field called NetworkID) and packs the others.
func New(sharedFields ...string) *Packer {
	p := &Packer{shared: map[string]bool{}}
	for _, f := range sharedFields {
		p.shared[f] = true
	}
	return p
}

// op is one step of a plan: a field at index, and what to do with it.
type op struct {
	index  int
	kind   opKind
	shared bool
	elem   *plan // the element or field struct's plan, for structOp and structsOp
}

type opKind uint8

const (
	stringOp  opKind = iota // a string field
	stringsOp               // a []string field
	structOp                // a struct field (embedded or not)
	structsOp               // a slice of structs
)

// plan is what Pack does to a struct type: its fields that hold strings.
type plan struct{ ops []op }

var stringType = reflect.TypeFor[string]()

// planFor returns (and caches) the plan of struct type t.
func (p *Packer) planFor(t reflect.Type) *plan {
	if v, ok := p.plans.Load(t); ok {
		return v.(*plan)
	}
	pl := &plan{}
	for i := range t.NumField() {
		f := t.Field(i)
		shared := p.shared[f.Name]
		switch ft := f.Type; {
		case ft.Kind() == reflect.String:
			pl.ops = append(pl.ops, op{index: i, kind: stringOp, shared: shared})
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.String:
			pl.ops = append(pl.ops, op{index: i, kind: stringsOp, shared: shared})
		case ft.Kind() == reflect.Struct:
			if sub := p.planFor(ft); len(sub.ops) > 0 {
				pl.ops = append(pl.ops, op{index: i, kind: structOp, elem: sub})
			}
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			if sub := p.planFor(ft.Elem()); len(sub.ops) > 0 {
				pl.ops = append(pl.ops, op{index: i, kind: structsOp, elem: sub})
			}
		}
	}
	p.plans.Store(t, pl)
	return pl
}

// batch is the strings of one value being packed (pooled: it holds pointers, so it would
// not stay on the stack).
type batch struct {
	ptrs   []*string // the strings to pack
	offs   []int     // their offsets in the packed string
	shared []*string // the interned strings
	also   int       // ptrs[also:] are Pack's also strings, matched by content
}

var batches = sync.Pool{New: func() any { return &batch{ptrs: make([]*string, 0, 48), offs: make([]int, 0, 48)} }}

func getBatch() *batch { return batches.Get().(*batch) }

func (b *batch) release() {
	clear(b.ptrs)
	clear(b.shared)
	b.ptrs, b.offs, b.shared, b.also = b.ptrs[:0], b.offs[:0], b.shared[:0], 0
	batches.Put(b)
}

func (b *batch) add(s *string, shared bool) {
	if len(*s) == 0 {
		return
	}
	if shared {
		*s = unique.Make(*s).Value()
		b.shared = append(b.shared, s)
		return
	}
	b.ptrs = append(b.ptrs, s)
}

func (b *batch) walk(v reflect.Value, pl *plan) {
	for _, o := range pl.ops {
		f := v.Field(o.index)
		switch o.kind {
		case stringOp:
			b.add((*string)(f.Addr().UnsafePointer()), o.shared)
		case stringsOp:
			ss := unsafe.Slice((*string)(f.UnsafePointer()), f.Len())
			for i := range ss {
				b.add(&ss[i], o.shared)
			}
		case structOp:
			b.walk(f, o.elem)
		case structsOp:
			for i := range f.Len() {
				b.walk(f.Index(i), o.elem)
			}
		}
	}
}

// Pack packs the strings of the struct v points to, and the strings also points to (values
// kept beside it, such as map keys) in the same allocation: an also string equal to one of
// v's takes that one's bytes. v may be nil (or anything but a struct pointer), to pack only
// the also strings.
func (p *Packer) Pack(v any, also ...*string) {
	b := getBatch()
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Struct {
		b.walk(rv.Elem(), p.planFor(rv.Elem().Type()))
	}
	b.also = len(b.ptrs)
outer:
	for _, s := range also {
		for _, sh := range b.shared {
			if *sh == *s {
				*s = *sh
				continue outer
			}
		}
		b.add(s, false)
	}
	b.pack()
	b.release()
}

// pack copies the batch's strings into one string and points each at its part. Strings that
// shared their bytes before share them after.
func (b *batch) pack() {
	if len(b.ptrs) < 2 {
		return
	}
	offs, size := b.offs[:0], 0
	for i, s := range b.ptrs {
		off := -1
		for j := range i {
			if sameBytes(*b.ptrs[j], *s) || i >= b.also && *b.ptrs[j] == *s {
				off = offs[j]
				break
			}
		}
		if off < 0 {
			off = size
			size += len(*s)
		}
		offs = append(offs, off)
	}
	b.offs = offs
	var sb strings.Builder
	sb.Grow(size)
	for i, s := range b.ptrs {
		if offs[i] == sb.Len() {
			sb.WriteString(*s)
		}
	}
	all := sb.String()
	for i, s := range b.ptrs {
		*s = all[offs[i] : offs[i]+len(*s)]
	}
}

// sameBytes reports whether a and b are the same bytes in memory.
func sameBytes(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}
