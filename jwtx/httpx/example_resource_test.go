package httpx_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// exampleResourceServer returns an Auth for RFC 9068 access tokens of one
// provider, and a function that mints its tokens with the given scope,
// acr and auth_time; everything at a fixed time.
func exampleResourceServer() (*httpx.Auth[jwtx.NoUser, jwtx.AccessTokenClaims], func(scope, acr string, authAgo time.Duration) string) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return now }))
	key, err := jwtx.NewKey(jwtx.EdDSA, ed25519.NewKeyFromSeed([]byte(strings.Repeat("k", 32))), jwtx.WithKeyID("key-1"))
	if err != nil {
		panic(err)
	}
	shared := jwtx.Options(clock, jwtx.WithIssuer("https://id.example"), jwtx.WithAudience("https://orders.example"))
	ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](key.Public(), shared, jwtx.WithAccessTokenProfile())
	if err != nil {
		panic(err)
	}
	auth, err := httpx.New(ver)
	if err != nil {
		panic(err)
	}
	idp, err := jwtx.NewIssuer[string, jwtx.AccessTokenClaims](key, shared)
	if err != nil {
		panic(err)
	}
	mint := func(scope, acr string, authAgo time.Duration) string {
		tok, err := idp.Access(context.Background(), "user-1", idp.Modify(func(c *jwtx.AccessTokenClaims) {
			c.ClientID, c.Scope, c.ACR, c.AuthTime = "spa", strings.Fields(scope), acr, jwtx.NewNumericDate(now.Add(-authAgo))
		}))
		if err != nil {
			panic(err)
		}
		return tok.Raw
	}
	return auth, mint
}

// RequireScopes answers a token without the route's scopes with 403 and
// the scopes the route needs in the challenge (RFC 6750 §3).
func ExampleAuth_RequireScopes() {
	auth, mint := exampleResourceServer()
	list := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := jwtx.From[jwtx.AccessTokenClaims](r.Context())
		fmt.Fprintf(w, "orders of %s", c.Subject)
	})
	h := auth.RequireScopes(httpx.AllScopes, "orders:read")(list)

	for _, scope := range []string{"profile orders:read", "profile"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/orders", nil)
		req.Header.Set("Authorization", "Bearer "+mint(scope, "", time.Hour))
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body.String())
	}
	// Output:
	// 200  orders of user-1
	// 403 Bearer realm="api", error="insufficient_scope", error_description="insufficient scope", scope="orders:read" {"msg":"insufficient scope"}
}

// RequireStepUp answers a token whose user authenticated too long ago, or
// not strongly enough, with 401 insufficient_user_authentication and what
// the route needs (RFC 9470), so that the client asks the provider for it.
func ExampleAuth_RequireStepUp() {
	auth, mint := exampleResourceServer()
	refund := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "refunded") })
	h := auth.RequireStepUp(httpx.StepUp{ACRValues: []string{"mfa"}, MaxAge: 5 * time.Minute})(refund)

	for _, tc := range []struct {
		acr string
		ago time.Duration
	}{{"mfa", time.Minute}, {"mfa", time.Hour}, {"pwd", time.Minute}} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/refunds", nil)
		req.Header.Set("Authorization", "Bearer "+mint("", tc.acr, tc.ago))
		h.ServeHTTP(rec, req)
		fmt.Println(strings.TrimSpace(fmt.Sprint(rec.Code, " ", rec.Header().Get("WWW-Authenticate"))))
	}
	// Output:
	// 200
	// 401 Bearer realm="api", error="insufficient_user_authentication", error_description="stronger or more recent authentication required", acr_values="mfa", max_age="300"
	// 401 Bearer realm="api", error="insufficient_user_authentication", error_description="stronger or more recent authentication required", acr_values="mfa", max_age="300"
}
