// Package ops runs the real binary the way an operator does and checks what an operator
// relies on: the log (one oslo-style line per request with the request id the client got,
// log files, the JSON form, start and stop), graceful shutdown under load without drift, one
// owner per data directory, /healthcheck, --version and the configuration commands.
package ops
