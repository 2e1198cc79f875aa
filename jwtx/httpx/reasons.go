package httpx

import (
	"errors"
	"net/http"

	"github.com/typedjwt/typedjwt/jwtx"
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
	ReasonInvalid       Reason = "invalid"                // malformed, wrong iss/aud/nbf/iat
	ReasonClaims        Reason = "claims"                 // a check of the application's own refused the claims: jwtx.ErrClaims
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

// The reasons of resource servers: scope and step-up checks.
const (
	ReasonInsufficientScope Reason = "insufficient_scope" // a scope check said no: ErrInsufficientScope
	ReasonStepUp            Reason = "step_up"            // a step-up check said no: ErrStepUp
)

// An Answer is one row of the reason table: a [Reason], the errors it
// stands for, and the default answer to a request refused for it.
type Answer struct {
	Reason Reason
	// Errors are the sentinels an error must wrap (one of them) to have
	// this reason, unless an earlier row matched first.
	Errors []error
	// Status is the HTTP status of the default answer.
	Status int
	// Code is the RFC 6750 error code of the WWW-Authenticate challenge;
	// "" for none.
	Code string
	// Message is the fixed text of the JSON body's msg and of the
	// challenge's error_description. It never depends on the error, so it
	// is safe to show to clients.
	Message string
}

// Answers returns the reason table, in the order [ReasonOf] tries its
// rows: the first row whose Errors an error wraps gives its reason; an
// error no row matches is ReasonInternal (the last row). The table drives
// ReasonOf, the default answers of [DefaultErrors] and [Reason.Status] and
// [Reason.Message], and the table in the package documentation. Every
// token failure that is not about expiry, type or freshness gets the same
// answer, so that a client cannot tell an unknown kid from a bad
// signature. The slice is new on each call.
func Answers() []Answer {
	unauthorized := func(r Reason, msg string, errs ...error) Answer {
		return Answer{Reason: r, Errors: errs, Status: http.StatusUnauthorized, Code: "invalid_token", Message: msg}
	}
	return []Answer{
		{Reason: ReasonAuthenticated, Status: http.StatusOK},
		{Reason: ReasonAnonymous, Status: http.StatusOK},
		{Reason: ReasonLoggedOut, Status: http.StatusOK},
		{Reason: ReasonMissing, Errors: []error{ErrNoToken}, Status: http.StatusUnauthorized, Message: "missing token"},
		{Reason: ReasonBadRequest, Errors: []error{ErrBadRequest}, Status: http.StatusBadRequest, Code: "invalid_request", Message: "malformed token request"},
		{Reason: ReasonCSRF, Errors: []error{ErrCSRF}, Status: http.StatusForbidden, Message: "CSRF token missing or incorrect"},
		{Reason: ReasonCrossOrigin, Errors: []error{ErrCrossOrigin}, Status: http.StatusForbidden, Message: "cross-origin request refused"},
		{Reason: ReasonInsufficientScope, Errors: []error{ErrInsufficientScope}, Status: http.StatusForbidden, Code: "insufficient_scope", Message: "insufficient scope"},
		{Reason: ReasonStepUp, Errors: []error{ErrStepUp}, Status: http.StatusUnauthorized, Code: "insufficient_user_authentication", Message: "stronger or more recent authentication required"},
		{Reason: ReasonForbidden, Errors: []error{ErrForbidden}, Status: http.StatusForbidden, Code: "insufficient_scope", Message: "forbidden"},
		{Reason: ReasonUnavailable, Errors: []error{jwtx.ErrRevocationUnavailable, jwtx.ErrJWKS}, Status: http.StatusServiceUnavailable, Message: "try again later"},
		{Reason: ReasonUserLoad, Errors: []error{jwtx.ErrUserLoad}, Status: http.StatusInternalServerError, Message: "internal error"},
		unauthorized(ReasonUserMissing, "user not found", jwtx.ErrUserNotFound),
		unauthorized(ReasonReused, "refresh token reused; log in again", jwtx.ErrReused),
		unauthorized(ReasonSignature, "invalid token", jwtx.ErrSignature, jwtx.ErrKeyNotFound, jwtx.ErrAlgorithm),
		unauthorized(ReasonRevoked, "token revoked", jwtx.ErrRevoked),
		unauthorized(ReasonWrongType, "wrong token type", jwtx.ErrTokenType),
		unauthorized(ReasonInvalid, "invalid token", jwtx.ErrMalformed, jwtx.ErrTooLarge, jwtx.ErrUnsupported,
			jwtx.ErrIssuer, jwtx.ErrAudience, jwtx.ErrNotYetValid, jwtx.ErrIssuedAt, jwtx.ErrMissingClaim),
		unauthorized(ReasonClaims, "invalid token", jwtx.ErrClaims),
		unauthorized(ReasonNotFresh, "fresh token required", jwtx.ErrNotFresh),
		unauthorized(ReasonExpired, "token expired", jwtx.ErrExpired),
		{Reason: ReasonInternal, Status: http.StatusInternalServerError, Message: "internal error"},
	}
}

// ReasonOf classifies an error from verification or from this package by
// the reason table ([Answers]). A token that is expired and wrong in
// another way is "invalid", not "expired", so that clients refresh only
// when refreshing can help.
func ReasonOf(err error) Reason {
	if err == nil {
		return ReasonAuthenticated
	}
	for _, a := range Answers() {
		for _, e := range a.Errors {
			if errors.Is(err, e) {
				return a.Reason
			}
		}
	}
	return ReasonInternal
}

// answerOf returns the row of reason r, or that of ReasonInternal for a
// reason this package does not define.
func answerOf(r Reason) Answer {
	table := Answers()
	for _, a := range table {
		if a.Reason == r {
			return a
		}
	}
	return table[len(table)-1]
}
