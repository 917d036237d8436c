package integration

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
)

// neutronError is the body of every Neutron API failure.
type neutronError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

// parseNeutronError returns the HTTP status and the decoded NeutronError of
// an error gophercloud returned for an unexpected response code.
func parseNeutronError(err error) (int, neutronError, bool) {
	var code gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &code) {
		return 0, neutronError{}, false
	}
	var body struct {
		NeutronError neutronError `json:"NeutronError"`
	}
	_ = json.Unmarshal(code.Body, &body)
	return code.Actual, body.NeutronError, true
}

// wantError fails the test unless err is an HTTP failure with the given
// status and NeutronError type, and returns the error's message. An empty
// typ checks the status only.
func wantError(t *testing.T, err error, status int, typ string) string {
	t.Helper()
	if err == nil {
		t.Errorf("request succeeded; want %d %s", status, typ)
		return ""
	}
	got, ne, ok := parseNeutronError(err)
	if !ok {
		t.Errorf("error %v is not an HTTP response; want %d %s", err, status, typ)
		return ""
	}
	if got != status || (typ != "" && ne.Type != typ) {
		t.Errorf("got %d %s (%q); want %d %s", got, ne.Type, ne.Message, status, typ)
	}
	return ne.Message
}

// wantErrorMentions is wantError plus a check that the message contains
// each of the given fragments.
func wantErrorMentions(t *testing.T, err error, status int, typ string, fragments ...string) {
	t.Helper()
	msg := wantError(t, err, status, typ)
	if err == nil {
		return
	}
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("message %q does not mention %q", msg, f)
		}
	}
}

// must fails the test now when err is not nil.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}
