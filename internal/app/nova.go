package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/midonet-go/midonet/internal/config"
	"github.com/midonet-go/midonet/internal/db"
	"github.com/midonet-go/midonet/internal/nova"
)

// newNotifier builds the Nova notifier of an API server from [DEFAULT] notify_nova_* and
// [nova]; nil when Nova is not to be told (both notifications off, or no [nova] auth_url).
func newNotifier(cfg *config.Config, d *db.DB, log *slog.Logger) (*nova.Notifier, error) {
	g := config.GroupNova
	o := nova.Options{
		StatusChanges: cfg.Bool(config.DefaultGroup, "notify_nova_on_port_status_changes"),
		DataChanges:   cfg.Bool(config.DefaultGroup, "notify_nova_on_port_data_changes"),
		Interval:      time.Duration(cfg.Int(config.DefaultGroup, "send_events_interval")) * time.Second,
		Retries:       max(cfg.Int(config.DefaultGroup, "http_retries"), 0),
		Auth: nova.AuthOptions{
			AuthURL: cfg.String(g, "auth_url"), Username: cfg.String(g, "username"), Password: cfg.String(g, "password"),
			ProjectName: cfg.String(g, "project_name"), UserDomainName: cfg.String(g, "user_domain_name"),
			ProjectDomainName: cfg.String(g, "project_domain_name"), Region: cfg.String(g, "region_name"),
			Interface: cfg.String(g, "endpoint_type"), EndpointOverride: cfg.String(g, "endpoint_override"),
		},
		Log: log,
	}
	authType := cfg.String(g, "auth_type")
	timeout := time.Duration(cfg.Int(g, "timeout")) * time.Second
	cafile, insecure := cfg.String(g, "cafile"), cfg.Bool(g, "insecure")
	if !o.StatusChanges && !o.DataChanges {
		return nil, nil
	}
	if o.Auth.AuthURL == "" {
		log.Info("Nova is not notified of port events: [nova] auth_url is unset")
		return nil, nil
	}
	if authType != "password" && authType != "v3password" {
		return nil, fmt.Errorf("[nova] auth_type %q: only password is supported", authType)
	}
	if o.Auth.Username == "" || o.Auth.Password == "" {
		return nil, fmt.Errorf("[nova] auth_url is set but username or password is not")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if cafile != "" || insecure {
		tc := &tls.Config{InsecureSkipVerify: insecure} //nolint:gosec // the operator asked for it ([nova] insecure)
		if cafile != "" {
			pem, err := os.ReadFile(cafile)
			if err != nil {
				return nil, fmt.Errorf("[nova] cafile: %w", err)
			}
			tc.RootCAs = x509.NewCertPool()
			if !tc.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("[nova] cafile %s: no PEM certificate in it", cafile)
			}
		}
		tr.TLSClientConfig = tc
	}
	o.Auth.HTTP = &http.Client{Timeout: timeout, Transport: tr}
	o.Port = func(ctx context.Context, id string) (map[string]any, error) {
		var p db.Doc
		err := d.Read(ctx, func(tx *db.Tx) error {
			var err error
			p, err = tx.Get(ctx, "ports", id)
			return err
		})
		return p, err
	}
	log.Info("Nova is notified of port events", "auth_url", o.Auth.AuthURL, "user", o.Auth.Username,
		"status_changes", o.StatusChanges, "data_changes", o.DataChanges, "send_events_interval", o.Interval)
	return nova.New(o), nil
}
