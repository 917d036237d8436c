// Package fault is the one error vocabulary of the API: every failure a user can see is a
// *Fault carrying its HTTP status and Neutron's error type, rendered as
// {"NeutronError": {"type", "message", "detail"}}.
package fault

import (
	"errors"
	"fmt"
	"net/http"
)

// Fault is a Neutron API error.
type Fault struct {
	Status  int
	Type    string
	Message string
}

func (f *Fault) Error() string { return fmt.Sprintf("%s (%d): %s", f.Type, f.Status, f.Message) }

// New builds a fault with a formatted message.
func New(status int, typ, format string, args ...any) *Fault {
	return &Fault{Status: status, Type: typ, Message: fmt.Sprintf(format, args...)}
}

// As extracts a *Fault from err's chain.
func As(err error) (*Fault, bool) {
	var f *Fault
	if errors.As(err, &f) {
		return f, true
	}
	return nil, false
}

// IsType reports whether err's chain holds a *Fault of Neutron error type typ (one of the
// Type constants); control flow asks this rather than comparing messages.
func IsType(err error, typ string) bool {
	f, ok := As(err)
	return ok && f.Type == typ
}

// Generic families, named as Neutron names them.

// BadRequest is webob's HTTPBadRequest: request shape problems.
func BadRequest(format string, args ...any) *Fault {
	return New(http.StatusBadRequest, "HTTPBadRequest", format, args...)
}

// InvalidInput is neutron_lib's InvalidInput.
func InvalidInput(format string, args ...any) *Fault {
	return New(http.StatusBadRequest, "InvalidInput", "Invalid input for operation: "+format+".", args...)
}

// BadRequestOf is neutron_lib's BadRequest: "Bad <resource> request: <msg>".
func BadRequestOf(resource, format string, args ...any) *Fault {
	return New(http.StatusBadRequest, "BadRequest", "Bad "+resource+" request: "+format+".", args...)
}

// NotFound builds a 404 of the given type.
func NotFound(typ, format string, args ...any) *Fault {
	return New(http.StatusNotFound, typ, format, args...)
}

// Conflict builds a 409 of the given type.
func Conflict(typ, format string, args ...any) *Fault {
	return New(http.StatusConflict, typ, format, args...)
}

// Invalid builds a 400 of the given type.
func Invalid(typ, format string, args ...any) *Fault {
	return New(http.StatusBadRequest, typ, format, args...)
}

// HTTPNotFound is the router's 404 for unknown paths.
func HTTPNotFound() *Fault {
	return New(http.StatusNotFound, "HTTPNotFound", "The resource could not be found.")
}

// Forbidden is a policy refusal.
func Forbidden(action string) *Fault {
	return New(http.StatusForbidden, "PolicyNotAuthorized", "Policy doesn't allow %s to be performed.", action)
}

// Unauthorized is a missing or bad token.
func Unauthorized() *Fault {
	return New(http.StatusUnauthorized, "HTTPUnauthorized", "This server could not verify that you are authorized to access the document you requested.")
}

// ServiceUnavailable is a 503.
func ServiceUnavailable(format string, args ...any) *Fault {
	return New(http.StatusServiceUnavailable, "ServiceUnavailable", format, args...)
}

// MethodNotAllowed is a 405.
func MethodNotAllowed() *Fault {
	return New(http.StatusMethodNotAllowed, "HTTPMethodNotAllowed", "The server could not comply with the request since it is either malformed or otherwise incorrect.")
}
