package jwtx_test

// Verifier tests for the attack catalogue, section C (claims validation
// and token semantics).

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestVerifyMissingExp covers C1: exp is required by default; null is not a
// NumericDate.
func TestVerifyMissingExp(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	noExp := vtClaimsJSON(t, now, "exp", "")
	optional := []jwtx.VerifierOption{jwtx.WithExpiryRequired(false)}
	vtRunAll(t, []vtCase{
		{name: "C1/absent", token: testutil.Sign(t, f.rs, vtH0, noExp), wantErr: jwtx.ErrMissingClaim, wantClaim: "exp"},
		{name: "C1/null", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "exp", "null")), wantErr: jwtx.ErrMalformed, wantClaim: "exp"},
		{name: "C1/absent-expiry-optional", token: testutil.Sign(t, f.rs, vtH0, noExp), opts: optional, want: vtC0With(now, func(c *vtClaims) { c.ExpiresAt = jwtx.NumericDate{} })},
		{name: "C1/null-expiry-optional", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "exp", "null")), opts: optional, wantErr: jwtx.ErrMalformed, wantClaim: "exp"},
		{name: "C1/expired-expiry-optional", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "exp", vtUnix(now.Add(-time.Hour)))), opts: optional, wantErr: jwtx.ErrExpired, wantClaim: "exp"},
	})
}

// TestVerifyExpiryBoundaries covers C2: with leeway L, a token is valid
// while now < exp + L; the boundary itself is expired.
func TestVerifyExpiryBoundaries(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	L := vtLeeway
	for _, tc := range []struct {
		name    string
		exp     time.Time
		leeway  time.Duration
		wantErr error
	}{
		{name: "C2/now-L-1s", exp: now.Add(-L - time.Second), leeway: L, wantErr: jwtx.ErrExpired},
		{name: "C2/now-L", exp: now.Add(-L), leeway: L, wantErr: jwtx.ErrExpired},
		{name: "C2/now-L+1s", exp: now.Add(-L + time.Second), leeway: L},
		{name: "C2/now", exp: now, leeway: L},
		{name: "C2/now+1s", exp: now.Add(time.Second), leeway: L},
		{name: "C2/now-1h", exp: now.Add(-time.Hour), leeway: L, wantErr: jwtx.ErrExpired},
		{name: "C2/no-leeway/now-1s", exp: now.Add(-time.Second), wantErr: jwtx.ErrExpired},
		{name: "C2/no-leeway/now", exp: now, wantErr: jwtx.ErrExpired},
		{name: "C2/no-leeway/now+1s", exp: now.Add(time.Second)},
		{name: "C2/max-leeway/now-5m", exp: now.Add(-jwtx.MaxLeeway), leeway: jwtx.MaxLeeway, wantErr: jwtx.ErrExpired},
		{name: "C2/max-leeway/now-5m+1s", exp: now.Add(-jwtx.MaxLeeway + time.Second), leeway: jwtx.MaxLeeway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "exp", vtUnix(tc.exp)))
			want := vtC0With(now, func(c *vtClaims) { c.ExpiresAt = jwtx.NewNumericDate(tc.exp) })
			var claim string
			if tc.wantErr != nil {
				claim = "exp"
			}
			vtRun(t, vtCase{token: tok, opts: []jwtx.VerifierOption{jwtx.WithLeeway(tc.leeway)}, wantErr: tc.wantErr, wantClaim: claim, want: want})
		})
	}
}

