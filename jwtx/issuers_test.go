package jwtx_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// twoIDPs starts two providers whose keys share the kid "k1", and a
// verifier that trusts both through an IssuerSet: a (audience "api-a",
// typ at+jwt) and b (audience "api-b", typ JWT as ZITADEL writes).
func twoIDPs(tb testing.TB) (a, b *idp, ver *jwtx.Verifier[jwtx.NoUser, jwtx.AccessTokenClaims]) {
	tb.Helper()
	a, b = startIDP(tb, "/a", "idp-a", false), startIDP(tb, "/b", "idp-b", false)
	ka, err := discover(tb, a.issuer, jwtx.WithJWKSAllowHTTP(true), jwtx.WithClock(testutil.NewClock(idpEpoch)))
	if err != nil {
		tb.Fatal(err)
	}
	kb, err := discover(tb, b.issuer, jwtx.WithJWKSAllowHTTP(true), jwtx.WithClock(testutil.NewClock(idpEpoch)))
	if err != nil {
		tb.Fatal(err)
	}
	set, err := jwtx.NewIssuerSet(
		jwtx.TrustedIssuer{Issuer: a.issuer, Keys: ka, Audience: []string{"api-a"}},
		jwtx.TrustedIssuer{Issuer: b.issuer, Keys: kb, Audience: []string{"api-b"}, HeaderTypes: []string{"JWT"}},
	)
	if err != nil {
		tb.Fatal(err)
	}
	ver, err = jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](set, jwtx.WithAccessTokenProfile(), jwtx.WithClock(testutil.NewClock(idpEpoch)))
	if err != nil {
		tb.Fatal(err)
	}
	return a, b, ver
}

func TestIssuerSet(t *testing.T) {
	t.Parallel()
	a, b, ver := twoIDPs(t)
	for _, tc := range []struct {
		name    string
		token   func(t *testing.T) string
		wantErr error
		wantIss string
	}{
		{name: "token of a", token: func(t *testing.T) string { return a.token(t, "at+jwt", accessClaims(a.issuer, "api-a")) }, wantIss: a.issuer},
		{name: "token of b", token: func(t *testing.T) string { return b.token(t, "JWT", accessClaims(b.issuer, "api-b")) }, wantIss: b.issuer},
		// a signs, and claims to be b: b's keys are the only ones tried,
		// and b's key with the same kid does not verify a's signature.
		{name: "a's token claiming b's iss", token: func(t *testing.T) string { return a.token(t, "JWT", accessClaims(b.issuer, "api-b")) }, wantErr: jwtx.ErrSignature},
		{name: "b's token claiming a's iss", token: func(t *testing.T) string { return b.token(t, "at+jwt", accessClaims(a.issuer, "api-a")) }, wantErr: jwtx.ErrSignature},
		{name: "a's token for b's audience", token: func(t *testing.T) string { return a.token(t, "at+jwt", accessClaims(a.issuer, "api-b")) }, wantErr: jwtx.ErrAudience},
		{name: "typ JWT is b's alone", token: func(t *testing.T) string { return a.token(t, "JWT", accessClaims(a.issuer, "api-a")) }, wantErr: jwtx.ErrTokenType},
		{name: "unknown issuer", token: func(t *testing.T) string { return a.token(t, "at+jwt", accessClaims("https://evil.test", "api-a")) }, wantErr: jwtx.ErrIssuer},
		{name: "issuer differing by a trailing slash", token: func(t *testing.T) string { return a.token(t, "at+jwt", accessClaims(a.issuer+"/", "api-a")) }, wantErr: jwtx.ErrIssuer},
		{name: "no iss", token: func(t *testing.T) string {
			return a.token(t, "at+jwt", `{"sub":"x","aud":"api-a","client_id":"c","iat":1,"exp":99999999999}`)
		}, wantErr: jwtx.ErrIssuer},
		{name: "iss not a string", token: func(t *testing.T) string { return a.token(t, "at+jwt", `{"iss":["`+a.issuer+`"],"sub":"x"}`) }, wantErr: jwtx.ErrMalformed},
		{name: "two iss members", token: func(t *testing.T) string {
			return a.token(t, "at+jwt", `{"iss":"https://evil.test","iss":"`+a.issuer+`","sub":"x"}`)
		}, wantErr: jwtx.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, err := ver.Verify(context.Background(), tc.token(t))
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("Verify() error (-want +got):\n%s", diff)
			}
			if c.Issuer != tc.wantIss {
				t.Errorf("Verify() iss = %q, want %q", c.Issuer, tc.wantIss)
			}
		})
	}
}

