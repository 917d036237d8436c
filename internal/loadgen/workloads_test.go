package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestParseMix(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Mix
		err  string
	}{
		{in: "", want: nil},
		{in: "create=60,update=20,delete=10,list=10", want: Mix{"create": 60, "update": 20, "delete": 10, "list": 10}},
		{in: " Create = 3 , list=1", want: Mix{"create": 3, "list": 1}},
		{in: "create=0,list=5", want: Mix{"create": 0, "list": 5}},
		{in: "create", err: "not operation=weight"},
		{in: "create=60,reboot=1", err: `unknown operation "reboot"`},
		{in: "create=1,create=2", err: "create given twice"},
		{in: "create=-1", err: "whole number"},
		{in: "create=1.5", err: "whole number"},
		{in: "create=1000001", err: "whole number"},
		{in: "create=0,delete=0", err: "every weight is 0"},
		{in: ",", err: "not operation=weight"},
	} {
		got, err := ParseMix(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseMix(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("ParseMix(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			continue
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("ParseMix(%q)[%s] = %d, want %d", tc.in, k, got[k], v)
			}
		}
	}
	m, _ := ParseMix("list=10,delete=10,update=20,create=60")
	if m.String() != "create=60,update=20,delete=10,list=10" {
		t.Errorf("String() = %s", m)
	}
}

func TestScheduleProportions(t *testing.T) {
	for _, tc := range []struct {
		mix  Mix
		n    int
		want map[string]int
	}{
		{Mix{"create": 60, "update": 20, "delete": 10, "list": 10}, 100, map[string]int{"create": 60, "update": 20, "delete": 10, "list": 10}},
		{Mix{"create": 60, "update": 20, "delete": 10, "list": 10}, 1000, map[string]int{"create": 600, "update": 200, "delete": 100, "list": 100}},
		{Mix{"create": 3, "list": 1}, 8, map[string]int{"create": 6, "list": 2}},
		{Mix{"create": 0, "delete": 7}, 5, map[string]int{"delete": 5}},
		{Mix{"update": 1}, 0, map[string]int{}},
	} {
		s := tc.mix.Schedule(tc.n)
		if len(s) != tc.n {
			t.Errorf("%v: %d operations, want %d", tc.mix, len(s), tc.n)
		}
		got := map[string]int{}
		for _, op := range s {
			got[op]++
		}
		for op, n := range tc.want {
			if got[op] != n {
				t.Errorf("%v over %d: %s x%d, want %d (%v)", tc.mix, tc.n, op, got[op], n, got)
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%v: operations %v, want %v", tc.mix, got, tc.want)
		}
	}
	// Spread evenly: in every prefix of 60/20/10/10, creates stay within one of 60 %.
	s := Mix{"create": 60, "update": 20, "delete": 10, "list": 10}.Schedule(200)
	creates := 0
	for i, op := range s {
		if op == "create" {
			creates++
		}
		if d := float64(creates) - 0.6*float64(i+1); d > 1 || d < -1 {
			t.Fatalf("after %d operations %d creates: not spread evenly", i+1, creates)
		}
	}
}

func TestParseSort(t *testing.T) {
	for in, want := range map[string][2]string{"": {"", ""}, "name": {"name", "asc"}, "name:desc": {"name", "desc"}, "mac_address:asc": {"mac_address", "asc"}} {
		k, d, err := parseSort(in)
		if err != nil || k != want[0] || d != want[1] {
			t.Errorf("parseSort(%q) = %s %s %v, want %v", in, k, d, err, want)
		}
	}
	for _, in := range []string{":asc", "name:down", "name&x=1:asc", strings.Repeat("k", 65)} {
		if _, _, err := parseSort(in); err == nil {
			t.Errorf("parseSort(%q) accepted", in)
		}
	}
}

func TestConfigBounds(t *testing.T) {
	for _, tc := range []struct {
		cfg Config
		err string
	}{
		{Config{URL: "http://x", Ports: -1}, "ports -1"},
		{Config{URL: "http://x", Ports: maxPorts + 1}, "ports"},
		{Config{URL: "http://x", Bulk: maxBulk + 1}, "bulk"},
		{Config{URL: "http://x", Bulk: -2}, "bulk"},
		{Config{URL: "http://x", Networks: maxNetworks + 1}, "networks"},
		{Config{URL: "http://x", Page: -1}, "negative"},
		{Config{URL: "http://x", Page: maxPage + 1}, "page"},
		{Config{URL: "http://x", PageSort: "id:sideways"}, "direction"},
		{Config{}, "no URL"},
	} {
		err := tc.cfg.defaults()
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v: %v, want an error with %q", tc.cfg, err, tc.err)
		}
	}
	c := Config{URL: "http://x/", Mix: Mix{"create": 1}}
	if err := c.defaults(); err != nil || c.Bulk != 1 || c.Networks != 1 || c.MixOps != 1000 || c.Concurrency != 8 || c.URL != "http://x" {
		t.Errorf("defaults: %+v %v", c, err)
	}
}