// TestVerifyNumericDateTypes covers C3: exp, nbf and iat accept JSON numbers
// in range only, fractions and exponents included; everything else is
// malformed, and nothing wraps around.
func TestVerifyNumericDateTypes(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	soon := now.Add(300 * time.Second)
	sec := strconv.FormatInt(soon.Unix(), 10)
	type value struct {
		name    string
		raw     string
		wantErr error // nil: the claim is acceptable
	}
	malformed := []value{
		{"numeric-string", `"` + sec + `"`, jwtx.ErrMalformed},
		{"RFC3339-string", `"2099-01-01T00:00:00Z"`, jwtx.ErrMalformed},
		{"1e300", `1e300`, jwtx.ErrMalformed},
		{"-1e300", `-1e300`, jwtx.ErrMalformed},
		{"2^63", `9223372036854775808`, jwtx.ErrMalformed},
		{"2^64", `18446744073709551616`, jwtx.ErrMalformed},
		{"-2^63", `-9223372036854775808`, jwtx.ErrMalformed},
		{"year-10000", `253402300800`, jwtx.ErrMalformed},
		{"true", `true`, jwtx.ErrMalformed},
		{"false", `false`, jwtx.ErrMalformed},
		{"null", `null`, jwtx.ErrMalformed},
		{"array", `[` + sec + `]`, jwtx.ErrMalformed},
		{"object", `{"$date":` + sec + `}`, jwtx.ErrMalformed},
		{"empty-string", `""`, jwtx.ErrMalformed},
	}
	type table struct {
		claim string
		extra []value
	}
	tables := []table{
		{claim: "exp", extra: []value{
			{"fraction", sec + ".5", nil},
			{"exponent", strconv.FormatFloat(float64(soon.Unix()), 'e', -1, 64), nil},
			{"exponent-E0", sec + "E0", nil},
			{"exponent-negative", sec + "0e-1", nil},
			{"1.7e9", `1.7e9`, jwtx.ErrExpired},
			{"17e8", `17e8`, jwtx.ErrExpired},
			{"-1", `-1`, jwtx.ErrExpired},
			{"0", `0`, jwtx.ErrExpired},
			{"-0", `-0`, jwtx.ErrExpired},
			{"0.0", `0.0`, jwtx.ErrExpired},
			{"underflow", `1e-400`, jwtx.ErrExpired},
			{"year-9999", `253402300799`, nil},
		}},
		{claim: "nbf", extra: []value{
			{"fraction", strconv.FormatInt(now.Unix(), 10) + ".5", nil},
			{"exponent", `1.7e9`, nil},
			{"-1", `-1`, nil},
			{"0", `0`, nil},
			{"future-beyond-leeway", vtUnix(now.Add(vtLeeway + time.Second)), jwtx.ErrNotYetValid},
			{"year-9999", `253402300799`, jwtx.ErrNotYetValid},
		}},
		{claim: "iat", extra: []value{
			{"fraction", strconv.FormatInt(now.Unix(), 10) + ".5", nil},
			{"exponent", `1.7e9`, nil},
			{"-1", `-1`, nil},
			{"0", `0`, nil},
			{"year-9999", `253402300799`, jwtx.ErrIssuedAt},
		}},
	}
	for _, tb := range tables {
		for _, v := range append(append([]value(nil), malformed...), tb.extra...) {
			t.Run("C3/"+tb.claim+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				tok := testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, tb.claim, v.raw))
				tc := vtCase{token: tok, wantErr: v.wantErr}
				if v.wantErr != nil {
					tc.wantClaim = tb.claim
				} else {
					tc.want = vtDecodedDate(t, now, tb.claim, v.raw)
				}
				vtRun(t, tc)
			})
		}
	}
}

// vtDecodedDate returns C0 with one NumericDate claim set to raw, a JSON
// number, as the test (not jwtx) reads it.
func vtDecodedDate(t *testing.T, now time.Time, claim, raw string) *vtClaims {
	t.Helper()
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		t.Fatalf("test value %q: %v", raw, err)
	}
	secs := int64(f)
	nanos := int64((f - float64(secs)) * 1e9)
	if i, err := strconv.ParseInt(raw, 10, 64); err == nil {
		secs, nanos = i, 0
	}
	d := jwtx.NumericDate{Time: time.Unix(secs, nanos).UTC()}
	return vtC0With(now, func(c *vtClaims) {
		switch claim {
		case "exp":
			c.ExpiresAt = d
		case "nbf":
			c.NotBefore = d
		case "iat":
			c.IssuedAt = d
		}
	})
}

