package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// writeFile writes a config file into a temporary directory and returns its path.
func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsWhenUnset(t *testing.T) {
	c, err := Load(DefaultRegistry())
	if err != nil {
		t.Fatal(err)
	}
	ints := []struct {
		group, name string
		want        int
	}{
		{"DEFAULT", "bind_port", 9696},
		{"DEFAULT", "max_dns_nameservers", 5},
		{"DEFAULT", "max_subnet_host_routes", 20},
		{"DEFAULT", "global_physnet_mtu", 1500},
		{"DEFAULT", "max_routes", 30},
		{"DEFAULT", "max_allowed_address_pair", 10},
		{"database", "max_pool_size", 5},
		{"keystone_authtoken", "token_cache_time", 300},
		{"midonet", "apply_timeout", 10},
		{"midonet", "cluster_rest_port", 8080},
		{"midonet", "cluster_rest_token_ttl", 3600},
		{"midonet", "cluster_rest_max_tokens", 1000},
		{"quotas", "quota_network", 100},
		{"QUOTAS", "quota_subnet", 100},
		{"quotas", "quota_port", 500},
		{"quotas", "quota_router", 10},
		{"quotas", "quota_floatingip", 50},
		{"quotas", "quota_security_group", 10},
		{"quotas", "quota_security_group_rule", 100},
		{"quotas", "default_quota", -1},
	}
	for _, tc := range ints {
		if got := c.Int(tc.group, tc.name); got != tc.want {
			t.Errorf("Int(%s, %s) = %d, want %d", tc.group, tc.name, got, tc.want)
		}
	}
	strs := []struct{ group, name, want string }{
		{"DEFAULT", "auth_strategy", "keystone"},
		{"DEFAULT", "bind_host", "127.0.0.1"},
		{"DEFAULT", "base_mac", "fa:16:3e:00:00:00"},
		{"DEFAULT", "core_plugin", "ml2"},
		{"database", "connection", ""},
		{"keystone_authtoken", "user_domain_name", "Default"},
		{"midonet", "midonet_uri", "http://localhost:8080/midonet-api"},
		{"midonet", "cluster_rest_bind_host", "127.0.0.1"},
		{"midonet", "username", "admin"},
		{"midonet", "password", "passw0rd"},
		{"midonet", "project_id", "77777777-7777-7777-7777-777777777777"},
		{"midonet", "tunnel_protocol", "vxlan"},
		{"midonet", "client", "midonet.neutron.client.api.MidonetApiClient"},
		{"oslo_policy", "policy_file", "policy.yaml"},
	}
	for _, tc := range strs {
		if got := c.String(tc.group, tc.name); got != tc.want {
			t.Errorf("String(%s, %s) = %q, want %q", tc.group, tc.name, got, tc.want)
		}
	}
	bools := []struct {
		group, name string
		want        bool
	}{
		{"DEFAULT", "debug", false},
		{"DEFAULT", "enable_snat_by_default", true},
	}
	for _, tc := range bools {
		if got := c.Bool(tc.group, tc.name); got != tc.want {
			t.Errorf("Bool(%s, %s) = %v, want %v", tc.group, tc.name, got, tc.want)
		}
	}
	lists := []struct {
		group, name string
		want        []string
	}{
		{"ml2", "type_drivers", []string{"midonet", "uplink", "vxlan", "vlan", "flat"}},
		{"ml2", "mechanism_drivers", []string{"midonet"}},
		{"midonet", "etcd_endpoints", []string{}},
	}
	for _, tc := range lists {
		if got := c.List(tc.group, tc.name); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("List(%s, %s) = %q, want %q", tc.group, tc.name, got, tc.want)
		}
	}
	if c.IsSet("DEFAULT", "bind_port") {
		t.Error("IsSet(bind_port) with no file = true")
	}
	if got := c.Source("DEFAULT", "bind_port"); got != "default" {
		t.Errorf("Source = %q, want default", got)
	}
}

