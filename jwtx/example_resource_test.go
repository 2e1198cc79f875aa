package jwtx_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// exampleProvider stands for an identity provider in the examples: an
// Issuer of RFC 9068 access tokens (typ at+jwt, client_id, scope) signing
// with an Ed25519 key from seed, at a fixed time.
func exampleProvider(issuer, seed string) (*jwtx.Issuer[string, jwtx.AccessTokenClaims], *jwtx.Key) {
	key, err := jwtx.NewKey(jwtx.EdDSA, ed25519.NewKeyFromSeed([]byte(strings.Repeat(seed, 32)[:32])), jwtx.WithKeyID("key-1"))
	if err != nil {
		panic(err)
	}
	iss, err := jwtx.NewIssuer[string, jwtx.AccessTokenClaims](key, rsExampleClock(),
		jwtx.WithIssuer(issuer), jwtx.WithAudience("https://orders.example"),
		jwtx.WithClaims(func(_ context.Context, client string) (jwtx.AccessTokenClaims, error) {
			return jwtx.AccessTokenClaims{ClientID: client, Scope: jwtx.Scopes{"orders:read"}}, nil
		}))
	if err != nil {
		panic(err)
	}
	return iss, key.Public()
}

func rsExampleClock() jwtx.ClockOption {
	return jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
}

// A service trusts two identity providers at once. Each issuer's tokens
// are verified with its own keys only: a token signed by one provider that
// claims the other's iss fails, even though both name their key "key-1".
func ExampleNewIssuerSet() {
	okta, oktaKeys := exampleProvider("https://acme.okta.example/oauth2/default", "a")
	entra, entraKeys := exampleProvider("https://login.entra.example/tenant/v2.0", "b")
	rogue, _ := exampleProvider("https://acme.okta.example/oauth2/default", "b") // entra's key, okta's iss

	set, err := jwtx.NewIssuerSet(
		jwtx.TrustedIssuer{Issuer: "https://acme.okta.example/oauth2/default", Keys: oktaKeys},
		jwtx.TrustedIssuer{Issuer: "https://login.entra.example/tenant/v2.0", Keys: entraKeys},
	)
	if err != nil {
		panic(err)
	}
	ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](set, rsExampleClock(),
		jwtx.WithAudience("https://orders.example"), jwtx.WithAccessTokenProfile())
	if err != nil {
		panic(err)
	}
	for _, iss := range []*jwtx.Issuer[string, jwtx.AccessTokenClaims]{okta, entra, rogue} {
		tok, err := iss.Access(context.Background(), "billing-service")
		if err != nil {
			panic(err)
		}
		c, _, err := ver.Verify(context.Background(), tok.Raw)
		switch {
		case errors.Is(err, jwtx.ErrSignature):
			fmt.Println("refused: bad signature")
		case err != nil:
			fmt.Println("refused:", err)
		default:
			fmt.Println(c.Issuer, c.Client(), c.Scopes())
		}
	}
	// Output:
	// https://acme.okta.example/oauth2/default billing-service orders:read
	// https://login.entra.example/tenant/v2.0 billing-service orders:read
	// refused: bad signature
}

// DiscoverKeySet finds the JWKS of an issuer through its OpenID Connect
// Discovery document. Here the provider is a test server on loopback.
func ExampleDiscoverKeySet() {
	_, key := exampleProvider("https://unused.example", "a")
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL, "jwks_uri": srv.URL + "/jwks"})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, _ *http.Request) {
		doc, _ := key.PublicJWKS()
		w.Write(doc)
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // stops the background refreshes

	// https only, but for loopback tests
	keys, err := jwtx.DiscoverKeySet(ctx, srv.URL, jwtx.WithJWKSAllowHTTP(true))
	if err != nil {
		panic(err)
	}
	doc, _ := keys.Keys().PublicJWKS()
	fmt.Println(string(doc))

	_, err = jwtx.DiscoverKeySet(ctx, srv.URL+"/", jwtx.WithJWKSAllowHTTP(true))
	fmt.Println(errors.Is(err, jwtx.ErrIssuer)) // the document's issuer has no trailing slash
	// Output:
	// {"keys":[{"alg":"EdDSA","crv":"Ed25519","kid":"key-1","kty":"OKP","use":"sig","x":"rwaj4ykXFOTzVsGcmxXNGVHsbmZiqne-B1R_KJODNB0"}]}
	// true
}