// TestVerifyNotBeforeIssuedAt covers C4: nbf and iat in the future beyond
// the leeway, and WithMaxAge.
func TestVerifyNotBeforeIssuedAt(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	L := vtLeeway
	day := 24 * time.Hour
	maxAge := []jwtx.VerifierOption{jwtx.WithMaxAge(day)}
	// The tokens below keep exp valid: now+300s.
	tok := func(edits ...string) string { return testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, edits...)) }
	nbf := func(d time.Duration) *vtClaims {
		return vtC0With(now, func(c *vtClaims) { c.NotBefore = jwtx.NewNumericDate(now.Add(d)) })
	}
	iat := func(d time.Duration) *vtClaims {
		return vtC0With(now, func(c *vtClaims) { c.IssuedAt = jwtx.NewNumericDate(now.Add(d)) })
	}
	vtRunAll(t, []vtCase{
		{name: "C4/nbf/now+L+60s", token: tok("nbf", vtUnix(now.Add(L+time.Minute))), wantErr: jwtx.ErrNotYetValid, wantClaim: "nbf"},
		{name: "C4/nbf/now+L+1s", token: tok("nbf", vtUnix(now.Add(L+time.Second))), wantErr: jwtx.ErrNotYetValid, wantClaim: "nbf"},
		{name: "C4/nbf/now+L", token: tok("nbf", vtUnix(now.Add(L))), want: nbf(L)},
		{name: "C4/nbf/now+L-1s", token: tok("nbf", vtUnix(now.Add(L-time.Second))), want: nbf(L - time.Second)},
		{name: "C4/nbf/absent", token: tok("nbf", ""), want: vtC0With(now, func(c *vtClaims) { c.NotBefore = jwtx.NumericDate{} })},
		{name: "C4/iat/now+1h", token: tok("iat", vtUnix(now.Add(time.Hour))), wantErr: jwtx.ErrIssuedAt, wantClaim: "iat"},
		{name: "C4/iat/now+L+1s", token: tok("iat", vtUnix(now.Add(L+time.Second))), wantErr: jwtx.ErrIssuedAt, wantClaim: "iat"},
		{name: "C4/iat/now+L", token: tok("iat", vtUnix(now.Add(L))), want: iat(L)},
		{name: "C4/iat/now-30d-no-max-age", token: tok("iat", vtUnix(now.Add(-30*day))), want: iat(-30 * day)},
		{name: "C4/iat/now-30d-max-age-1d", token: tok("iat", vtUnix(now.Add(-30*day))), opts: maxAge, wantErr: jwtx.ErrIssuedAt, wantClaim: "iat"},
		{name: "C4/iat/now-1d-L-1s-max-age-1d", token: tok("iat", vtUnix(now.Add(-day-L-time.Second))), opts: maxAge, wantErr: jwtx.ErrIssuedAt, wantClaim: "iat"},
		{name: "C4/iat/now-1d-L-max-age-1d", token: tok("iat", vtUnix(now.Add(-day-L))), opts: maxAge, want: iat(-day - L)},
		{name: "C4/iat/absent-max-age-1d", token: tok("iat", ""), opts: maxAge, wantErr: jwtx.ErrMissingClaim, wantClaim: "iat"},
		{name: "C4/iat/absent-no-max-age", token: tok("iat", ""), want: vtC0With(now, func(c *vtClaims) { c.IssuedAt = jwtx.NumericDate{} })},
	})
}

// TestVerifyAudience covers C5 (CVE-2020-26160): aud is a string or an
// array of strings, compared exactly.
func TestVerifyAudience(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	aud := func(a ...string) *vtClaims {
		return vtC0With(now, func(c *vtClaims) { c.Audience = jwtx.Audience(a) })
	}
	for _, tc := range []struct {
		name      string
		raw       string // "" removes aud
		bare      bool   // a verifier without WithAudience
		wantErr   error
		wantClaim string
		want      *vtClaims
	}{
		{name: "C5/string", raw: `"api"`, want: aud("api")},
		{name: "C5/array", raw: `["api"]`, want: aud("api")},
		{name: "C5/array-second", raw: `["other","api"]`, want: aud("other", "api")},
		{name: "C5/array-whitespace", raw: `[ "other" , "api" ]`, want: aud("other", "api")},
		{name: "C5/array-escaped", raw: `["\u0061pi"]`, want: aud("api")},
		{name: "C5/other", raw: `["other"]`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/empty-array", raw: `[]`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/absent", raw: ``, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/null", raw: `null`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/empty-string", raw: `""`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/trailing-space", raw: `"api "`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/upper-case", raw: `"API"`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/prefix", raw: `"api-evil"`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/suffix", raw: `"evil-api"`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/array-prefix", raw: `["api-evil"]`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/space-separated", raw: `"other api"`, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/number-element", raw: `[1,"api"]`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/null-element", raw: `["api",null]`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/nested-array", raw: `["api",["api"]]`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/object", raw: `{"0":"api"}`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/number", raw: `1`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		{name: "C5/true", raw: `true`, wantErr: jwtx.ErrMalformed, wantClaim: "aud"},
		// RFC 7519 §4.1.3: a recipient that does not identify itself with
		// a value in aud must reject a token that has one.
		{name: "C5/no-audience-configured/aud-present", raw: `"api"`, bare: true, wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C5/no-audience-configured/aud-absent", raw: ``, bare: true, want: aud()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "aud", tc.raw))
			c := vtCase{token: tok, wantErr: tc.wantErr, wantClaim: tc.wantClaim, want: tc.want}
			if tc.bare {
				c.bare = true
				c.opts = []jwtx.VerifierOption{jwtx.WithIssuer(vtIssuer)}
			}
			vtRun(t, c)
		})
	}
}

