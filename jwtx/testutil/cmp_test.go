package testutil_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// Nested holds claims below the top level, to show that IgnoreVolatile
// works wherever RegisteredClaims is compared.
type Nested struct {
	Outer  Claims
	Tokens []jwtx.RegisteredClaims
	Ptr    *Claims
}

func TestIgnoreVolatile(t *testing.T) {
	t.Parallel()
	now := testNow()
	base := func() Claims {
		return Claims{
			RegisteredClaims: jwtx.RegisteredClaims{
				Issuer:    "iss",
				Subject:   "alice",
				Audience:  jwtx.Audience{"api"},
				ExpiresAt: jwtx.NewNumericDate(now.Add(time.Hour)),
				NotBefore: jwtx.NewNumericDate(now),
				IssuedAt:  jwtx.NewNumericDate(now),
				ID:        "jti-1",
				Type:      jwtx.Access,
				Fresh:     jwtx.FreshFlag(true),
				CSRF:      "csrf-1",
				Family:    "fam-1",
			},
			Roles: []string{"admin"},
		}
	}
	for _, tc := range []struct {
		name     string
		edit     func(c *Claims)
		wantDiff bool
		ownClaim bool // the edit is outside RegisteredClaims
	}{
		{name: "equal", edit: func(*Claims) {}},
		{name: "jti", edit: func(c *Claims) { c.ID = "jti-2" }},
		{name: "iat", edit: func(c *Claims) { c.IssuedAt = jwtx.NewNumericDate(now.Add(time.Second)) }},
		{name: "nbf", edit: func(c *Claims) { c.NotBefore = jwtx.NumericDate{} }},
		{name: "exp", edit: func(c *Claims) { c.ExpiresAt = jwtx.NewNumericDate(now.Add(2 * time.Hour)) }},
		{name: "csrf", edit: func(c *Claims) { c.CSRF = "" }},
		{name: "fam", edit: func(c *Claims) { c.Family = "fam-2" }},
		{name: "all volatile", edit: func(c *Claims) {
			c.RegisteredClaims = jwtx.RegisteredClaims{Issuer: "iss", Subject: "alice", Audience: jwtx.Audience{"api"}, Type: jwtx.Access, Fresh: jwtx.FreshFlag(true)}
		}},
		{name: "iss", edit: func(c *Claims) { c.Issuer = "other" }, wantDiff: true},
		{name: "sub", edit: func(c *Claims) { c.Subject = "bob" }, wantDiff: true},
		{name: "aud", edit: func(c *Claims) { c.Audience = jwtx.Audience{"web"} }, wantDiff: true},
		{name: "type", edit: func(c *Claims) { c.Type = jwtx.Refresh }, wantDiff: true},
		{name: "fresh", edit: func(c *Claims) { c.Fresh = jwtx.FreshFlag(false) }, wantDiff: true},
		{name: "fresh until", edit: func(c *Claims) { c.Fresh = jwtx.FreshUntil(now) }, wantDiff: true},
		{name: "roles", edit: func(c *Claims) { c.Roles = []string{"user"} }, wantDiff: true, ownClaim: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want, got := base(), base()
			tc.edit(&got)
			for _, c := range []struct {
				what      string
				want, got any
				wantDiff  bool
			}{
				{"claims", want, got, tc.wantDiff},
				{"registered claims", want.RegisteredClaims, got.RegisteredClaims, tc.wantDiff && !tc.ownClaim},
				{
					"nested",
					Nested{Outer: want, Tokens: []jwtx.RegisteredClaims{want.RegisteredClaims}, Ptr: &want},
					Nested{Outer: got, Tokens: []jwtx.RegisteredClaims{got.RegisteredClaims}, Ptr: &got},
					tc.wantDiff,
				},
			} {
				diff := cmp.Diff(c.want, c.got, testutil.IgnoreVolatile())
				if (diff != "") != c.wantDiff {
					t.Errorf("%s: cmp.Diff(IgnoreVolatile()) = %q, want a diff: %v", c.what, diff, c.wantDiff)
				}
			}
		})
	}
}
