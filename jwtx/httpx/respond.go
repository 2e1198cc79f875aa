package httpx

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Errors added by the HTTP layer. Verification errors are jwtx's.
var (
	// ErrNoToken reports a request with no token in any configured location.
	ErrNoToken = errors.New("httpx: no token")
	// ErrBadRequest reports a token location holding something other than
	// exactly one token: a malformed Authorization header, two Authorization
	// headers, a repeated auth cookie or query parameter, a JSON body that
	// is not one object or names a member twice.
	ErrBadRequest = errors.New("httpx: malformed token request")
	// ErrCSRF reports an unsafe request authenticated by a cookie without
	// the matching CSRF token.
	ErrCSRF = errors.New("httpx: CSRF token missing or incorrect")
	// ErrCrossOrigin reports a cookie-authenticated request refused by the
	// WithCrossOriginProtection check: an unsafe method from another origin.
	ErrCrossOrigin = errors.New("httpx: cross-origin request")
	// ErrForbidden reports a request refused by an authorization check.
	ErrForbidden = errors.New("httpx: forbidden")
)

// Reason is a stable code for the outcome of a request, for metrics, audit
// logs and per-reason error handlers.
type Reason string

// The reasons.
const (
	ReasonAuthenticated Reason = "authenticated"          // a valid token (and user)
	ReasonAnonymous     Reason = "anonymous"              // no token on an optional route
	ReasonLoggedOut     Reason = "logged_out"             // LogoutHandler ended a session
	ReasonMissing       Reason = "missing"                // no token: ErrNoToken
	ReasonBadRequest    Reason = "bad_request"            // ErrBadRequest
	ReasonInvalid       Reason = "invalid"                // malformed, wrong iss/aud/nbf/iat, a custom check
	ReasonSignature     Reason = "signature"              // bad signature, unknown kid, wrong alg
	ReasonExpired       Reason = "expired"                // exp passed, nothing else wrong
	ReasonWrongType     Reason = "wrong_type"             // refresh token as access token or the reverse
	ReasonNotFresh      Reason = "not_fresh"              // a fresh token needed
	ReasonRevoked       Reason = "revoked"                // jwtx.ErrRevoked
	ReasonReused        Reason = "reused"                 // a rotated refresh token presented again: jwtx.ErrReused
	ReasonUnavailable   Reason = "revocation_unavailable" // the revocation store failed, or remote keys are too stale
	ReasonCSRF          Reason = "csrf"                   // ErrCSRF
	ReasonCrossOrigin   Reason = "cross_origin"           // ErrCrossOrigin
	ReasonUserMissing   Reason = "user_missing"           // jwtx.ErrUserNotFound
	ReasonUserLoad      Reason = "user_load"              // the user loader failed
	ReasonForbidden     Reason = "forbidden"              // an authorization check said no
	ReasonInternal      Reason = "internal"               // anything else
)

// ReasonOf classifies an error from verification or from this package. A
// token that is expired and wrong in another way is "invalid", not
// "expired", so that clients refresh only when refreshing can help.
func ReasonOf(err error) Reason {
	switch {
	case err == nil:
		return ReasonAuthenticated
	case errors.Is(err, ErrNoToken):
		return ReasonMissing
	case errors.Is(err, ErrBadRequest):
		return ReasonBadRequest
	case errors.Is(err, ErrCSRF):
		return ReasonCSRF
	case errors.Is(err, ErrCrossOrigin):
		return ReasonCrossOrigin
	case errors.Is(err, ErrForbidden):
		return ReasonForbidden
	case errors.Is(err, jwtx.ErrRevocationUnavailable), errors.Is(err, jwtx.ErrJWKS):
		return ReasonUnavailable
	case errors.Is(err, jwtx.ErrUserLoad):
		return ReasonUserLoad
	case errors.Is(err, jwtx.ErrUserNotFound):
		return ReasonUserMissing
	case errors.Is(err, jwtx.ErrReused):
		return ReasonReused
	case errors.Is(err, jwtx.ErrSignature), errors.Is(err, jwtx.ErrKeyNotFound), errors.Is(err, jwtx.ErrAlgorithm):
		return ReasonSignature
	case errors.Is(err, jwtx.ErrRevoked):
		return ReasonRevoked
	case errors.Is(err, jwtx.ErrTokenType):
		return ReasonWrongType
	case errors.Is(err, jwtx.ErrMalformed), errors.Is(err, jwtx.ErrTooLarge), errors.Is(err, jwtx.ErrUnsupported),
		errors.Is(err, jwtx.ErrIssuer), errors.Is(err, jwtx.ErrAudience), errors.Is(err, jwtx.ErrNotYetValid),
		errors.Is(err, jwtx.ErrIssuedAt), errors.Is(err, jwtx.ErrMissingClaim), errors.Is(err, jwtx.ErrClaims):
		return ReasonInvalid
	case errors.Is(err, jwtx.ErrNotFresh):
		return ReasonNotFresh
	case errors.Is(err, jwtx.ErrExpired):
		return ReasonExpired
	}
	return ReasonInternal
}

