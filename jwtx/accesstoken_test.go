package jwtx_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestAccessTokenProfile(t *testing.T) {
	t.Parallel()
	const iss = "https://id.test/"
	key := testutil.NewKey(t, jwtx.ES256, testutil.WithKeyID("k1"))
	sign := func(t *testing.T, typ, claims string) string {
		return testutil.Sign(t, key, `{"alg":"ES256","kid":"k1","typ":"`+typ+`"}`, claims)
	}
	iat, exp := itoa(idpEpoch.Unix()), itoa(idpEpoch.Add(time.Hour).Unix())
	for _, tc := range []struct {
		name    string
		types   []string // WithAccessTokenProfile's
		typ     string
		claims  string
		refresh bool
		wantErr error
	}{
		{name: "RFC 9068 token", typ: "at+jwt", claims: accessClaims(iss, "api", `"scope":"a b"`)},
		{name: "application/at+jwt", typ: "application/at+jwt", claims: accessClaims(iss, "api")},
		{name: "typ JWT refused by default", typ: "JWT", claims: accessClaims(iss, "api"), wantErr: jwtx.ErrTokenType},
		{name: "typ JWT when listed", types: []string{"JWT"}, typ: "JWT", claims: accessClaims(iss, "api")},
		{name: "no typ", typ: "", claims: accessClaims(iss, "api"), wantErr: jwtx.ErrTokenType},
		{name: "azp instead of client_id", typ: "at+jwt",
			claims: `{"iss":"` + iss + `","sub":"u","aud":"api","azp":"spa","iat":` + iat + `,"exp":` + exp + `}`},
		{name: "no client_id", typ: "at+jwt",
			claims: `{"iss":"` + iss + `","sub":"u","aud":"api","iat":` + iat + `,"exp":` + exp + `}`, wantErr: jwtx.ErrMissingClaim},
		{name: "client_id not a string", typ: "at+jwt",
			claims: `{"iss":"` + iss + `","sub":"u","aud":"api","client_id":7,"iat":` + iat + `,"exp":` + exp + `}`, wantErr: jwtx.ErrMalformed},
		{name: "no iat", typ: "at+jwt",
			claims: `{"iss":"` + iss + `","sub":"u","aud":"api","client_id":"c","exp":` + exp + `}`, wantErr: jwtx.ErrMissingClaim},
		{name: "no sub", typ: "at+jwt",
			claims: `{"iss":"` + iss + `","aud":"api","client_id":"c","iat":` + iat + `,"exp":` + exp + `}`, wantErr: jwtx.ErrMissingClaim},
		{name: "no aud", typ: "at+jwt",
			claims: `{"iss":"` + iss + `","sub":"u","client_id":"c","iat":` + iat + `,"exp":` + exp + `}`, wantErr: jwtx.ErrAudience},
		{name: "another issuer", typ: "at+jwt", claims: accessClaims("https://id.test", "api"), wantErr: jwtx.ErrIssuer},
		{name: "expired", typ: "at+jwt", claims: `{"iss":"` + iss + `","sub":"u","aud":"api","client_id":"c","iat":1,"exp":2}`, wantErr: jwtx.ErrExpired},
		{name: "a typedjwt access token with client_id", typ: "at+jwt", claims: accessClaims(iss, "api", `"type":"access"`)},
		{name: "a typedjwt refresh token", typ: "at+jwt", claims: accessClaims(iss, "api", `"type":"refresh"`), wantErr: jwtx.ErrTokenType},
		{name: "VerifyRefresh refuses everything", typ: "at+jwt", claims: accessClaims(iss, "api"), refresh: true, wantErr: jwtx.ErrTokenType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](key.Public(), jwtx.WithIssuer(iss), jwtx.WithAudience("api"),
				jwtx.WithAccessTokenProfile(tc.types...), jwtx.WithClock(testutil.NewClock(idpEpoch)))
			if err != nil {
				t.Fatal(err)
			}
			tok := sign(t, tc.typ, tc.claims)
			if tc.typ == "" {
				tok = testutil.Sign(t, key, `{"alg":"ES256","kid":"k1"}`, tc.claims)
			}
			if tc.refresh {
				_, _, err = ver.VerifyRefresh(context.Background(), tok)
			} else {
				_, _, err = ver.Verify(context.Background(), tok)
			}
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAccessTokenProfileNeedsAudience(t *testing.T) {
	t.Parallel()
	_, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](testutil.NewKey(t, jwtx.ES256).Public(), jwtx.WithAccessTokenProfile())
	if !errors.Is(err, jwtx.ErrConfig) {
		t.Errorf("NewClaimsVerifier(profile, no audience) = %v, want ErrConfig", err)
	}
}

func TestAccessTokenClaims(t *testing.T) {
	t.Parallel()
	const iss = "https://id.test"
	key := testutil.NewKey(t, jwtx.ES256, testutil.WithKeyID("k1"))
	ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](key.Public(), jwtx.WithIssuer(iss), jwtx.WithAudience("api"),
		jwtx.WithAccessTokenProfile(), jwtx.WithClock(testutil.NewClock(idpEpoch)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		extra      string
		wantScopes jwtx.Scopes
		wantClient string
		wantErr    error
	}{
		{name: "scope string", extra: `"scope":"orders:read  orders:write"`, wantScopes: jwtx.Scopes{"orders:read", "orders:write"}, wantClient: "svc-1"},
		{name: "Okta's scp array", extra: `"scp":["orders:read"]`, wantScopes: jwtx.Scopes{"orders:read"}, wantClient: "svc-1"},
		{name: "Entra's scp string", extra: `"scp":"orders:read"`, wantScopes: jwtx.Scopes{"orders:read"}, wantClient: "svc-1"},
		{name: "scope wins over scp", extra: `"scope":"a","scp":"b"`, wantScopes: jwtx.Scopes{"a"}, wantClient: "svc-1"},
		{name: "scope not a string", extra: `"scope":7`, wantErr: jwtx.ErrMalformed},
		{name: "scp array of numbers", extra: `"scp":[7]`, wantErr: jwtx.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := testutil.Sign(t, key, `{"alg":"ES256","kid":"k1","typ":"at+jwt"}`, accessClaims(iss, "api", tc.extra))
			c, raw, err := ver.VerifyClaims(context.Background(), tok, jwtx.ExpectAccess)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("error (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tc.wantScopes, c.Scopes()); diff != "" {
				t.Errorf("Scopes() (-want +got):\n%s", diff)
			}
			if c.Client() != tc.wantClient {
				t.Errorf("Client() = %q, want %q", c.Client(), tc.wantClient)
			}
			info, err := raw.Access()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantScopes, info.Scopes); diff != "" {
				t.Errorf("Access().Scopes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRawClaimsAccess(t *testing.T) {
	t.Parallel()
	raw := jwtx.RawClaims(`{"client_id":"c","azp":"p","scp":"x y","auth_time":1700000000,"acr":"mfa","amr":["pwd","otp"],"iat":1700000100,"fresh":true,"other":{"scope":"no"}}`)
	got, err := raw.Access()
	if err != nil {
		t.Fatal(err)
	}
	want := jwtx.AccessInfo{
		ClientID: "c", Scopes: jwtx.Scopes{"x", "y"}, AuthTime: time.Unix(1700000000, 0), ACR: "mfa",
		AMR: []string{"pwd", "otp"}, IssuedAt: time.Unix(1700000100, 0), Fresh: jwtx.FreshFlag(true),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Access() (-want +got):\n%s", diff)
	}
}

// TestRawClaimsAccessMalformed: claims that are not one JSON object are
// refused with ErrMalformed, in the package's own words.
func TestRawClaimsAccessMalformed(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{``, `[]`, `{"scope":"a"`, `{"scope":"a","scope":"b"}`, `{"acr":"\u0000"}`} {
		_, err := jwtx.RawClaims(raw).Access()
		if !errors.Is(err, jwtx.ErrMalformed) {
			t.Errorf("Access(%s) = %v, want ErrMalformed", raw, err)
		}
		if err != nil && strings.Contains(err.Error(), "jsonobj") {
			t.Errorf("Access(%s) error %q names an internal package", raw, err)
		}
	}
}

func TestScopesJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(jwtx.Scopes{"a", "b"})
	if err != nil || string(b) != `"a b"` {
		t.Errorf("Marshal = %s, %v; want \"a b\"", b, err)
	}
	var s jwtx.Scopes
	if err := json.Unmarshal([]byte(`["a","b"]`), &s); err != nil || !s.ContainsAll("a", "b") || s.ContainsAny("c") {
		t.Errorf("Unmarshal(array) = %v, %v", s, err)
	}
	if err := json.Unmarshal([]byte(`{"scope":"a"}`), &s); err == nil {
		t.Errorf("Unmarshal(object) = nil error")
	}
}
