package auth

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
)

func TestNoAuth(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string][]string
		want    Context
	}{
		{"no headers: admin, no project", nil, Context{Roles: []string{"admin"}, IsAdmin: true}},
		{"identity headers", map[string][]string{
			"X-User-Id": {"u1"}, "X-User-Name": {"alice"}, "X-Project-Id": {"p1"},
			"X-Project-Name": {"demo"}, "X-Auth-Token": {"anything"},
		}, Context{UserID: "u1", UserName: "alice", ProjectID: "p1", ProjectName: "demo",
			Roles: []string{"admin"}, IsAdmin: true, Token: "anything"}},
		{"legacy headers", map[string][]string{
			"X-User": {"u2"}, "X-Tenant-Id": {"p2"}, "X-Tenant-Name": {"t2"},
		}, Context{UserID: "u2", ProjectID: "p2", ProjectName: "t2", Roles: []string{"admin"}, IsAdmin: true}},
		{"new headers win", map[string][]string{
			"X-User-Id": {"new"}, "X-User": {"old"}, "X-Project-Id": {"pn"}, "X-Tenant-Id": {"po"},
		}, Context{UserID: "new", ProjectID: "pn", Roles: []string{"admin"}, IsAdmin: true}},
		{"member roles: not admin", map[string][]string{
			"X-Project-Id": {"p"}, "X-Roles": {"Member, reader,,member"},
		}, Context{ProjectID: "p", Roles: []string{"member", "reader"}}},
		{"roles with admin", map[string][]string{"X-Roles": {"reader", "ADMIN"}},
			Context{Roles: []string{"reader", "admin"}, IsAdmin: true}},
		{"empty roles header", map[string][]string{"X-Roles": {""}}, Context{Roles: []string{}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/v2.0/networks", nil)
			for k, vs := range tc.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			got, err := NoAuth().Authenticate(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}