func TestFilesOverrideInOrder(t *testing.T) {
	first := writeFile(t, "neutron.conf", `
[DEFAULT]
bind_port = 9000
debug = true
core_plugin = ml2

[database]
connection = sqlite:///first.db
`)
	second := writeFile(t, "midonet.ini", `
[DEFAULT]
bind_port = 9001

[database]
connection = postgresql://u:p@db/neutron
`)
	c, err := Load(DefaultRegistry(), first, second)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		group, name, want, source string
	}{
		{"DEFAULT", "bind_port", "9001", second},
		{"DEFAULT", "debug", "true", first},
		{"database", "connection", "postgresql://u:p@db/neutron", second},
		{"DEFAULT", "bind_host", "127.0.0.1", "default"},
	}
	for _, tc := range tests {
		if got := c.String(tc.group, tc.name); got != tc.want {
			t.Errorf("%s.%s = %q, want %q", tc.group, tc.name, got, tc.want)
		}
		if got := c.Source(tc.group, tc.name); got != tc.source {
			t.Errorf("Source(%s.%s) = %q, want %q", tc.group, tc.name, got, tc.source)
		}
	}
	if c.Int("DEFAULT", "bind_port") != 9001 || !c.Bool("DEFAULT", "debug") {
		t.Errorf("typed getters disagree: port %d debug %v", c.Int("DEFAULT", "bind_port"), c.Bool("DEFAULT", "debug"))
	}
	if !c.IsSet("DEFAULT", "debug") || c.IsSet("DEFAULT", "bind_host") {
		t.Error("IsSet wrong")
	}
}

func TestUnknownAreWarnings(t *testing.T) {
	p := writeFile(t, "neutron.conf", `
[DEFAULT]
bind_port = 9696
no_such_option = 1

[foo]
bar = baz

[agent]
root_helper = sudo
`)
	c, err := Load(DefaultRegistry(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"[DEFAULT] no_such_option in " + p,
		"[foo] bar in " + p,
		"[agent] root_helper in " + p,
	}
	if got := c.Unknown(); !reflect.DeepEqual(got, want) {
		t.Errorf("Unknown() = %q, want %q", got, want)
	}
}

func TestGroupNamesCaseInsensitive(t *testing.T) {
	tests := []struct {
		name, body string
		group, opt string
		want       string
	}{
		{"upper MIDONET", "[MIDONET]\nusername = alice\n", "midonet", "username", "alice"},
		{"lower midonet", "[midonet]\nusername = bob\n", "MIDONET", "username", "bob"},
		{"mixed Quotas", "[Quotas]\nquota_port = 7\n", "quotas", "quota_port", "7"},
		{"lower default", "[default]\nbind_port = 1234\n", "DEFAULT", "bind_port", "1234"},
		{"upper ML2", "[ML2]\nmechanism_drivers = a\n", "ml2", "mechanism_drivers", "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(DefaultRegistry(), writeFile(t, "x.conf", tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.String(tc.group, tc.opt); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if u := c.Unknown(); len(u) != 0 {
				t.Errorf("unexpected unknown options %q", u)
			}
		})
	}
	// Both spellings in one file are one group; the later line wins.
	c, err := Load(DefaultRegistry(), writeFile(t, "x.conf", "[MIDONET]\nusername = a\n[midonet]\nusername = b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.String("midonet", "username"); got != "b" {
		t.Errorf("got %q, want b", got)
	}
}

func TestBadValuesAreErrors(t *testing.T) {
	tests := []struct {
		name, body string
		wantIn     []string
	}{
		{"bad int", "[DEFAULT]\nbind_port = ninety\n", []string{"line 2", "[DEFAULT] bind_port", "ninety"}},
		{"bad int in MIDONET", "[MIDONET]\ncluster_rest_port = 80x\n", []string{"[midonet] cluster_rest_port"}},
		{"bad bool", "[DEFAULT]\ndebug = maybe\n", []string{"[DEFAULT] debug", "maybe"}},
		{"bad quota", "[QUOTAS]\nquota_port = lots\n", []string{"[quotas] quota_port"}},
		{"no separator", "[DEFAULT]\njust words\n", []string{"line 2", "no '=' or ':'"}},
		{"outside section", "debug = true\n", []string{"line 1", "not in a section"}},
		{"unclosed section", "[DEFAULT\n", []string{"line 1", "must end with ]"}},
		{"stray continuation", "[DEFAULT]\n\n  more\n", []string{"line 3", "continuation"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "bad.conf", tc.body)
			_, err := Load(DefaultRegistry(), p)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, s := range append([]string{p}, tc.wantIn...) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
}

func TestMissingFileIsError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nope.conf")
	_, err := Load(DefaultRegistry(), p)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), p) {
		t.Fatalf("Load(missing) error = %v, want a not-exist error naming the file", err)
	}
}

