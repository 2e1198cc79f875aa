package httpx

import "errors"

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
