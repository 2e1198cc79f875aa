package connectjwt

import (
	"errors"
	"net/http"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Domain is the domain of the google.rpc.ErrorInfo detail of a refusal,
// whose reason is the httpx.Reason. grpcjwt uses the same.
const Domain = "typedjwt.jwtx"

// CodeOf returns the Connect code of a refusal for reason:
// CodeUnauthenticated where httpx answers 401 or 400 (no token, a bad,
// expired or revoked one, an unknown user), CodePermissionDenied for 403 (a
// failed check), CodeUnavailable for 503 (the revocation store or remote
// keys are down) and CodeInternal for the rest (the user store failed); 0
// for the reasons of a call let through.
func CodeOf(reason httpx.Reason) connect.Code {
	switch reason.Status() {
	case http.StatusOK:
		return 0
	case http.StatusUnauthorized, http.StatusBadRequest:
		return connect.CodeUnauthenticated
	case http.StatusForbidden:
		return connect.CodePermissionDenied
	case http.StatusServiceUnavailable:
		return connect.CodeUnavailable
	}
	return connect.CodeInternal
}

// ErrorOf returns the error a call refused with err gets: the code of its
// reason ([CodeOf]), the reason's fixed message ("token expired"), never
// the error text, and a google.rpc.ErrorInfo detail with the reason in the
// [Domain], which [ReasonOf] reads on the client. On the server it unwraps
// to err, for httpx.ReasonOf, errors.Is and logs.
func ErrorOf(err error) *connect.Error {
	reason := httpx.ReasonOf(err)
	cerr := connect.NewError(CodeOf(reason), &refusal{msg: reason.Message(), err: err})
	if d, derr := connect.NewErrorDetail(&errdetails.ErrorInfo{Reason: string(reason), Domain: Domain}); derr == nil {
		cerr.AddDetail(d)
	}
	return cerr
}

// refusal is the cause of a refusal's *connect.Error: its text, the one the
// client gets, is the fixed message; it unwraps to the cause.
type refusal struct {
	msg string
	err error
}

func (e *refusal) Error() string { return e.msg }

func (e *refusal) Unwrap() error { return e.err }

// ReasonOf returns the httpx.Reason of an error a client got from a call
// that an Auth refused, read from its google.rpc.ErrorInfo detail, or ""
// for an error that carries none. On the server, httpx.ReasonOf(err) reads
// the cause instead.
func ReasonOf(err error) httpx.Reason {
	var cerr *connect.Error
	if !errors.As(err, &cerr) {
		return ""
	}
	for _, d := range cerr.Details() {
		v, derr := d.Value()
		if info, ok := v.(*errdetails.ErrorInfo); derr == nil && ok && info.GetDomain() == Domain {
			return httpx.Reason(info.GetReason())
		}
	}
	return ""
}
