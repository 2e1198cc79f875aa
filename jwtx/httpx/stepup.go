package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// ErrStepUp reports a token whose user authenticated too long ago or not
// strongly enough for the route (RFC 9470 insufficient_user_authentication).
// Errors wrapping it are [*StepUpError]s.
var ErrStepUp = errors.New("httpx: stronger or more recent authentication required")

// StepUp is what a route requires of the user's authentication (RFC 9470):
// a recent one, a strong one, or both.
type StepUp struct {
	// ACRValues lists the authentication context classes accepted; the
	// token's acr must be one of them. Empty: any.
	ACRValues []string
	// MaxAge is the longest time since the user last authenticated
	// actively. 0: any. It is written in whole seconds, so below one
	// second it is refused.
	MaxAge time.Duration
}

// StepUpError reports a token that does not meet a route's [StepUp]. The
// requirement, not the token, goes into the challenge.
type StepUpError struct {
	Need StepUp
}

// Error names what the route requires.
func (e *StepUpError) Error() string {
	var parts []string
	if len(e.Need.ACRValues) > 0 {
		parts = append(parts, "acr one of "+strconv.Quote(strings.Join(e.Need.ACRValues, " ")))
	}
	if e.Need.MaxAge > 0 {
		parts = append(parts, "an authentication within "+e.Need.MaxAge.String())
	}
	return "httpx: step-up required: the route needs " + strings.Join(parts, " and ")
}

// Unwrap returns [ErrStepUp].
func (e *StepUpError) Unwrap() error { return ErrStepUp }

// StepUpCheck returns a check, for [Auth.Authorize], [Auth.HandlerFunc],
// [Auth.Authenticate] and the framework adapters, that needs the user's
// authentication to meet need. It reads acr and auth_time from the
// verified token whatever the claims type.
//
// First-party tokens (typedjwt's own) carry no auth_time but a fresh claim:
// a token that is fresh now ([jwtx.AsFresh], [jwtx.FreshFor], issued right
// after the user entered a password) counts as an authentication at its
// iat; a token that is not fresh (one minted by a refresh) has no known
// authentication time and fails any MaxAge.
//
// A refused request is answered 401 with
// error="insufficient_user_authentication" and the requirement in
// acr_values="..." and max_age="..." (RFC 9470 §3), so that the client
// asks the provider for such an authentication (acr_values and max_age of
// the authorization request) and retries; [ReasonOf] gives
// [ReasonStepUp]. A requirement with neither ACRValues nor MaxAge, an
// MaxAge under a second, or an acr value that cannot be written into the
// challenge is a programming error: every request is refused (403
// forbidden) with an error wrapping jwtx.ErrConfig.
func (a *Auth[U, C]) StepUpCheck(need StepUp) func(ctx context.Context, claims C, user U) error {
	need.ACRValues = slices.Clone(need.ACRValues)
	bad := validStepUp(need)
	return func(ctx context.Context, _ C, _ U) error {
		if bad != nil {
			return bad
		}
		raw, ok := jwtx.RawFrom(ctx)
		if !ok {
			return fmt.Errorf("%w: httpx: StepUpCheck needs the verified claims in the context; use it as a check of Authorize, HandlerFunc or Authenticate", jwtx.ErrConfig)
		}
		info, err := raw.Access()
		if err != nil {
			return err
		}
		if len(need.ACRValues) > 0 && !slices.Contains(need.ACRValues, info.ACR) {
			return &StepUpError{Need: need}
		}
		if need.MaxAge > 0 {
			now := a.ver.Now()
			at := info.AuthTime
			if at.IsZero() && info.Fresh.At(now) {
				at = info.IssuedAt // a fresh first-party token: the password was checked when it was issued
			}
			if at.IsZero() || now.Sub(at) > need.MaxAge {
				return &StepUpError{Need: need}
			}
		}
		return nil
	}
}

// RequireStepUp returns middleware that requires a valid access token
// whose user's authentication meets need, as [Auth.StepUpCheck] says.
//
//	mux.Handle("POST /transfer", auth.RequireStepUp(httpx.StepUp{ACRValues: []string{"mfa"}, MaxAge: 5 * time.Minute})(transfer))
func (a *Auth[U, C]) RequireStepUp(need StepUp) func(http.Handler) http.Handler {
	return a.Authorize(a.StepUpCheck(need))
}

func validStepUp(need StepUp) error {
	if len(need.ACRValues) == 0 && need.MaxAge == 0 {
		return fmt.Errorf("%w: httpx: a StepUp needs ACRValues, MaxAge or both", jwtx.ErrConfig)
	}
	if need.MaxAge != 0 && need.MaxAge < time.Second {
		return fmt.Errorf("%w: httpx: StepUp MaxAge %v is under a second", jwtx.ErrConfig, need.MaxAge)
	}
	for _, acr := range need.ACRValues {
		if !isScopeToken(acr) { // acr_values is space-separated, as scope is
			return fmt.Errorf("%w: httpx: acr value %q cannot be written into acr_values", jwtx.ErrConfig, acr)
		}
	}
	return nil
}

// challengeParams returns the parameters an error adds to the challenge:
// scope for a [*ScopeError], acr_values and max_age for a [*StepUpError].
// They state the route's requirement, never anything the token said.
func challengeParams(err error) string {
	var b strings.Builder
	param := func(name, value string) { b.WriteString(", " + name + "=" + strconv.Quote(value)) }
	var se *ScopeError
	if errors.As(err, &se) {
		param("scope", strings.Join(se.Required, " "))
	}
	var su *StepUpError
	if errors.As(err, &su) {
		if len(su.Need.ACRValues) > 0 {
			param("acr_values", strings.Join(su.Need.ACRValues, " "))
		}
		if su.Need.MaxAge > 0 {
			param("max_age", strconv.FormatInt(int64(su.Need.MaxAge/time.Second), 10))
		}
	}
	return b.String()
}