// TestVerifyIssuer covers C6: iss is one string, compared byte for byte.
func TestVerifyIssuer(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	for _, tc := range []struct {
		name    string
		raw     string // "" removes iss
		wantErr error
	}{
		{name: "C6/exact", raw: `"https://issuer.test"`},
		{name: "C6/escaped", raw: `"https:\/\/issuer.test"`},
		{name: "C6/trailing-slash", raw: `"https://issuer.test/"`, wantErr: jwtx.ErrIssuer},
		{name: "C6/prefix", raw: `"https://issuer"`, wantErr: jwtx.ErrIssuer},
		{name: "C6/suffix", raw: `"https://issuer.test.evil"`, wantErr: jwtx.ErrIssuer},
		{name: "C6/upper-case", raw: `"HTTPS://ISSUER.TEST"`, wantErr: jwtx.ErrIssuer},
		{name: "C6/http", raw: `"http://issuer.test"`, wantErr: jwtx.ErrIssuer},
		{name: "C6/array", raw: `["https://issuer.test"]`, wantErr: jwtx.ErrMalformed},
		{name: "C6/array-two", raw: `["https://issuer.test","evil"]`, wantErr: jwtx.ErrMalformed},
		{name: "C6/null", raw: `null`, wantErr: jwtx.ErrMalformed},
		{name: "C6/number", raw: `1`, wantErr: jwtx.ErrMalformed},
		{name: "C6/absent", raw: ``, wantErr: jwtx.ErrIssuer},
		{name: "C6/empty", raw: `""`, wantErr: jwtx.ErrIssuer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "iss", tc.raw))
			c := vtCase{token: tok, wantErr: tc.wantErr}
			if tc.wantErr != nil {
				c.wantClaim = "iss"
			}
			vtRun(t, c)
		})
	}
}

