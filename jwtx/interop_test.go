package jwtx_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// flaskClaims are the claims flask-jwt-extended writes for an access or a
// refresh token, with fixed times.
func flaskClaims(typ string, iat time.Time) map[string]any {
	return map[string]any{
		"fresh": false,
		"iat":   iat.Unix(),
		"jti":   "9c9f0d2e-6c1f-4d8e-9a8a-1b7c2f3e4d5a",
		"type":  typ,
		"sub":   "alice",
		"nbf":   iat.Unix(),
		"csrf":  "2b1a7c3e-8f4d-4e6a-b5c9-0d1e2f3a4b5c",
		"exp":   iat.Add(15 * time.Minute).Unix(),
	}
}

// TestPyJWTInterop checks both directions for HS256, RS256, ES256 and EdDSA:
// tokens PyJWT mints with flask-jwt-extended's claim layout verify in jwtx
// with their typed claims, jwtx's tokens verify in PyJWT with the same
// claims, and a tampered token is refused by both.
func TestPyJWTInterop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	iat := time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC)
	now := iat.Add(time.Minute)
	for _, alg := range []jwtx.Algorithm{jwtx.HS256, jwtx.RS256, jwtx.ES256, jwtx.EdDSA} {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			k := testutil.NewKey(t, alg)
			py := testutil.NewPyJWT(t)

			// PyJWT mints, jwtx verifies.
			flaskVer, err := jwtx.NewClaimsVerifier[jwtx.RegisteredClaims](k.Public(),
				jwtx.WithClock(testutil.NewClock(now)), jwtx.WithHeaderTypes("JWT", "JWT"))
			if err != nil {
				t.Fatal(err)
			}
			minted := py.Sign(t, k, flaskClaims("access", iat))
			got, _, err := flaskVer.Verify(ctx, minted)
			if err != nil {
				t.Fatalf("jwtx refuses PyJWT's access token: %v", err)
			}
			want := jwtx.RegisteredClaims{
				Subject: "alice", Type: jwtx.Access, Fresh: jwtx.FreshFlag(false),
				ID: "9c9f0d2e-6c1f-4d8e-9a8a-1b7c2f3e4d5a", CSRF: "2b1a7c3e-8f4d-4e6a-b5c9-0d1e2f3a4b5c",
				IssuedAt: jwtx.NewNumericDate(iat), NotBefore: jwtx.NewNumericDate(iat), ExpiresAt: jwtx.NewNumericDate(iat.Add(15 * time.Minute)),
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("claims of PyJWT's token (-want +got):\n%s", diff)
			}
			if _, _, err := flaskVer.VerifyFresh(ctx, minted); !errors.Is(err, jwtx.ErrNotFresh) {
				t.Errorf("VerifyFresh of a non-fresh Flask token = %v, want ErrNotFresh", err)
			}
			refresh := py.Sign(t, k, flaskClaims("refresh", iat))
			if _, _, err := flaskVer.Verify(ctx, refresh); !errors.Is(err, jwtx.ErrTokenType) {
				t.Errorf("Flask refresh token as access token = %v, want ErrTokenType", err)
			}
			if _, _, err := flaskVer.VerifyRefresh(ctx, refresh); err != nil {
				t.Errorf("Flask refresh token as refresh token: %v", err)
			}
			if _, _, err := flaskVer.Verify(ctx, tamperClaims(minted)); !errors.Is(err, jwtx.ErrSignature) {
				t.Errorf("tampered PyJWT token = %v, want ErrSignature", err)
			}

			// jwtx mints, PyJWT verifies.
			iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](k.Private(), jwtx.WithClock(testutil.NewClock(iat)), jwtx.WithCSRF(true))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := iss.Access(ctx, "alice", jwtx.AsFresh(true))
			if err != nil {
				t.Fatal(err)
			}
			claims, refusal := py.Verify(t, k, tok.Raw)
			wantPy := map[string]any{
				"sub": "alice", "type": "access", "fresh": true, "jti": tok.ID, "csrf": tok.CSRF,
				"iat": float64(iat.Unix()), "nbf": float64(iat.Unix()), "exp": float64(iat.Add(15 * time.Minute).Unix()),
			}
			if diff := cmp.Diff(wantPy, claims); refusal != "" || diff != "" {
				t.Errorf("PyJWT on jwtx's token: refused %q, claims (-want +got):\n%s", refusal, diff)
			}
			if _, refusal := py.Verify(t, k, tamperClaims(tok.Raw)); refusal != "InvalidSignatureError" {
				t.Errorf("PyJWT on a tampered jwtx token: refusal %q, want InvalidSignatureError", refusal)
			}
		})
	}
}

// tamperClaims changes the subject of a token and keeps its signature.
func tamperClaims(token string) string {
	h, rest, _ := strings.Cut(token, ".")
	p, sig, _ := strings.Cut(rest, ".")
	claims, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return token
	}
	claims = bytes.Replace(claims, []byte(`"alice"`), []byte(`"admin"`), 1)
	return h + "." + base64.RawURLEncoding.EncodeToString(claims) + "." + sig
}
