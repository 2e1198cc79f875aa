package bench

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// These tests keep the comparison honest; they time nothing. Every side
// must accept every other side's token of the same algorithm (so they read
// the same claims), and refuse the same set of bad tokens (so none of them,
// the floor included, skips a check).

func TestCrossVerify(t *testing.T) {
	t.Parallel()
	all := make(map[string]func() []side)
	for _, alg := range algs {
		all[alg] = sides[alg]
	}
	for _, sz := range sizes {
		all["HS256 "+sz.name] = sizedSides[sz.name]
	}
	for name, ss := range all {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ss := ss()
			for _, issuer := range ss {
				tok := mustToken(t, issuer)
				for _, verifier := range ss {
					r, err := verifier.verify(tok)
					if err != nil {
						t.Errorf("%s refuses a token from %s: %v", verifier.name, issuer.name, err)
						continue
					}
					checkResult(t, verifier.name+" on "+issuer.name, r, issuer.roles)
				}
			}
		})
	}
}

// signFloor signs arbitrary claims and header with the fixture's key for
// alg, through the floor's primitives.
func signFloor(t *testing.T, alg string, header, claims map[string]any) string {
	t.Helper()
	f := newFloor(keys[alg](), nil)
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	in := enc.EncodeToString(h) + "." + enc.EncodeToString(c)
	sig, err := f.sign(nil, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	return in + "." + enc.EncodeToString(sig)
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	now := time.Now().Unix()
	good := func() map[string]any {
		return map[string]any{
			"iss": fxIssuer, "sub": fxSubject, "aud": fxAudience,
			"exp": now + 3600, "nbf": now - 10, "iat": now - 10,
			"jti": "AAAAAAAAAAAAAAAAAAAAAA", "type": "access", "fresh": false,
			"roles": fxRoles, "tenant": fxTenant,
		}
	}
	for _, tc := range []struct {
		name   string
		header func(h map[string]any)
		claims func(c map[string]any)
		tamper bool // flip a bit of the signature
		strip  bool // drop the signature
	}{
		{name: "expired", claims: func(c map[string]any) { c["exp"] = now - 1 }},
		{name: "no exp", claims: func(c map[string]any) { delete(c, "exp") }},
		{name: "nbf in the future", claims: func(c map[string]any) { c["nbf"] = now + 600 }},
		{name: "iat in the future", claims: func(c map[string]any) { c["iat"] = now + 600 }},
		{name: "wrong iss", claims: func(c map[string]any) { c["iss"] = "https://evil.example.com" }},
		{name: "wrong aud", claims: func(c map[string]any) { c["aud"] = "other" }},
		{name: "aud array without api", claims: func(c map[string]any) { c["aud"] = []string{"a", "b"} }},
		{name: "refresh type", claims: func(c map[string]any) { c["type"] = "refresh" }},
		{name: "no sub", claims: func(c map[string]any) { delete(c, "sub") }},
		{name: "alg none, unsigned", header: func(h map[string]any) { h["alg"] = "none" }, strip: true},
		{name: "bad signature", tamper: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, alg := range algs {
				h := map[string]any{"alg": alg, "typ": fxHeaderTyp}
				c := good()
				if tc.header != nil {
					tc.header(h)
				}
				if tc.claims != nil {
					tc.claims(c)
				}
				tok := signFloor(t, alg, h, c)
				if tc.tamper {
					b := []byte(tok)
					b[len(b)-5] ^= 'A' ^ 'B'
					tok = string(b)
				}
				if tc.strip {
					tok = tok[:strings.LastIndexByte(tok, '.')+1]
				}
				for _, s := range sides[alg]() {
					if _, err := s.verify(tok); err == nil {
						t.Errorf("%s %s accepts a token with %s", alg, s.name, tc.name)
					}
				}
			}
			// The control: the unmodified claims verify everywhere.
			for _, alg := range algs {
				tok := signFloor(t, alg, map[string]any{"alg": alg, "typ": fxHeaderTyp}, good())
				for _, s := range sides[alg]() {
					if _, err := s.verify(tok); err != nil {
						t.Errorf("%s %s refuses the control token: %v", alg, s.name, err)
					}
				}
			}
		})
	}
}

func TestMiddlewareRoutes(t *testing.T) {
	t.Parallel()
	for _, rt := range middlewareRoutes(t) {
		checkRoute(t, rt)
	}
}