// TestVerifyTypedClaims covers C7: a custom claim of the wrong JSON type is
// malformed, reported under the field's name, never a silent zero value.
func TestVerifyTypedClaims(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	with := func(g func(*vtClaims)) *vtClaims { return vtC0With(now, g) }
	for _, tc := range []struct {
		name      string
		edits     []string
		wantErr   error
		wantClaim string
		want      *vtClaims
	}{
		{name: "C7/all-well-typed", edits: []string{"role", `"user"`, "admin", `true`, "roles", `["read","write"]`, "count", `7`, "org", `{"id":"o-1"}`},
			want: with(func(c *vtClaims) {
				c.Role, c.Admin, c.Roles, c.Count, c.Org = "user", true, []string{"read", "write"}, 7, &vtOrg{ID: "o-1"}
			})},
		{name: "C7/role-array", edits: []string{"role", `["user","admin"]`}, wantErr: jwtx.ErrMalformed, wantClaim: "role"},
		{name: "C7/role-object", edits: []string{"role", `{}`}, wantErr: jwtx.ErrMalformed, wantClaim: "role"},
		{name: "C7/role-number", edits: []string{"role", `1`}, wantErr: jwtx.ErrMalformed, wantClaim: "role"},
		{name: "C7/admin-string-false", edits: []string{"admin", `"false"`}, wantErr: jwtx.ErrMalformed, wantClaim: "admin"},
		{name: "C7/admin-number", edits: []string{"admin", `1`}, wantErr: jwtx.ErrMalformed, wantClaim: "admin"},
		{name: "C7/roles-string", edits: []string{"roles", `"admin"`}, wantErr: jwtx.ErrMalformed, wantClaim: "roles"},
		{name: "C7/roles-space-separated", edits: []string{"roles", `"read write"`}, wantErr: jwtx.ErrMalformed, wantClaim: "roles"},
		{name: "C7/roles-number-element", edits: []string{"roles", `["read",1]`}, wantErr: jwtx.ErrMalformed, wantClaim: "roles"},
		{name: "C7/count-2^63", edits: []string{"count", `9223372036854775808`}, wantErr: jwtx.ErrMalformed, wantClaim: "count"},
		{name: "C7/count-1e19", edits: []string{"count", `1e19`}, wantErr: jwtx.ErrMalformed, wantClaim: "count"},
		{name: "C7/count-fraction", edits: []string{"count", `1.5`}, wantErr: jwtx.ErrMalformed, wantClaim: "count"},
		{name: "C7/count-string", edits: []string{"count", `"7"`}, wantErr: jwtx.ErrMalformed, wantClaim: "count"},
		{name: "C7/org-string", edits: []string{"org", `"o-1"`}, wantErr: jwtx.ErrMalformed, wantClaim: "org"},
		{name: "C7/org-id-number", edits: []string{"org", `{"id":1}`}, wantErr: jwtx.ErrMalformed, wantClaim: "org.id"},
		{name: "C7/sub-number", edits: []string{"sub", `42`}, wantErr: jwtx.ErrMalformed, wantClaim: "sub"},
		{name: "C7/sub-array", edits: []string{"sub", `["user-42"]`}, wantErr: jwtx.ErrMalformed, wantClaim: "sub"},
		{name: "C7/jti-number", edits: []string{"jti", `1`}, wantErr: jwtx.ErrMalformed, wantClaim: "jti"},
		{name: "C7/fresh-string", edits: []string{"fresh", `"true"`}, wantErr: jwtx.ErrMalformed, wantClaim: "fresh"},
		// encoding/json leaves a field alone for null: the claim reads as
		// absent. Required custom claims need a Validate method or WithCheck
		// (see TestVerifyClaimChecks).
		{name: "C7/role-null", edits: []string{"role", `null`}, want: with(func(*vtClaims) {})},
		{name: "C7/admin-null", edits: []string{"admin", `null`}, want: with(func(*vtClaims) {})},
		{name: "C7/role-empty", edits: []string{"role", `""`}, want: with(func(*vtClaims) {})},
		// A claim the claims type does not declare is left to RawClaims.
		{name: "C7/undeclared", edits: []string{"tenant", `{"x":[1,2,3]}`}, want: with(func(*vtClaims) {})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, tc.edits...))
			vtRun(t, vtCase{token: tok, wantErr: tc.wantErr, wantClaim: tc.wantClaim, want: tc.want})
		})
	}
}

