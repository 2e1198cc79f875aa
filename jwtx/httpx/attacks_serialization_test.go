package httpx_test

// Attack catalogue B16: malformed JSON-serialization structures (jwx
// CVE-2024-21664) through the middleware: never a panic, never a 500.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestJSONSerializationRefused covers B16: malformed JSON-serialization
// structures in the header, the cookie and the query are a 400 or a 401,
// and the handler never runs.
func TestJSONSerializationRefused(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, jwtx.RegisteredClaims](t)
	auth := env.Auth(t, httpx.WithLocations(httpx.FromHeader, httpx.FromCookie, httpx.FromQuery))
	var reached int
	h := auth.Required(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached++ }))
	for _, input := range []string{
		`{"payload":"e30","signature":"AAAA"}`,
		`{"payload":"e30","signatures":[{"signature":"AAAA"}]}`,
		`{"payload":"e30","signatures":[]}`,
		`{"signatures":null}`,
		`{"payload":"SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLg","signature":"xuLifqLGiblpv9zBpuZczWhNj1gARaLV3UxvxhJxZuk","header":{"alg":"HS256","kid":"018c0ae5"}}`,
	} {
		for _, where := range []string{"header", "cookie", "query"} {
			t.Run("B16/"+where+"/"+input[:min(len(input), 24)], func(t *testing.T) {
				req := httptest.NewRequestWithContext(context.Background(), "GET", "/", nil)
				switch where {
				case "header":
					req.Header.Set("Authorization", "Bearer "+input)
				case "cookie":
					req.AddCookie(&http.Cookie{Name: "__Host-access_token", Value: url.QueryEscape(input)})
				case "query":
					req.URL.RawQuery = url.Values{"jwt": {input}}.Encode()
				}
				rec := testutil.Serve(h, req)
				if rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnauthorized {
					t.Errorf("status %d, want 400 or 401", rec.Code)
				}
			})
		}
	}
	if reached != 0 {
		t.Errorf("the handler ran %d times", reached)
	}
}
