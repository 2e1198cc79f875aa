package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/typedjwt/typedjwt/jwtx"
)

// ErrInsufficientScope reports a token without the scopes a route needs
// (RFC 6750 §3.1 insufficient_scope). Errors wrapping it are
// [*ScopeError]s.
var ErrInsufficientScope = errors.New("httpx: insufficient scope")

// ScopeMatch says how the scopes of a requirement combine.
type ScopeMatch uint8

// The ways scopes combine.
const (
	// AllScopes needs every scope listed.
	AllScopes ScopeMatch = iota
	// AnyScope needs at least one of the scopes listed.
	AnyScope
)

// ScopeError reports a token that lacks the scopes a route needs. Its
// Required scopes go into the challenge's scope parameter, which names
// what the route needs, never what the token had.
type ScopeError struct {
	Match    ScopeMatch // AllScopes or AnyScope
	Required []string   // the route's scopes
}

// Error names the scopes needed.
func (e *ScopeError) Error() string {
	how := "all of"
	if e.Match == AnyScope {
		how = "one of"
	}
	return fmt.Sprintf("httpx: insufficient scope: the route needs %s %q", how, strings.Join(e.Required, " "))
}

// Unwrap returns [ErrInsufficientScope].
func (e *ScopeError) Unwrap() error { return ErrInsufficientScope }

// ScopeCheck returns a check, for [Auth.Authorize], [Auth.HandlerFunc],
// [Auth.Authenticate] and the framework adapters, that needs the verified
// token's scopes to hold all of scopes (AllScopes) or one of them
// (AnyScope). The scopes are read from the scope claim (a space-separated
// string, RFC 9068 and RFC 8693), or scp where a provider writes that
// instead (Okta, Entra ID), whatever the claims type, and compared exactly.
//
// A refused request is answered 403 with error="insufficient_scope" and
// scope="..." listing scopes, space-separated, in the challenge (RFC 6750
// §3); [ReasonOf] gives [ReasonInsufficientScope]. Scopes that are not RFC
// 6749 scope tokens (empty, or with spaces, quotes, backslashes or control
// characters), or none at all, are a programming error: every request
// is then refused (403 forbidden) with an error wrapping jwtx.ErrConfig
// for the logs and events, so the first test of the route shows it.
func (a *Auth[U, C]) ScopeCheck(match ScopeMatch, scopes ...string) func(ctx context.Context, claims C, user U) error {
	required := append([]string(nil), scopes...)
	bad := validScopes(match, required)
	return func(ctx context.Context, _ C, _ U) error {
		if bad != nil {
			return bad
		}
		raw, ok := jwtx.RawFrom(ctx)
		if !ok {
			return fmt.Errorf("%w: httpx: ScopeCheck needs the verified claims in the context; use it as a check of Authorize, HandlerFunc or Authenticate", jwtx.ErrConfig)
		}
		info, err := raw.Access()
		if err != nil {
			return err
		}
		has := info.Scopes.ContainsAll
		if match == AnyScope {
			has = info.Scopes.ContainsAny
		}
		if !has(required...) {
			return &ScopeError{Match: match, Required: required}
		}
		return nil
	}
}

// RequireScopes returns middleware that requires a valid access token with
// the scopes of [Auth.ScopeCheck]: all of them, or one of them.
//
//	mux.Handle("GET /orders", auth.RequireScopes(httpx.AllScopes, "orders:read")(list))
func (a *Auth[U, C]) RequireScopes(match ScopeMatch, scopes ...string) func(http.Handler) http.Handler {
	return a.Authorize(a.ScopeCheck(match, scopes...))
}

// validScopes refuses a requirement that cannot be written into a
// challenge: none, an unknown match, or a scope that is not an RFC 6749
// §3.3 scope-token (%x21 / %x23-5B / %x5D-7E).
func validScopes(match ScopeMatch, scopes []string) error {
	if match != AllScopes && match != AnyScope {
		return fmt.Errorf("%w: httpx: unknown ScopeMatch %d: use AllScopes or AnyScope", jwtx.ErrConfig, match)
	}
	if len(scopes) == 0 {
		return fmt.Errorf("%w: httpx: a scope requirement without scopes: name at least one", jwtx.ErrConfig)
	}
	for _, s := range scopes {
		if !isScopeToken(s) {
			return fmt.Errorf("%w: httpx: %q is not a scope token (RFC 6749 §3.3)", jwtx.ErrConfig, s)
		}
	}
	return nil
}

func isScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c == '"' || c == '\\' || c > 0x7e {
			return false
		}
	}
	return true
}