// TestVerifyTokenType covers C8 on forged tokens: the header typ and the
// type claim must both name the expected kind of token.
func TestVerifyTokenType(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	access := vtClaimsJSON(t, now)
	refresh := vtClaimsJSON(t, now, "type", `"refresh"`)
	typ := func(raw string) string {
		if raw == "" {
			return `{"alg":"RS256","kid":"rs-1"}`
		}
		return `{"alg":"RS256","typ":` + raw + `,"kid":"rs-1"}`
	}
	refreshWant := vtC0With(now, func(c *vtClaims) { c.Type = jwtx.Refresh })
	idToken := vtClaimsJSON(t, now, "aud", `"client-123"`, "nonce", `"n-0S6_WzA2Mj"`)
	vtRunAll(t, []vtCase{
		{name: "C8/access/at+jwt", token: testutil.Sign(t, f.rs, typ(`"at+jwt"`), access)},
		{name: "C8/access/refresh+jwt", token: testutil.Sign(t, f.rs, typ(`"refresh+jwt"`), access), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/refresh-claims/at+jwt", token: testutil.Sign(t, f.rs, typ(`"at+jwt"`), refresh), wantErr: jwtx.ErrTokenType, wantClaim: "type"},
		{name: "C8/refresh-claims/at+jwt/VerifyRefresh", token: testutil.Sign(t, f.rs, typ(`"at+jwt"`), refresh), refresh: true, wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/refresh/refresh+jwt/VerifyRefresh", token: testutil.Sign(t, f.rs, typ(`"refresh+jwt"`), refresh), refresh: true, want: refreshWant},
		{name: "C8/refresh/refresh+jwt/Verify", token: testutil.Sign(t, f.rs, typ(`"refresh+jwt"`), refresh), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/access-claims/refresh+jwt/VerifyRefresh", token: testutil.Sign(t, f.rs, typ(`"refresh+jwt"`), access), refresh: true, wantErr: jwtx.ErrTokenType, wantClaim: "type"},
		{name: "C8/access/at+jwt/VerifyRefresh", token: testutil.Sign(t, f.rs, typ(`"at+jwt"`), access), refresh: true, wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-absent", token: testutil.Sign(t, f.rs, typ(""), access), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-JWT", token: testutil.Sign(t, f.rs, typ(`"JWT"`), access), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-empty", token: testutil.Sign(t, f.rs, typ(`""`), access), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-null", token: testutil.Sign(t, f.rs, typ(`null`), access), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-number", token: testutil.Sign(t, f.rs, typ(`1`), access), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-trailing-space", token: testutil.Sign(t, f.rs, typ(`"at+jwt "`), access), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-application-only", token: testutil.Sign(t, f.rs, typ(`"application/"`), access), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-other-prefix", token: testutil.Sign(t, f.rs, typ(`"x-application/at+jwt"`), access), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/typ-parameter", token: testutil.Sign(t, f.rs, typ(`"at+jwt; charset=utf-8"`), access), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		// RFC 7515 §4.1.9: media types compare case-insensitively, and
		// "application/" may be left out (RFC 9068 §2.1).
		{name: "C8/typ-AT+JWT", token: testutil.Sign(t, f.rs, typ(`"AT+JWT"`), access)},
		{name: "C8/typ-application/at+jwt", token: testutil.Sign(t, f.rs, typ(`"application/at+jwt"`), access)},
		{name: "C8/typ-Application/AT+JWT", token: testutil.Sign(t, f.rs, typ(`"Application/AT+JWT"`), access)},
		{name: "C8/type-claim-absent", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "type", "")), wantErr: jwtx.ErrTokenType, wantClaim: "type"},
		{name: "C8/type-claim-ACCESS", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "type", `"ACCESS"`)), wantErr: jwtx.ErrTokenType, wantClaim: "type"},
		{name: "C8/type-claim-number", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "type", `1`)), wantErr: jwtx.ErrMalformed, wantClaim: "type"},
		{name: "C8/id-token", token: testutil.Sign(t, f.rs, typ(`"JWT"`), idToken), wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/id-token-with-at+jwt", token: testutil.Sign(t, f.rs, vtH0, idToken), wantErr: jwtx.ErrAudience, wantClaim: "aud"},
		{name: "C8/other-service-audience", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "aud", `"billing"`)), wantErr: jwtx.ErrAudience, wantClaim: "aud"},
	})
}

