package cli_test

import (
	"encoding"
	"encoding/json"
	"github.com/midonet-go/midonet/internal/app"
	"reflect"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/cluster"
	"github.com/midonet-go/midonet/internal/nsdb"
	"github.com/midonet-go/midonet/internal/trace"
)

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// tagErrors walks a Go type the way encoding/json does and lists every exported field that
// has no json tag or whose JSON name is not snake_case, and every map (a map's keys are data,
// which a schema cannot promise to be snake_case). Types that marshal themselves (MACs, IP
// addresses) are leaves.
func tagErrors(path string, t reflect.Type, seen map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
		if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) {
			return nil
		}
		t = t.Elem()
	}
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		reflect.PointerTo(t).Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Map:
		return []string{path + " is a map " + t.String()}
	case reflect.Struct:
	default:
		return nil
	}
	if seen[t] {
		return nil
	}
	seen[t] = true
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case name == "-" && tag == "-":
			continue
		case f.Anonymous && !hasTag:
			out = append(out, tagErrors(path, f.Type, seen)...) // promoted fields
			continue
		case !f.IsExported():
			continue
		case !hasTag || name == "":
			out = append(out, path+"."+f.Name+" ("+t.String()+") has no json name")
			continue
		case !snakeCase.MatchString(name):
			out = append(out, path+"."+name+" ("+t.String()+"."+f.Name+") is not snake_case")
		}
		out = append(out, tagErrors(path+"."+name, f.Type, seen)...)
	}
	return out
}

// TestOutputTypesTagged: every field of the Go types the --json outputs of trace and
// db-manage render carries an explicit snake_case json name, so a field added later cannot
// show up as CamelCase (as PortID, EthSrc or DeviceType once did).
func TestOutputTypesTagged(t *testing.T) {
	for name, typ := range map[string]reflect.Type{
		"trace --json":                   reflect.TypeFor[trace.Response](),
		"db-manage verify/repair --json": reflect.TypeFor[cluster.Drift](),
		"db-manage nsdb-compact --json":  reflect.TypeFor[nsdb.CompactResult](),
		"metering --json":                reflect.TypeFor[app.MeterReport](),
	} {
		for _, e := range tagErrors("", typ, map[reflect.Type]bool{}) {
			t.Errorf("%s: %s", name, e)
		}
	}
}

// TestTagChecker: the checker itself catches what it is for.
func TestTagChecker(t *testing.T) {
	type inner struct {
		EthSrc string
	}
	type bad struct {
		PortID string         `json:"PortID"`
		Inner  []inner        `json:"inner"`
		Labels map[string]int `json:"labels"`
	}
	type good struct {
		PortID string `json:"port_id"`
		skip   int
		Hidden int `json:"-"`
	}
	if errs := tagErrors("", reflect.TypeFor[bad](), map[reflect.Type]bool{}); len(errs) != 3 {
		t.Errorf("bad: %d errors, want 3: %v", len(errs), errs)
	}
	if errs := tagErrors("", reflect.TypeFor[good](), map[reflect.Type]bool{}); len(errs) != 0 {
		t.Errorf("good: %v", errs)
	}
	_ = good{}.skip
}
