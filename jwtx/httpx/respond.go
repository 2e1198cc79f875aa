package httpx

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Status returns the HTTP status of the default answer to a request
// refused for r: 401, 400, 403, 503, or 500 for ReasonInternal, the user
// store's failures and reasons this package does not define. The reasons
// of a request let through (authenticated, anonymous, logged_out) give 200.
// Frameworks that answer refusals their own way use it, and map it to
// their own codes (gRPC's Unauthenticated for 401, say).
func (r Reason) Status() int { return answerOf(r).Status }

// Message returns the fixed text of the default answer to a request
// refused for r, the msg of its JSON body ("token expired"); "" for the
// reasons of a request let through. It never depends on the error, so it
// is safe to show to clients.
func (r Reason) Message() string { return answerOf(r).Message }

// An ErrorHandler answers a refused request. err is the full error, for
// errors.Is and errors.As; its text is for logs, never for the response.
// For a token whose signature verified but that a check refused (expired,
// revoked, wrong audience, a user that cannot be loaded, ...), errors.As
// with a *jwtx.TokenError gives what the token says (jti, sub, exp, fam),
// and jwtx.From[C](r.Context()) its typed claims when they decoded. They
// describe a refused token: use them to word the answer or the log, never
// to grant anything.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

// DefaultErrors returns the default ErrorHandler: the status, RFC 6750
// WWW-Authenticate header and JSON body {"msg": "..."} of the error's row
// in the reason table ([Answers]), with fixed texts that never echo the
// token or the error.
func DefaultErrors(realm string) ErrorHandler {
	return answering(realm, "Bearer", "msg", answerOf)
}

// answering returns an ErrorHandler that answers with the rows of answer:
// the challenge of scheme and realm, the message under key.
func answering(realm, scheme, key string, answer func(Reason) Answer) ErrorHandler {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		a := answer(ReasonOf(err))
		if a.Status < http.StatusBadRequest { // a nil error: no refusal to explain
			a = answer(ReasonInternal)
		}
		refusalHeader(w.Header(), a, realm, scheme, err)
		WriteJSON(w, a.Status, map[string]string{key: a.Message})
	}
}

// refusalHeader sets the headers of the answer a to err: the challenge
// (with the scope or step-up parameters err calls for), and Retry-After
// for a temporary failure.
func refusalHeader(h http.Header, a Answer, realm, scheme string, err error) {
	if a.Status == http.StatusUnauthorized || a.Code != "" {
		h.Set("WWW-Authenticate", challenge(scheme, realm, a)+challengeParams(err))
	}
	if a.Reason == ReasonUnavailable {
		h.Set("Retry-After", "1")
	}
}

// challenge builds a WWW-Authenticate value (RFC 6750 §3).
func challenge(scheme, realm string, a Answer) string {
	v := scheme + " realm=" + strconv.Quote(realm)
	if a.Code != "" {
		v += ", error=" + strconv.Quote(a.Code) + ", error_description=" + strconv.Quote(a.Message)
	}
	return v
}

// WriteJSON writes v as a JSON response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the status is sent; a failed write means the client has gone
}
