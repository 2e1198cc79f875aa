package jwtx

import (
	"errors"
	"strconv"
	"strings"
)

// Errors returned when an Issuer, Verifier or Key is built.
var (
	// ErrKey reports key material that is unusable or unsafe for its algorithm.
	ErrKey = errors.New("jwtx: unusable key")
	// ErrConfig reports an invalid option or option combination.
	ErrConfig = errors.New("jwtx: invalid configuration")
)

// Errors returned by verification. Every failure wraps one of the token
// errors below (or [ErrReused] from a RotationStore, or [ErrJWKS] from a
// RemoteKeySet whose keys are too stale), possibly together with
// [ErrClaims] or a user error, so that errors.Is tells the reason apart.
var (
	// ErrTooLarge reports a token longer than the verifier's size limit.
	ErrTooLarge = errors.New("jwtx: token too large")
	// ErrMalformed reports a token that is not a well-formed compact JWS
	// with a JSON object header and claims of the expected types.
	ErrMalformed = errors.New("jwtx: malformed token")
	// ErrUnsupported reports a JOSE feature jwtx refuses: JWE, crit, b64,
	// zip, enc, and a nested token (cty "JWT").
	ErrUnsupported = errors.New("jwtx: unsupported token feature")
	// ErrAlgorithm reports a header alg that is missing, "none", not allowed,
	// or not the algorithm of the selected key.
	ErrAlgorithm = errors.New("jwtx: algorithm not allowed")
	// ErrKeyNotFound reports a kid that names no configured key, or a token
	// without kid when the algorithm has several keys.
	ErrKeyNotFound = errors.New("jwtx: no matching key")
	// ErrSignature reports a signature that does not verify.
	ErrSignature = errors.New("jwtx: invalid signature")
	// ErrTokenType reports an access token where a refresh token is needed,
	// or the reverse (header typ or type claim).
	ErrTokenType = errors.New("jwtx: wrong token type")
	// ErrMissingClaim reports a required claim that is absent.
	ErrMissingClaim = errors.New("jwtx: missing claim")
	// ErrExpired reports a token past its exp.
	ErrExpired = errors.New("jwtx: token expired")
	// ErrNotYetValid reports a token before its nbf.
	ErrNotYetValid = errors.New("jwtx: token not valid yet")
	// ErrIssuedAt reports an iat in the future, or older than the maximum age.
	ErrIssuedAt = errors.New("jwtx: unacceptable issue time")
	// ErrIssuer reports an iss other than the expected one.
	ErrIssuer = errors.New("jwtx: wrong issuer")
	// ErrAudience reports an aud that does not name the verifier.
	ErrAudience = errors.New("jwtx: wrong audience")
	// ErrNotFresh reports a token that is not fresh where freshness is needed.
	ErrNotFresh = errors.New("jwtx: token not fresh")
	// ErrClaims reports claims refused by a check of the application's own
	// (a Validate method or WithCheck). The check's error is wrapped too.
	ErrClaims = errors.New("jwtx: claims rejected")
	// ErrRevoked reports a token that has been revoked.
	ErrRevoked = errors.New("jwtx: token revoked")
	// ErrRevocationUnavailable reports that the revocation store could not
	// answer; the token is refused (fail closed).
	ErrRevocationUnavailable = errors.New("jwtx: revocation check unavailable")
	// ErrUserNotFound reports that the UserLoader found no user for the
	// token's subject. A UserLoader returns it (or wraps it) to say so.
	ErrUserNotFound = errors.New("jwtx: user not found")
	// ErrUserLoad reports that the UserLoader failed for another reason.
	ErrUserLoad = errors.New("jwtx: user load failed")
)

// Errors returned when a token is issued.
var (
	// ErrReservedClaim reports a ClaimsFunc, Modify or ExtraClaims that set a
	// claim the Issuer owns (sub, exp, iat, nbf, jti, type, fresh, csrf,
	// fam) without AllowOverride.
	ErrReservedClaim = errors.New("jwtx: reserved claim set")
	// ErrIdentity reports an IdentityFunc that failed or returned "".
	ErrIdentity = errors.New("jwtx: no identity")
)