// An unknown issuer is refused before any key is touched: a token naming
// an unknown kid under an unknown iss causes no JWKS fetch, while the same
// kid under a trusted iss does.
func TestIssuerSetUnknownIssuerTouchesNoKey(t *testing.T) {
	t.Parallel()
	a, _, ver := twoIDPs(t)
	a.keyPtr.Store(testutil.NewKey(t, jwtx.ES256, testutil.WithSeed("idp-a-next"), testutil.WithKeyID("k9")))
	before := a.hits.Load()
	_, _, err := ver.Verify(context.Background(), a.token(t, "at+jwt", accessClaims("https://evil.test", "api-a")))
	var ce *jwtx.ClaimError
	if !errors.As(err, &ce) || ce.Claim != "iss" || !errors.Is(err, jwtx.ErrIssuer) {
		t.Fatalf("Verify(unknown iss) = %v, want a *ClaimError for iss wrapping ErrIssuer", err)
	}
	if got := a.hits.Load(); got != before {
		t.Errorf("JWKS fetches after an unknown iss = %d, want %d", got, before)
	}
	if _, _, err := ver.Verify(context.Background(), a.token(t, "at+jwt", accessClaims(a.issuer, "api-a"))); err != nil {
		t.Errorf("Verify(new kid of a) = %v", err)
	}
	if got := a.hits.Load(); got != before+1 {
		t.Errorf("JWKS fetches after a new kid of a = %d, want %d", got, before+1)
	}
}

func TestIssuerSetConfig(t *testing.T) {
	t.Parallel()
	key := testutil.NewKey(t, jwtx.ES256).Public()
	ok := jwtx.TrustedIssuer{Issuer: "https://a.test", Keys: key, Audience: []string{"api"}}
	set, err := jwtx.NewIssuerSet(ok)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		build   func() error
		wantErr error
	}{
		{name: "empty set", build: func() error { _, err := jwtx.NewIssuerSet(); return err }, wantErr: jwtx.ErrConfig},
		{name: "issuer twice", build: func() error { _, err := jwtx.NewIssuerSet(ok, ok); return err }, wantErr: jwtx.ErrConfig},
		{name: "no issuer", build: func() error { _, err := jwtx.NewIssuerSet(jwtx.TrustedIssuer{Keys: key}); return err }, wantErr: jwtx.ErrConfig},
		{name: "no keys", build: func() error { _, err := jwtx.NewIssuerSet(jwtx.TrustedIssuer{Issuer: "https://a.test"}); return err }, wantErr: jwtx.ErrConfig},
		{name: "nested set", build: func() error {
			_, err := jwtx.NewIssuerSet(jwtx.TrustedIssuer{Issuer: "https://b.test", Keys: set})
			return err
		}, wantErr: jwtx.ErrConfig},
		{name: "WithIssuer beside a set", build: func() error {
			_, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](set, jwtx.WithIssuer("https://a.test"))
			return err
		}, wantErr: jwtx.ErrConfig},
		{name: "HeaderTypes without the profile", build: func() error {
			s, err := jwtx.NewIssuerSet(jwtx.TrustedIssuer{Issuer: "https://a.test", Keys: key, HeaderTypes: []string{"JWT"}})
			if err != nil {
				return err
			}
			_, err = jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](s)
			return err
		}, wantErr: jwtx.ErrConfig},
		{name: "profile without an audience", build: func() error {
			s, err := jwtx.NewIssuerSet(jwtx.TrustedIssuer{Issuer: "https://a.test", Keys: key})
			if err != nil {
				return err
			}
			_, err = jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](s, jwtx.WithAccessTokenProfile())
			return err
		}, wantErr: jwtx.ErrConfig},
		{name: "profile with the verifier's audience", build: func() error {
			s, err := jwtx.NewIssuerSet(jwtx.TrustedIssuer{Issuer: "https://a.test", Keys: key})
			if err != nil {
				return err
			}
			_, err = jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](s, jwtx.WithAccessTokenProfile(), jwtx.WithAudience("api"))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.wantErr, tc.build(), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}
