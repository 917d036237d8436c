package ui_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/midonet-go/midonet/internal/testutil/keystone"
)

// TestKeystoneLogin logs in through the page's form against the real Keystone of
// keystone-up.sh, as a member of project demo, and checks that the map holds demo's network
// and never alt_demo's: not at load, and not when alt_demo creates more while demo watches.
func TestKeystoneLogin(t *testing.T) {
	ks := keystone.Start(t)
	srv := testenvServer(t, ks.ServerConfig())
	demo := &client{t: t, url: srv.URL, token: ks.Token(t, "demo", "demo")}
	alt := &client{t: t, url: srv.URL, token: ks.Token(t, "alt_demo", "alt_demo")}
	mine := id(demo.create("networks", "network", map[string]any{"name": "demo-net"}))
	demo.create("subnets", "subnet", map[string]any{"network_id": mine, "cidr": "10.10.0.0/24", "ip_version": 4})
	demo.create("ports", "port", map[string]any{"name": "demo-vm", "network_id": mine, "device_owner": "compute:nova"})
	theirs := id(alt.create("networks", "network", map[string]any{"name": "alt-net"}))
	alt.create("subnets", "subnet", map[string]any{"network_id": theirs, "cidr": "10.20.0.0/24", "ip_version": 4})

	b := newBrowser(t)
	b.do("open the page", chromedp.Navigate(srv.URL+"/ui/"))
	b.waitFor("the login form", `!document.getElementById('login').hidden && document.getElementById('login-keystone').textContent !== ''`, 10*time.Second)
	var shown string
	b.eval(`document.getElementById('login-keystone').textContent`, &shown)
	if shown != ks.URL {
		t.Errorf("the form names Keystone %q, want %q", shown, ks.URL)
	}

	login := func(password string) {
		b.eval(`(() => { for (const id of ['login-user', 'login-password', 'login-project']) document.getElementById(id).value = ''; return true })()`, nil)
		b.do("fill the login form",
			chromedp.SendKeys(chromedp.CSS("#login-user"), "demo"),
			chromedp.SendKeys(chromedp.CSS("#login-password"), password),
			chromedp.SendKeys(chromedp.CSS("#login-project"), "demo"),
			chromedp.Click(chromedp.CSS("#login-submit")))
	}
	login("not-" + ks.DemoPassword)
	b.waitFor("the refusal", `document.getElementById('login-error').textContent !== ''`, 20*time.Second)
	var refusal string
	b.eval(`document.getElementById('login-error').textContent`, &refusal)
	if !strings.Contains(refusal, "refused") {
		t.Errorf("wrong password: the form says %q", refusal)
	}

	login(ks.DemoPassword)
	b.waitFor("the topology", `window.midonetUI.state().loaded && window.midonetUI.state().live && window.midonetUI.state().renders > 0`, 30*time.Second)
	var who string
	b.eval(`document.getElementById('who').textContent`, &who)
	if who != "demo @ demo" {
		t.Errorf("the header says %q, want demo @ demo", who)
	}
	s := b.snapshot()
	if _, _, ok := s.node("net:" + mine); !ok {
		t.Errorf("demo's network %s is not on demo's map", mine)
	}
	if _, _, ok := s.node("net:" + theirs); ok {
		t.Errorf("alt_demo's network %s is on demo's map", theirs)
	}
	for _, n := range s.Nodes {
		if strings.Contains(n.Label, "alt-net") || strings.Contains(n.Label, "10.20.0.") {
			t.Errorf("demo's map shows %s %q", n.ID, n.Label)
		}
	}

	// While demo watches: alt_demo's new network stays off demo's map, demo's own appears.
	later := id(alt.create("networks", "network", map[string]any{"name": "alt-net-2"}))
	alt.create("ports", "port", map[string]any{"name": "alt-vm", "network_id": theirs})
	own := id(demo.create("networks", "network", map[string]any{"name": "demo-net-2"}))
	b.waitFor("demo's new network", `window.midonetUI.snapshot().nodes.some(n => n.id === 'net:`+own+`')`, 5*time.Second)
	s = b.snapshot()
	if _, _, ok := s.node("net:" + later); ok {
		t.Errorf("alt_demo's network %s, created while demo watched, is on demo's map", later)
	}
	for _, n := range s.Nodes {
		if strings.Contains(n.Label, "alt-") {
			t.Errorf("demo's map shows %s %q", n.ID, n.Label)
		}
	}
	b.shot("keystone-demo")

	// Every API call of the page carried the token: the page of a logged-out user is empty.
	b.do("log out", chromedp.Click(chromedp.CSS("#logout")))
	b.waitFor("the login form again", `!document.getElementById('login').hidden && window.midonetUI.snapshot().nodes.length === 0`, 5*time.Second)
}
