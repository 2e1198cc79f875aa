package httpx_test

// The validation of every option.

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

func TestNewErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	otherUser, err := jwtx.NewIssuer[string, Claims](e.Key.Private())
	if err != nil {
		t.Fatal(err)
	}
	type OtherClaims struct{ jwtx.RegisteredClaims }
	otherClaims, err := jwtx.NewIssuer[User, OtherClaims](e.Key.Private(), jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }))
	if err != nil {
		t.Fatal(err)
	}
	noop := func(http.ResponseWriter, *http.Request, error) {}
	for _, tc := range []struct {
		name string
		opt  httpx.Option
	}{
		{name: "nil option", opt: nil},
		{name: "empty realm", opt: httpx.WithRealm("")},
		{name: "realm with a quote", opt: httpx.WithRealm(`a"b`)},
		{name: "realm with a backslash", opt: httpx.WithRealm(`a\b`)},
		{name: "realm with a newline", opt: httpx.WithRealm("a\r\nb")},
		{name: "no locations", opt: httpx.WithLocations()},
		{name: "duplicate location", opt: httpx.WithLocations(httpx.FromHeader, httpx.FromHeader)},
		{name: "location zero", opt: httpx.WithLocations(httpx.Location(0))},
		{name: "unknown location", opt: httpx.WithLocations(httpx.FromBody + 1)},
		{name: "empty header name", opt: httpx.WithAuthorizationHeader("", "Bearer")},
		{name: "scheme not a token", opt: httpx.WithAuthorizationHeader("Authorization", "Bear er")},
		{name: "scheme with a space", opt: httpx.WithAuthorizationHeader("Authorization", "Bearer x")},
		{name: "scheme with a tab", opt: httpx.WithAuthorizationHeader("Authorization", "Bearer\t")},
		{name: "empty query parameter", opt: httpx.WithQueryParam("")},
		{name: "empty access body field", opt: httpx.WithBodyFields("", "refresh_token")},
		{name: "empty refresh body field", opt: httpx.WithBodyFields("access_token", "")},
		{name: "zero body size", opt: httpx.WithMaxBodySize(0)},
		{name: "negative body size", opt: httpx.WithMaxBodySize(-1)},
		{name: "bad cookies", opt: httpx.WithCookies(httpx.Cookies{Domain: "example.com"})},
		{name: "empty CSRF header", opt: httpx.WithCSRFHeader("")},
		{name: "empty CSRF form field", opt: httpx.WithCSRFFormField("")},
		{name: "CSRF method GET", opt: httpx.WithCSRFMethods(http.MethodPost, http.MethodGet)},
		{name: "CSRF method HEAD", opt: httpx.WithCSRFMethods(http.MethodHead)},
		{name: "CSRF method OPTIONS", opt: httpx.WithCSRFMethods(http.MethodOptions)},
		{name: "CSRF method TRACE", opt: httpx.WithCSRFMethods(http.MethodTrace)},
		{name: "CSRF method get", opt: httpx.WithCSRFMethods("get")},
		{name: "nil error handler", opt: httpx.WithErrorHandler(nil)},
		{name: "nil reason handler", opt: httpx.WithReasonHandler(httpx.ReasonCSRF, nil)},
		{name: "nil event function", opt: httpx.WithEvents(nil)},
		{name: "implicit refresh without issuer", opt: httpx.WithImplicitRefresh((*jwtx.Issuer[User, Claims])(nil), time.Minute)},
		{name: "implicit refresh zero window", opt: httpx.WithImplicitRefresh(e.Issuer, 0)},
		{name: "implicit refresh negative window", opt: httpx.WithImplicitRefresh(e.Issuer, -time.Minute)},
		{name: "implicit refresh with another user type", opt: httpx.WithImplicitRefresh(otherUser, time.Minute)},
		{name: "implicit refresh with another claims type", opt: httpx.WithImplicitRefresh(otherClaims, time.Minute)},
		{name: "nil revoker", opt: httpx.WithRevoker(nil)},
		{name: "nil rotation store", opt: httpx.WithRotation(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := httpx.New(e.Verifier, tc.opt)
			if !errors.Is(err, jwtx.ErrConfig) {
				t.Errorf("New() error = %v, want one wrapping jwtx.ErrConfig", err)
			}
			if a != nil {
				t.Errorf("New() = %v, want nil on error", a)
			}
		})
	}
	t.Run("nil verifier", func(t *testing.T) {
		t.Parallel()
		if _, err := httpx.New[User, Claims](nil); !errors.Is(err, jwtx.ErrConfig) {
			t.Errorf("New(nil) error = %v, want one wrapping jwtx.ErrConfig", err)
		}
	})
	t.Run("every valid option", func(t *testing.T) {
		t.Parallel()
		_, err := httpx.New(e.Verifier,
			httpx.WithRealm("my api"),
			httpx.WithLocations(httpx.FromBody, httpx.FromQuery, httpx.FromCookie, httpx.FromHeader),
			httpx.WithAuthorizationHeader("X-Token", "Token"),
			httpx.WithQueryParam("access_token"),
			httpx.WithBodyFields("at", "rt"),
			httpx.WithMaxBodySize(1),
			httpx.WithCookies(httpx.Cookies{Insecure: true}),
			httpx.WithCSRF(false),
			httpx.WithCSRFHeader("X-XSRF-Token"),
			httpx.WithCSRFFormField("csrf"),
			httpx.WithCSRFMethods("POST", "PURGE"),
			httpx.WithErrorHandler(noop),
			httpx.WithReasonHandler(httpx.ReasonCSRF, noop),
			httpx.WithEvents(func(context.Context, httpx.Event) {}),
			httpx.WithLazyUser(true),
			httpx.WithImplicitRefresh(e.Issuer, time.Minute),
			httpx.WithRevoker(newMemStore()),
		)
		if err != nil {
			t.Errorf("New() error = %v", err)
		}
	})
}