// TestVerifyIssuedTokenTypes covers C8 steps 1 to 3 on tokens from a real
// jwtx.Issuer: access and refresh tokens each pass only their own method.
func TestVerifyIssuedTokenTypes(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	iss, err := jwtx.NewIssuer[string, vtClaims](f.rs.Private(),
		jwtx.WithClock(testutil.NewClock(now)), jwtx.WithIssuer(vtIssuer), jwtx.WithAudience(vtAudience))
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	pair, err := iss.Pair(context.Background(), vtSubject)
	if err != nil {
		t.Fatalf("Pair: %v", err)
	}
	for _, tc := range []struct {
		name      string
		token     jwtx.Token
		refresh   bool
		wantErr   error
		wantParam string
		wantType  jwtx.TokenType
	}{
		{name: "C8/issued-access/Verify", token: pair.Access, wantType: jwtx.Access},
		{name: "C8/issued-access/VerifyRefresh", token: pair.Access, refresh: true, wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/issued-refresh/Verify", token: pair.Refresh, wantErr: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "C8/issued-refresh/VerifyRefresh", token: pair.Refresh, refresh: true, wantType: jwtx.Refresh},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := jwtx.NewClaimsVerifier[vtClaims](vtRSKey(t), vtPolicyV(now)...)
			if err != nil {
				t.Fatalf("NewClaimsVerifier: %v", err)
			}
			verify := v.Verify
			if tc.refresh {
				verify = v.VerifyRefresh
			}
			got, _, err := verify(context.Background(), tc.token.Raw)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("error mismatch (-want +got):\n%s", diff)
			}
			if err != nil {
				vtCheckRejected(t, tc.token.Raw, got, err)
				var he *jwtx.HeaderError
				if !errors.As(err, &he) || he.Param != tc.wantParam {
					t.Errorf("error %v is not a *jwtx.HeaderError for %q", err, tc.wantParam)
				}
				return
			}
			if diff := cmp.Diff(tc.wantType, got.Type); diff != "" {
				t.Errorf("type claim mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.token.ID, got.ID); diff != "" {
				t.Errorf("jti mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVerifyErrorPrecedence covers C10 (CVE-2024-51744): a bad signature is
// reported alone, never as an expiry; claim failures of a good token are
// all reported.
func TestVerifyErrorPrecedence(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	hour := vtUnix(now.Add(-time.Hour))
	expired := vtClaimsJSON(t, now, "exp", hour)
	for _, tc := range []struct {
		name       string
		token      string
		wantIs     []error
		wantNot    []error
		wantClaims []string // the Claim of every *jwtx.ClaimError, in order
	}{
		{
			name:    "C10/expired-and-signed-by-attacker",
			token:   testutil.Sign(t, f.ars, vtH0, expired),
			wantIs:  []error{jwtx.ErrSignature},
			wantNot: []error{jwtx.ErrExpired},
		},
		{
			name:    "C10/expired-wrong-typ-and-signed-by-attacker",
			token:   testutil.Sign(t, f.ars, `{"alg":"RS256","typ":"refresh+jwt","kid":"rs-1"}`, expired),
			wantIs:  []error{jwtx.ErrSignature},
			wantNot: []error{jwtx.ErrExpired, jwtx.ErrTokenType},
		},
		{
			name:    "C10/malformed-claims-and-bad-signature",
			token:   testutil.Compact(vtH0, `{"exp":"soon"}`, make([]byte, 256)),
			wantIs:  []error{jwtx.ErrSignature},
			wantNot: []error{jwtx.ErrMalformed},
		},
		{
			name:       "C10/expired-and-wrong-audience",
			token:      testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "exp", hour, "aud", `"billing"`)),
			wantIs:     []error{jwtx.ErrExpired, jwtx.ErrAudience},
			wantNot:    []error{jwtx.ErrSignature},
			wantClaims: []string{"exp", "aud"},
		},
		{
			name: "C10/every-registered-claim-wrong",
			token: testutil.Sign(t,

				f.rs, vtH0, vtClaimsJSON(t, now,
					"type", `"refresh"`, "sub", `""`, "exp", hour, "nbf", vtUnix(now.Add(time.Hour)),
					"iat", vtUnix(now.Add(time.Hour)), "iss", `"https://evil.test"`, "aud", `"billing"`)),

			wantIs:     []error{jwtx.ErrTokenType, jwtx.ErrMissingClaim, jwtx.ErrExpired, jwtx.ErrNotYetValid, jwtx.ErrIssuedAt, jwtx.ErrIssuer, jwtx.ErrAudience},
			wantNot:    []error{jwtx.ErrSignature},
			wantClaims: []string{"type", "sub", "exp", "nbf", "iat", "iss", "aud"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := jwtx.NewClaimsVerifier[vtClaims](vtRSKey(t), vtPolicyV(now)...)
			if err != nil {
				t.Fatalf("NewClaimsVerifier: %v", err)
			}
			got, _, err := v.Verify(context.Background(), tc.token)
			if err == nil {
				t.Fatalf("Verify accepted the token")
			}
			vtCheckRejected(t, tc.token, got, err)
			for _, target := range tc.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false, want true", err, target)
				}
			}
			for _, target := range tc.wantNot {
				if errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = true, want false", err, target)
				}
			}
			if diff := cmp.Diff(tc.wantClaims, vtClaimErrors(err)); diff != "" {
				t.Errorf("claim errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// vtRevocation is a RevocationChecker stub that records what it is asked.

// vtClaimErrors returns the Claim of every *jwtx.ClaimError in err's tree, in
// order, so that joined claim failures can be compared with cmp.Diff.
func vtClaimErrors(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		if ce, ok := e.(*jwtx.ClaimError); ok {
			out = append(out, ce.Claim)
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}
