package jwtx_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// flaskRoles is a claims type with one additional claim, as a Flask
// service's additional_claims_loader would add.
type flaskRoles struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles"`
}

// TestFlaskCompatInterop: with FlaskCompat on each side, PyJWT tokens in
// flask-jwt-extended's layout (an integer identity included) verify in
// jwtx beside jwtx's own layout, and jwtx's Flask-layout tokens verify in
// PyJWT with the claims Flask expects, additional claims in refresh tokens
// included.
func TestFlaskCompatInterop(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	iat := time.Date(2026, 4, 5, 6, 7, 8, 0, time.UTC)
	k := testutil.NewKey(t, jwtx.HS256)
	py := testutil.NewPyJWT(t)
	clock := jwtx.WithClock(testutil.NewClock(iat.Add(time.Minute)))
	ver, err := jwtx.NewClaimsVerifier[flaskRoles](k.Public(), clock, jwtx.FlaskCompat())
	if err != nil {
		t.Fatal(err)
	}
	strict, err := jwtx.NewClaimsVerifier[flaskRoles](k.Public(), clock)
	if err != nil {
		t.Fatal(err)
	}
	flask := func(typ string, sub any) string {
		claims := flaskClaims(typ, iat)
		claims["sub"] = sub
		claims["roles"] = []string{"admin"}
		return py.Sign(t, k, claims)
	}
	for _, tc := range []struct {
		name    string
		token   string
		want    jwtx.Expect
		wantSub string
	}{
		{name: "Flask access token, string identity", token: flask("access", "alice"), want: jwtx.ExpectAccess, wantSub: "alice"},
		{name: "Flask access token, integer identity", token: flask("access", 42), want: jwtx.ExpectAccess, wantSub: "42"},
		{name: "Flask refresh token, integer identity", token: flask("refresh", 7), want: jwtx.ExpectRefresh, wantSub: "7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, err := ver.VerifyClaims(ctx, tc.token, tc.want)
			if err != nil {
				t.Fatalf("FlaskCompat verifier: %v", err)
			}
			if diff := cmp.Diff([]string{tc.wantSub, "admin"}, []string{c.Subject, strings.Join(c.Roles, ",")}); diff != "" {
				t.Errorf("subject and roles (-want +got):\n%s", diff)
			}
			if _, _, err := strict.VerifyClaims(ctx, tc.token, tc.want); !errors.Is(err, jwtx.ErrTokenType) {
				t.Errorf("verifier without FlaskCompat = %v, want ErrTokenType (typ JWT)", err)
			}
		})
	}
	t.Run("typedjwt's own layout still verifies", func(t *testing.T) {
		own, err := jwtx.NewIssuer[string, flaskRoles](k.Private(), jwtx.WithClock(testutil.NewClock(iat)))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := own.Access(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ver.VerifyClaims(ctx, tok.Raw, jwtx.ExpectAccess); err != nil {
			t.Errorf("FlaskCompat verifier on an at+jwt token: %v", err)
		}
	})
	t.Run("the subject is a string or an integer, nothing else", func(t *testing.T) {
		for _, sub := range []any{4.5, true, []int{1}, map[string]int{"id": 1}, json.Number("9223372036854775808"), nil} {
			tok := flask("access", sub)
			if _, _, err := ver.VerifyClaims(ctx, tok, jwtx.ExpectAccess); !errors.Is(err, jwtx.ErrMalformed) {
				t.Errorf("sub %v: %v, want ErrMalformed", sub, err)
			}
		}
	})
	t.Run("jwtx mints Flask's layout", func(t *testing.T) {
		iss, err := jwtx.NewIssuer[string, flaskRoles](k.Private(), jwtx.WithClock(testutil.NewClock(iat)), jwtx.FlaskCompat(), jwtx.WithCSRF(true),
			jwtx.WithClaims(func(_ context.Context, _ string) (flaskRoles, error) {
				return flaskRoles{Roles: []string{"admin"}}, nil
			}))
		if err != nil {
			t.Fatal(err)
		}
		pair, err := iss.Pair(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []jwtx.Token{pair.Access, pair.Refresh} {
			h, _, _ := strings.Cut(tok.Raw, ".")
			hb, _ := base64.RawURLEncoding.DecodeString(h)
			var header map[string]any
			if err := json.Unmarshal(hb, &header); err != nil || header["typ"] != "JWT" {
				t.Errorf("%s header %s: typ is not JWT", tok.Type, hb)
			}
			claims, refusal := py.Verify(t, k, tok.Raw)
			if refusal != "" || claims["type"] != string(tok.Type) || claims["sub"] != "alice" {
				t.Errorf("PyJWT on jwtx's %s token: refused %q, claims %v", tok.Type, refusal, claims)
			}
			if roles, _ := claims["roles"].([]any); len(roles) != 1 {
				t.Errorf("%s token lacks the additional claims Flask copies into both: %v", tok.Type, claims)
			}
		}
	})
}
