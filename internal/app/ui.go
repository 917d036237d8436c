package app

import (
	"log/slog"
	"net/http"

	"github.com/midonet-go/midonet/internal/api"
	"github.com/midonet-go/midonet/internal/auth"
	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/ui"
)

// mountUI serves the topology page under /ui/ on the API's mux: the page reads through srv
// as the caller, logs in with the configured Keystone, and hears of changes through the
// NSDB watch.
func (s *Server) mountUI(mux *http.ServeMux, cfg *config.Config, srv *api.Server, authn auth.Authenticator, noauth bool, log *slog.Logger) {
	o := ui.Options{API: srv, Auth: authn, NoAuth: noauth, Store: s.NSDB, Syncing: s.nsdbSyncing, Trace: s.Agent != nil, Log: log}
	if !noauth {
		if ko, err := auth.OptionsFromConfig(cfg); err == nil {
			o.KeystoneURL, o.KeystoneHTTP = ko.AuthURL, ko.HTTPClient
		}
	}
	s.UI = ui.New(o)
	mux.Handle("/ui/", s.UI)
	mux.Handle("/ui", s.UI)
}