func TestListParsing(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{"", []string{}},
		{"router", []string{"router"}},
		{"router,qos", []string{"router", "qos"}},
		{" router , qos ,, bgp, ", []string{"router", "qos", "bgp"}},
		{",,,", []string{}},
		{`"router, qos"`, []string{"router", "qos"}},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			p := writeFile(t, "l.conf", "[MIDONET]\netcd_endpoints = "+tc.value+"\n")
			c, err := Load(DefaultRegistry(), p)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.List("MIDONET", "etcd_endpoints"); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("List = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSyntax(t *testing.T) {
	tests := []struct {
		name, body string
		group, opt string
		want       string
	}{
		{"colon separator", "[DEFAULT]\nhost: node1\n", "DEFAULT", "host", "node1"},
		{"equals before colon", "[database]\nconnection = postgresql://h:5432/n\n", "database", "connection", "postgresql://h:5432/n"},
		{"double quotes stripped", "[DEFAULT]\nhost = \"node 1\"\n", "DEFAULT", "host", "node 1"},
		{"single quotes stripped", "[DEFAULT]\nhost = 'n2'\n", "DEFAULT", "host", "n2"},
		{"unmatched quote kept", "[DEFAULT]\nhost = \"n3\n", "DEFAULT", "host", "\"n3"},
		{"no inline comments", "[DEFAULT]\nhost = n4 # not a comment\n", "DEFAULT", "host", "n4 # not a comment"},
		{"hash comment", "[DEFAULT]\n# host = x\nhost = n5\n", "DEFAULT", "host", "n5"},
		{"semicolon comment", "[DEFAULT]\n; host = x\n", "DEFAULT", "host", hostname()},
		{"continuation", "[DEFAULT]\nhost = a\n  b\n\tc\n", "DEFAULT", "host", "a\nb\nc"},
		{"empty value", "[DEFAULT]\nlog_file =\n", "DEFAULT", "log_file", ""},
		{"crlf", "[DEFAULT]\r\nhost = n6\r\n", "DEFAULT", "host", "n6"},
		{"last assignment wins", "[DEFAULT]\nhost = a\nhost = b\n", "DEFAULT", "host", "b"},
		{"spaces in section", "[ midonet ]\nusername = u\n", "midonet", "username", "u"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(DefaultRegistry(), writeFile(t, "s.conf", tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.String(tc.group, tc.opt); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTypedValues(t *testing.T) {
	reg := NewRegistry()
	if err := reg.Register(
		Option{Group: "t", Name: "f", Type: Float, Default: "1.5"},
		Option{Group: "t", Name: "b", Type: Bool, Default: "no"},
		Option{Group: "t", Name: "i", Type: Int},
	); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		body  string
		check func(c *Config) bool
	}{
		{"", func(c *Config) bool { return c.Float("t", "f") == 1.5 && !c.Bool("t", "b") && c.Int("t", "i") == 0 }},
		{"[t]\nf = 2.25\n", func(c *Config) bool { return c.Float("t", "f") == 2.25 }},
		{"[t]\nb = YES\n", func(c *Config) bool { return c.Bool("t", "b") }},
		{"[t]\nb = On\n", func(c *Config) bool { return c.Bool("t", "b") }},
		{"[t]\nb = 1\n", func(c *Config) bool { return c.Bool("t", "b") }},
		{"[t]\nb = off\n", func(c *Config) bool { return !c.Bool("t", "b") }},
		{"[t]\ni = -3\n", func(c *Config) bool { return c.Int("t", "i") == -3 }},
		{"[t]\ni =\n", func(c *Config) bool { return c.Int("t", "i") == 0 && c.IsSet("t", "i") }},
	}
	for _, tc := range tests {
		c, err := Load(reg, writeFile(t, "t.conf", tc.body))
		if err != nil {
			t.Fatalf("%q: %v", tc.body, err)
		}
		if !tc.check(c) {
			t.Errorf("%q: wrong value", tc.body)
		}
	}
	if _, err := Load(reg, writeFile(t, "t.conf", "[t]\nf = fast\n")); err == nil {
		t.Error("bad float loaded")
	}
}

func TestSet(t *testing.T) {
	c, err := Load(DefaultRegistry(), writeFile(t, "n.conf", "[DEFAULT]\nbind_port = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set("DEFAULT", "bind_port", "2"); err != nil {
		t.Fatal(err)
	}
	if c.Int("DEFAULT", "bind_port") != 2 || c.Source("DEFAULT", "bind_port") != "override" {
		t.Errorf("after Set: %d from %s", c.Int("DEFAULT", "bind_port"), c.Source("DEFAULT", "bind_port"))
	}
	if err := c.Set("MIDONET", "etcd_endpoints", "http://a:2379, http://b:2379"); err != nil {
		t.Fatal(err)
	}
	if got := c.List("midonet", "etcd_endpoints"); !slices.Equal(got, []string{"http://a:2379", "http://b:2379"}) {
		t.Errorf("etcd_endpoints = %q", got)
	}
	for _, tc := range []struct{ group, name, value string }{
		{"DEFAULT", "bind_port", "x"},
		{"DEFAULT", "nope", "1"},
		{"nogroup", "bind_port", "1"},
	} {
		if err := c.Set(tc.group, tc.name, tc.value); err == nil {
			t.Errorf("Set(%s, %s, %q) succeeded", tc.group, tc.name, tc.value)
		}
	}
}

func TestGettersPanicOnProgrammingErrors(t *testing.T) {
	c := New(DefaultRegistry())
	tests := []struct {
		name string
		call func()
	}{
		{"unregistered", func() { c.String("DEFAULT", "nope") }},
		{"unregistered group", func() { c.Int("nope", "bind_port") }},
		{"Int of a bool", func() { c.Int("DEFAULT", "debug") }},
		{"List of a string", func() { c.List("DEFAULT", "host") }},
		{"IsSet unregistered", func() { c.IsSet("DEFAULT", "nope") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.call()
		})
	}
}

func TestRegistry(t *testing.T) {
	r := DefaultRegistry()
	opts := r.Options()
	if len(opts) == 0 || opts[0].Group != DefaultGroup {
		t.Fatalf("Options() must start with [DEFAULT], got %+v", opts[:1])
	}
	for i := 1; i < len(opts); i++ {
		a, b := opts[i-1], opts[i]
		if a.Group == b.Group && a.Name >= b.Name {
			t.Errorf("not sorted: %s.%s before %s.%s", a.Group, a.Name, b.Group, b.Name)
		}
		if a.Group != b.Group && b.Group != DefaultGroup && a.Group != DefaultGroup && a.Group > b.Group {
			t.Errorf("groups not sorted: %s before %s", a.Group, b.Group)
		}
		if b.Help == "" {
			t.Errorf("%s.%s has no help", b.Group, b.Name)
		}
	}
	if o, ok := r.Lookup("MIDONET", "password"); !ok || !o.Secret || o.Group != "midonet" {
		t.Errorf("Lookup(MIDONET, password) = %+v, %v", o, ok)
	}
	for _, tc := range []struct {
		name string
		opt  Option
	}{
		{"duplicate", Option{Group: "Midonet", Name: "username"}},
		{"bad default", Option{Group: "x", Name: "y", Type: Int, Default: "z"}},
		{"no name", Option{Group: "x"}},
	} {
		if err := r.Register(tc.opt); err == nil {
			t.Errorf("Register %s succeeded", tc.name)
		}
	}
	if g := r.Groups(); g[0] != DefaultGroup || !slices.Contains(g, "midonet") || !slices.Contains(g, "quotas") {
		t.Errorf("Groups() = %q", g)
	}
}

func TestValuesHideSecrets(t *testing.T) {
	c := New(DefaultRegistry())
	if err := c.Set("keystone_authtoken", "password", "s3cret"); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(c.Values(), "\n")
	for _, bad := range []string{"s3cret", "passw0rd"} {
		if strings.Contains(all, bad) {
			t.Errorf("Values() shows secret %q", bad)
		}
	}
	if !strings.Contains(all, "[keystone_authtoken] password = ****") ||
		!strings.Contains(all, "[DEFAULT] bind_port = 9696") {
		t.Errorf("Values() missing entries:\n%s", all)
	}
}

func TestConcurrentReadsAndSets(t *testing.T) {
	c := New(DefaultRegistry())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			_ = c.Set("DEFAULT", "bind_port", "1000")
			_ = c.Set("MIDONET", "etcd_endpoints", strings.Repeat("x,", i%5))
		}
	}()
	for range 200 {
		_ = c.Int("DEFAULT", "bind_port")
		_ = c.List("MIDONET", "etcd_endpoints")
		_ = c.IsSet("DEFAULT", "bind_port")
	}
	<-done
}

// TestSampleListsEveryOption: the sample has one commented-out line per registered option,
// under its section, with its default and type, and nothing else.
func TestSampleListsEveryOption(t *testing.T) {
	r := DefaultRegistry()
	var b strings.Builder
	if err := r.WriteSample(&b); err != nil {
		t.Fatal(err)
	}
	group := ""
	seen := map[string]bool{}
	for _, line := range strings.Split(b.String(), "\n") {
		switch {
		case strings.HasPrefix(line, "["):
			group = strings.Trim(line, "[]")
		case strings.HasPrefix(line, "#") && strings.Contains(line, " =") && !strings.HasPrefix(line, "# "):
			name, def, _ := strings.Cut(strings.TrimPrefix(line, "#"), " =")
			o, ok := r.Lookup(group, name)
			if !ok {
				t.Errorf("sample lists [%s] %s, which is not registered", group, name)
				continue
			}
			if strings.TrimSpace(def) != o.Default {
				t.Errorf("[%s] %s: sample default %q, registered %q", group, name, def, o.Default)
			}
			seen[group+"/"+name] = true
		}
	}
	for _, o := range r.Options() {
		if !seen[o.Group+"/"+o.Name] {
			t.Errorf("sample lacks [%s] %s", o.Group, o.Name)
		}
	}
	for _, want := range []string{"[DEFAULT]\n", "(integer value)\n#bind_port = 9696\n", "(boolean value)\n#debug = false\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("sample lacks %q", want)
		}
	}
}

// TestEffectiveMasksSecretsAndReadsBack: `config show` masks secrets, names where a value
// came from, and loads back to the same values.
func TestEffectiveMasksSecretsAndReadsBack(t *testing.T) {
	p := writeFile(t, "n.conf", "[DEFAULT]\nbind_port = 9797\n[database]\nconnection = postgresql://neutron:s3cret@db:5432/neutron\n"+
		"[keystone_authtoken]\npassword = hunter2\n[MIDONET]\npassword = mido\n")
	c, err := Load(DefaultRegistry(), p)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := c.WriteEffective(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"s3cret", "hunter2", "mido\n"} {
		if strings.Contains(out, secret) {
			t.Errorf("show reveals %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"# set in " + p + "\nbind_port = 9797\n", "connection = postgresql://neutron:****@db:5432/neutron\n",
		"\n[keystone_authtoken]\n", "password = ****\n", "\nbind_host = 127.0.0.1\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	back := writeFile(t, "back.conf", out)
	c2, err := Load(DefaultRegistry(), back)
	if err != nil {
		t.Fatalf("show's output does not load: %v", err)
	}
	if len(c2.Unknown()) != 0 || c2.Int("DEFAULT", "bind_port") != 9797 {
		t.Errorf("read back: unknown %q, bind_port %d", c2.Unknown(), c2.Int("DEFAULT", "bind_port"))
	}
}
