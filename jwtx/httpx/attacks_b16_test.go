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
)

func TestAttackB16(t *testing.T) {
	t.Parallel()
	key, err := jwtx.NewKey(jwtx.HS256, []byte("b16-test-secret-of-at-least-32-b!!"))
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewClaimsVerifier[jwtx.RegisteredClaims](key)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := httpx.New(ver, httpx.WithLocations(httpx.FromHeader, httpx.FromCookie, httpx.FromQuery))
	if err != nil {
		t.Fatal(err)
	}
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
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
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