// response is the default answer for one reason.
type response struct {
	status int
	code   string // RFC 6750 error code; "" for none
	msg    string // body and error_description; never from the error text
}

// responseFor maps a reason to the default response (RFC 6750 §3). Every
// token failure that is not about expiry, type or freshness gets the same
// answer, so a client cannot tell an unknown kid from a bad signature.
func responseFor(r Reason) response {
	switch r {
	case ReasonAuthenticated, ReasonAnonymous, ReasonLoggedOut:
		return response{http.StatusOK, "", ""}
	case ReasonMissing:
		return response{http.StatusUnauthorized, "", "missing token"}
	case ReasonBadRequest:
		return response{http.StatusBadRequest, "invalid_request", "malformed token request"}
	case ReasonExpired:
		return response{http.StatusUnauthorized, "invalid_token", "token expired"}
	case ReasonWrongType:
		return response{http.StatusUnauthorized, "invalid_token", "wrong token type"}
	case ReasonNotFresh:
		return response{http.StatusUnauthorized, "invalid_token", "fresh token required"}
	case ReasonRevoked:
		return response{http.StatusUnauthorized, "invalid_token", "token revoked"}
	case ReasonReused:
		return response{http.StatusUnauthorized, "invalid_token", "refresh token reused; log in again"}
	case ReasonUnavailable:
		return response{http.StatusServiceUnavailable, "", "try again later"}
	case ReasonCSRF:
		return response{http.StatusForbidden, "", "CSRF token missing or incorrect"}
	case ReasonCrossOrigin:
		return response{http.StatusForbidden, "", "cross-origin request refused"}
	case ReasonUserMissing:
		return response{http.StatusUnauthorized, "invalid_token", "user not found"}
	case ReasonForbidden:
		return response{http.StatusForbidden, "insufficient_scope", "forbidden"}
	case ReasonInvalid, ReasonSignature:
		return response{http.StatusUnauthorized, "invalid_token", "invalid token"}
	}
	return response{http.StatusInternalServerError, "", "internal error"}
}

// Status returns the HTTP status of the default answer to a request
// refused for r: 401, 400, 403, 503, or 500 for ReasonInternal, the user
// store's failures and reasons this package does not define. The reasons
// of a request let through (authenticated, anonymous, logged_out) give 200.
// Frameworks that answer refusals their own way use it, and map it to
// their own codes (gRPC's Unauthenticated for 401, say).
func (r Reason) Status() int { return responseFor(r).status }

// Message returns the fixed text of the default answer to a request
// refused for r, the msg of its JSON body ("token expired"); "" for the
// reasons of a request let through. It never depends on the error, so it
// is safe to show to clients.
func (r Reason) Message() string { return responseFor(r).msg }

// An ErrorHandler answers a refused request. err is the full error, for
// errors.Is and errors.As; its text is for logs, never for the response.
type ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)

// DefaultErrors returns the default ErrorHandler: the status, RFC 6750
// WWW-Authenticate header and JSON body {"msg": "..."} of the error's
// [Reason], with fixed texts that never echo the token or the error.
func DefaultErrors(realm string) ErrorHandler { return defaultErrors(realm, "Bearer") }

// defaultErrors is DefaultErrors with the challenge's scheme.
func defaultErrors(realm, scheme string) ErrorHandler {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		reason := ReasonOf(err)
		if reason.Status() < http.StatusBadRequest { // a nil error: no refusal to explain
			reason = ReasonInternal
		}
		refusalHeader(w.Header(), reason, realm, scheme)
		WriteJSON(w, reason.Status(), map[string]string{"msg": reason.Message()})
	}
}

// refusalHeader sets the headers of the default answer to a request
// refused for reason: the challenge, and Retry-After for a temporary
// failure.
func refusalHeader(h http.Header, reason Reason, realm, scheme string) {
	resp := responseFor(reason)
	if resp.status == http.StatusUnauthorized || resp.code != "" {
		h.Set("WWW-Authenticate", challenge(scheme, realm, resp))
	}
	if reason == ReasonUnavailable {
		h.Set("Retry-After", "1")
	}
}

// challenge builds a WWW-Authenticate value (RFC 6750 §3).
func challenge(scheme, realm string, resp response) string {
	v := scheme + " realm=" + strconv.Quote(realm)
	if resp.code != "" {
		v += ", error=" + strconv.Quote(resp.code) + ", error_description=" + strconv.Quote(resp.msg)
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
