package testenv

import (
	"net/http"
	"net/http/httptest"
)

// HandlerTransport serves a client's requests with an in-process handler (an api.Server), so
// that gophercloud drives the API without a listener.
type HandlerTransport struct{ Handler http.Handler }

// RoundTrip serves one request.
func (t HandlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r.RequestURI = r.URL.RequestURI()
	w := httptest.NewRecorder()
	t.Handler.ServeHTTP(w, r)
	resp := w.Result()
	resp.Request = r // as http.Transport sets it: gophercloud's pager reads the page URL from it
	return resp, nil
}