// Errors of the stores, remote keys and context helpers follow.

// ErrNoUser is returned by [UserFromContext] when the context carries no user
// of the requested type.
var ErrNoUser = errors.New("jwtx: no user in context")

// ErrJWKS reports a JWKS endpoint that could not be used: unreachable, slow,
// too large, not a JWK Set, or without a usable key. The keys fetched before
// stay in use.
var ErrJWKS = errors.New("jwtx: JWKS fetch failed")

// ErrStoreFull reports a MemoryStore that cannot make room: every entry is
// a live revocation of another subject (live rotation state yields to
// revocations first, see [MemoryStore]). Dropping a live revocation instead
// would bring a revoked token back, so the write fails.
var ErrStoreFull = errors.New("jwtx: revocation store full")

// ErrReused reports a refresh token presented again after it was rotated:
// a replay by a thief, or two clients racing with one token. Its whole
// family is revoked, access tokens included, and the user must log in again.
var ErrReused = errors.New("jwtx: refresh token reused")

// ClaimError reports a claim that failed validation.
type ClaimError struct {
	Claim string // the claim name, as in the JSON payload: "exp", "aud", ...
	Err   error  // a sentinel such as ErrExpired, possibly with a cause
}

// Error names the claim and the reason.
func (e *ClaimError) Error() string { return "jwtx: claim " + quote(e.Claim) + ": " + inner(e.Err) }

// Unwrap returns the sentinel.
func (e *ClaimError) Unwrap() error { return e.Err }

// HeaderError reports a JOSE header parameter that failed validation.
type HeaderError struct {
	Param string // the header parameter: "alg", "typ", "kid", "crit", ...
	Err   error  // a sentinel such as ErrAlgorithm
}

// Error names the header parameter and the reason.
func (e *HeaderError) Error() string { return "jwtx: header " + e.Param + ": " + inner(e.Err) }

// Unwrap returns the sentinel.
func (e *HeaderError) Unwrap() error { return e.Err }

// TokenError reports a token whose signature verified but that a later
// check refused (expired, wrong audience, revoked, a custom check, ...). It
// names the token for audit logs; its message is Err's. Failures before the
// signature is verified never carry claims.
type TokenError struct {
	// Token is what the token says: jti, sub, iss, type, fam, csrf, iat,
	// exp. Its signature verified; its claims were refused.
	Token TokenInfo
	// Claims is the token's payload, for handlers that answer with other
	// claims (flask-jwt-extended's expired_token_loader(jwt_header,
	// jwt_payload)). It never appears in the message.
	Claims RawClaims
	// Err is the refusal, wrapping one of the sentinels.
	Err error
}

// Error returns the refusal's message.
func (e *TokenError) Error() string { return e.Err.Error() }

// Unwrap returns the refusal.
func (e *TokenError) Unwrap() error { return e.Err }

// UserError reports a failure of the UserLoader for a verified token.
type UserError struct {
	Subject string // the token's verified subject
	Err     error  // ErrUserNotFound or ErrUserLoad, joined with the loader's error
}

// Error names the subject, quoted and truncated, and the reason.
func (e *UserError) Error() string {
	return "jwtx: user " + quote(e.Subject) + ": " + inner(e.Err)
}

// Unwrap returns the wrapped errors.
func (e *UserError) Unwrap() error { return e.Err }

// inner is the message of an error nested in one of this package's, without
// a second "jwtx: " prefix.
func inner(err error) string { return strings.TrimPrefix(err.Error(), "jwtx: ") }

// tokenKind names a token type in a message.
func tokenKind(t TokenType) string {
	switch t {
	case Access, Refresh:
		return string(t)
	case "":
		return "untyped"
	}
	return quote(string(t))
}

// quoteList quotes each of a few configured values.
func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = quote(v)
	}
	return strings.Join(q, " or ")
}

// quote quotes an untrusted string for an error message, truncated so that
// no message carries more than a short prefix of attacker-chosen input.
func quote(s string) string { return strconv.Quote(truncate(s)) }

func truncate(s string) string {
	const max = 32
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
