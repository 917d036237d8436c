package autoalloc

import (
	"errors"
	"strings"
	"testing"

	"github.com/midonet-go/midonet/internal/fault"
	"github.com/midonet-go/midonet/internal/plugin"
)

func TestOwner(t *testing.T) {
	member := &plugin.Caller{ProjectID: "p1"}
	admin := &plugin.Caller{ProjectID: "adm", IsAdmin: true}
	for _, tc := range []struct {
		name   string
		c      *plugin.Caller
		id     string
		want   string
		status int
		typ    string
	}{
		{"None is the caller's project", member, "None", "p1", 0, ""},
		{"empty is the caller's project", member, "", "p1", 0, ""},
		{"own project", member, "p1", "p1", 0, ""},
		{"another project", member, "p2", "", 403, "NotAuthorized"},
		{"admin for another project", admin, "p2", "p2", 0, ""},
		{"admin None", admin, "None", "adm", 0, ""},
		{"too long", admin, strings.Repeat("x", 256), "", 400, "InvalidInput"},
		{"no project at all", &plugin.Caller{}, "None", "", 400, "HTTPBadRequest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Collection{}.Owner(tc.c, tc.id)
			if tc.status == 0 {
				if err != nil || got != tc.want {
					t.Fatalf("Owner = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			f, ok := fault.As(err)
			if !ok || f.Status != tc.status || f.Type != tc.typ {
				t.Fatalf("Owner error %v; want %d %s", err, tc.status, tc.typ)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	plain := errors.New("db: broken")
	for _, tc := range []struct {
		name string
		in   error
		typ  string
	}{
		{"bad request becomes AutoAllocationFailure", fault.BadRequest("no"), "AutoAllocationFailure"},
		{"not found becomes AutoAllocationFailure", fault.NetworkNotFound("x"), "AutoAllocationFailure"},
		{"over quota stays", fault.OverQuota("router"), "OverQuota"},
		{"other errors stay", plain, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.in, "Unable to provide external connectivity")
			if tc.typ == "" {
				if got != plain {
					t.Fatalf("wrap changed %v into %v", tc.in, got)
				}
				return
			}
			f, ok := fault.As(got)
			if !ok || f.Type != tc.typ {
				t.Fatalf("wrap = %v; want %s", got, tc.typ)
			}
			if tc.typ == "AutoAllocationFailure" && (f.Status != 409 || f.Message != "Deployment error: Unable to provide external connectivity.") {
				t.Fatalf("wrap = %d %q", f.Status, f.Message)
			}
		})
	}
}

// FuzzOwner: any project id in the URL is either the caller's own (or, for an admin, any
// bounded one) or a 4xx fault; never a panic or another error.
func FuzzOwner(f *testing.F) {
	for _, s := range []string{"None", "", "p1", "p2", strings.Repeat("a", 300), "\x00", "None/x"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, id string, isAdmin bool) {
		c := &plugin.Caller{ProjectID: "p1", IsAdmin: isAdmin}
		got, err := Collection{}.Owner(c, id)
		if err != nil {
			if f, ok := fault.As(err); !ok || f.Status < 400 || f.Status >= 500 {
				t.Fatalf("Owner(%q) = %v", id, err)
			}
			return
		}
		if len(got) == 0 || len(got) > maxProject || (!isAdmin && got != "p1") {
			t.Fatalf("Owner(%q, admin %v) = %q", id, isAdmin, got)
		}
	})
}