func TestSubnetsFor(t *testing.T) {
	for _, tc := range []struct {
		ports, nets int
		first, last string
	}{
		{1000, 1, "10.0.0.0/16", "10.0.0.0/16"},
		{1000, 4, "10.0.0.0/16", "10.3.0.0/16"},
		{100000, 10, "10.0.0.0/16", "10.9.0.0/16"},
		{100000, 256, "10.0.0.0/16", "10.255.0.0/16"},
		{100000, 1000, "10.0.0.0/18", "10.249.192.0/18"},
		{200000, 2, "10.0.0.0/15", "10.2.0.0/15"},
	} {
		got, err := subnetsFor(tc.ports, tc.nets)
		if err != nil || len(got) != tc.nets || got[0] != tc.first || got[len(got)-1] != tc.last {
			t.Errorf("subnetsFor(%d, %d) = %v…, %v; want %s … %s", tc.ports, tc.nets, got[:min(len(got), 2)], err, tc.first, tc.last)
		}
	}
	if _, err := subnetsFor(1<<24, 4096); err == nil {
		t.Error("16M ports over 4096 networks fit in a /8?")
	}
}

// TestWorkloads runs every workload against the API server in process: bulk creates over
// several networks, a mix, a page walk sorted by name downwards, the PostgreSQL hints.
func TestWorkloads(t *testing.T) {
	hs := apiServer(t)
	mix, _ := ParseMix("create=60,update=20,delete=10,list=10")
	rep, err := Run(context.Background(), Config{URL: hs.URL, Concurrency: 3, Ports: 95, Bulk: 10, Networks: 3,
		Mix: mix, MixOps: 100, Page: 20, PageSort: "name:desc", Postgres: true, Cleanup: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Create.OK != 95 || rep.Create.Count != 10 || len(rep.Create.Failed) != 0 || rep.Create.PortsPerSecond <= 0 {
		t.Errorf("bulk creates: %d ports in %d requests, failed %v (%s)", rep.Create.OK, rep.Create.Count, rep.Create.Failed, rep.Create.FirstError)
	}
	if len(rep.NetworkIDs) != 3 || rep.CIDRs[2] != "10.2.0.0/16" {
		t.Errorf("networks %v cidrs %v", rep.NetworkIDs, rep.CIDRs)
	}
	m := rep.Mix
	if m == nil || m.Count != 100 || m.Skipped != 0 || m.Mix != "create=60,update=20,delete=10,list=10" {
		t.Fatalf("mix: %+v", m)
	}
	for op, n := range map[string]int{"create": 60, "update": 20, "delete": 10, "list": 10} {
		o := m.Operations[op]
		if o == nil || o.Count != n || o.OK != n || len(o.Failed) != 0 {
			t.Errorf("mix %s: %+v, want %d ok", op, o, n)
		}
	}
	// 95 + 60 created − 10 deleted = 145 ports, walked in 8 pages of 20 (the last one short).
	p := rep.PageWalk
	if p == nil || p.Ports != 145 || p.Pages != 8 || !p.Complete || p.Repeated != 0 || p.SortKey != "name" || p.SortDir != "desc" || p.Error != "" {
		t.Errorf("page walk: %+v", p)
	}
	if len(rep.Hints) == 0 {
		t.Error("--postgres gave no hints")
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	ops, _ := back["mix"].(map[string]any)["operations"].(map[string]any)
	if u, _ := ops["update"].(map[string]any); u["ok"] != float64(20) || u["p50_ns"] == nil {
		t.Errorf("JSON mix.operations.update = %v", ops["update"])
	}
	if pw, _ := back["page_walk"].(map[string]any); pw["page_size"] != float64(20) || pw["pages"] != float64(8) {
		t.Errorf("JSON page_walk = %v", back["page_walk"])
	}
	var table bytes.Buffer
	rep.WriteTable(&table)
	for _, want := range []string{"port create (bulk of 10)", "mix: update", "mix: all (create=60", "page of 20 (by name desc)", "hint: "} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	// Cleanup removed the run's live ports and its networks.
	after, err := Run(context.Background(), Config{URL: hs.URL, Ports: 0, ListRuns: 1})
	if err != nil {
		t.Fatal(err)
	}
	if after.List.Ports != 0 || len(after.Warnings) != 0 {
		t.Errorf("after cleanup: %d ports listed, warnings %v", after.List.Ports, after.Warnings)
	}
}

// TestMixWithoutPorts: updates, deletes and lists with nothing to work on are skipped, not
// sent; creates go on.
func TestMixWithoutPorts(t *testing.T) {
	hs := apiServer(t)
	rep, err := Run(context.Background(), Config{URL: hs.URL, Concurrency: 1, Ports: 0, Mix: Mix{"delete": 1}, MixOps: 5})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Mix.Skipped != 5 || len(rep.Mix.Operations) != 0 {
		t.Errorf("mix: %+v", rep.Mix)
	}
}
