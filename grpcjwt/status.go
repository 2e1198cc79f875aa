package grpcjwt

import (
	"net/http"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Domain is the domain of the google.rpc.ErrorInfo detail of a refusal,
// whose reason is the httpx.Reason.
const Domain = "typedjwt.jwtx"

// CodeOf returns the gRPC code of a refusal for reason: Unauthenticated
// where httpx answers 401 or 400 (no token, a bad, expired or revoked
// one, an unknown user), PermissionDenied for 403 (a failed check),
// Unavailable for 503 (the revocation store or remote keys are down) and
// Internal for the rest (the user store failed); OK for the reasons of a
// call let through.
func CodeOf(reason httpx.Reason) codes.Code {
	switch reason.Status() {
	case http.StatusOK:
		return codes.OK
	case http.StatusUnauthorized, http.StatusBadRequest:
		return codes.Unauthenticated
	case http.StatusForbidden:
		return codes.PermissionDenied
	case http.StatusServiceUnavailable:
		return codes.Unavailable
	}
	return codes.Internal
}

// StatusOf returns the status a call refused with err gets: the code of
// its reason ([CodeOf]), the reason's fixed message ("token expired"),
// never the error text, and a google.rpc.ErrorInfo detail with the reason
// in the [Domain], which [ReasonOf] reads on the client.
func StatusOf(err error) *status.Status {
	reason := httpx.ReasonOf(err)
	st := status.New(CodeOf(reason), reason.Message())
	if detailed, derr := st.WithDetails(&errdetails.ErrorInfo{Reason: string(reason), Domain: Domain}); derr == nil {
		st = detailed
	}
	return st
}

// refusal is the error of a refused call: its status goes to the client,
// and it unwraps to the cause for httpx.ReasonOf, errors.Is and logs on the
// server.
type refusal struct {
	st  *status.Status
	err error
}

// refuse returns the error a call refused with err returns.
func refuse(err error) error { return &refusal{st: StatusOf(err), err: err} }

func (e *refusal) Error() string { return "grpcjwt: " + e.st.Code().String() + ": " + e.err.Error() }

func (e *refusal) Unwrap() error { return e.err }

// GRPCStatus returns the status sent to the client.
func (e *refusal) GRPCStatus() *status.Status { return e.st }

// ReasonOf returns the httpx.Reason of an error a client got from a call
// that an Auth refused, read from its google.rpc.ErrorInfo detail, or ""
// for an error that carries none. On the server, httpx.ReasonOf(err) reads
// the cause instead.
func ReasonOf(err error) httpx.Reason {
	st, ok := status.FromError(err)
	if !ok {
		return ""
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == Domain {
			return httpx.Reason(info.GetReason())
		}
	}
	return ""
}
