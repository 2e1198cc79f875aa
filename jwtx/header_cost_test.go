package jwtx_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// hcMembers returns n header members "m0":0, "m1":0, ... joined by commas.
func hcMembers(n int) string {
	ms := make([]string, n)
	for i := range ms {
		ms[i] = fmt.Sprintf(`"m%d":0`, i)
	}
	return strings.Join(ms, ",")
}

// hcPadded returns the header {"alg":"RS256","typ":"at+jwt","kid":"rs-1","pad":"…"}
// with a pad that makes its base64url encoding exactly n bytes long; n
// must leave room for the other members and be a length base64url can have.
func hcPadded(tb testing.TB, n int) string {
	tb.Helper()
	const head, tail = `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","pad":"`, `"}`
	h := head + strings.Repeat("x", n*3/4-len(head)-len(tail)) + tail
	if got := len(b64u(h)); got != n {
		tb.Fatalf("padded header encodes to %d bytes, want %d", got, n)
	}
	return h
}

// hcForgedHeader is the header of the finding: about 600 members filling a
// token of nearly 8 KiB, refused only after a full scan before the fix.
func hcForgedHeader() string {
	return `{"alg":"RS256","typ":"at+jwt","kid":"rs-1",` + hcMembers(600) + `}`
}

// hcJWK is the public JWK of an RSA-4096 key as it appears in a "jwk"
// header: the largest header parameter a normal token carries (jwtx
// ignores it).
func hcJWK() string {
	return `{"kty":"RSA","kid":"rsa-4096","alg":"RS256","use":"sig","e":"AQAB","n":"` + strings.Repeat("q", 683) + `"}`
}

// TestHeaderCostBeforeSignatureCheck: the header is read before any key is
// used, so its size and its number of members (counted in objects at every
// depth) are bounded before it is scanned in full, whatever the signature.
// Normal headers, including Flask's with custom parameters and one
// carrying an RSA-4096 JWK, pass.
func TestHeaderCostBeforeSignatureCheck(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	c0 := vtClaimsJSON(t, vtNow())
	flask := []jwtx.VerifierOption{jwtx.WithHeaderTypes("JWT", "JWT")}
	for _, tc := range []struct {
		name    string
		header  string
		opts    []jwtx.VerifierOption
		wantErr error // for any signature; nil means accepted when signed
	}{
		{name: "normal", header: vtH0},
		{name: "flask", header: `{"alg":"RS256","typ":"JWT","kid":"rs-1"}`, opts: flask},
		{name: "flask additional headers", header: `{"alg":"RS256","kid":"rs-1","typ":"JWT","x-tenant":"acme","x-region":"eu-west-1","x-trace":"5f1c9e7a"}`, opts: flask},
		{name: "registered parameters", header: `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","cty":"json","x5t":"dGh1bWI","x5t#S256":"dGh1bWJwcmludA","jku":"https://id.example/jwks","x5u":"https://id.example/cert"}`},
		{name: "RSA-4096 JWK", header: `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","jwk":` + hcJWK() + `}`},
		{name: "32 members", header: `{"alg":"RS256","typ":"at+jwt","kid":"rs-1",` + hcMembers(29) + `}`},
		{name: "32 members at every depth", header: `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x":{` + hcMembers(20) + `},"y":[{` + hcMembers(7) + `}]}`},
		{name: "2 KiB encoded", header: hcPadded(t, 2048)},

		{name: "forged 600 members", header: hcForgedHeader(), wantErr: jwtx.ErrTooLarge},
		{name: "over 2 KiB encoded", header: hcPadded(t, 2050), wantErr: jwtx.ErrTooLarge},
		{name: "33 members", header: `{"alg":"RS256","typ":"at+jwt","kid":"rs-1",` + hcMembers(30) + `}`, wantErr: jwtx.ErrMalformed},
		{name: "33 members at every depth", header: `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x":{` + hcMembers(20) + `},"y":[{` + hcMembers(8) + `}]}`, wantErr: jwtx.ErrMalformed},
		{name: "many one-member objects", header: `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x":[` + strings.Repeat(`{"a":0},`, 40) + `{}]}`, wantErr: jwtx.ErrMalformed},
		{name: "too many members before alg", header: `{` + hcMembers(40) + `,"alg":"RS256","typ":"at+jwt","kid":"rs-1"}`, wantErr: jwtx.ErrMalformed},
	} {
		for _, sub := range []struct {
			name  string
			token string
		}{
			{name: "signed", token: testutil.Sign(t, f.rs, tc.header, c0)},
			{name: "forged", token: testutil.Sign(t, f.ars, tc.header, c0)},
		} {
			t.Run(tc.name+"/"+sub.name, func(t *testing.T) {
				t.Parallel()
				want := tc.wantErr
				if want == nil && sub.name == "forged" {
					want = jwtx.ErrSignature
				}
				vtRun(t, vtCase{token: sub.token, opts: tc.opts, wantErr: want})
			})
		}
	}
}

// BenchmarkHeaderCostBeforeSignatureCheck compares refusing forged headers
// with verifying a normal token; it asserts no timings.
func BenchmarkHeaderCostBeforeSignatureCheck(b *testing.B) {
	f := fixture(b)
	now := vtNow()
	c0 := vtClaimsJSON(b, now)
	hs := vtHSKey(b)
	for _, bc := range []struct {
		name   string
		keys   jwtx.VerificationKeys
		token  string
		wantOK bool
	}{
		{name: "verify/HS256", keys: hs, token: testutil.Sign(b, f.hs, vtHHS, c0), wantOK: true},
		{name: "verify/RS256", keys: vtRSKey(b), token: testutil.Sign(b, f.rs, vtH0, c0), wantOK: true},
		{name: "forged/600-members", keys: hs, token: testutil.Sign(b, f.ahs, strings.Replace(hcForgedHeader(), "RS256", "HS256", 1), c0)},
		{name: "forged/32-members", keys: hs, token: testutil.Sign(b, f.ahs, `{"alg":"HS256","typ":"at+jwt","kid":"hs-1",`+hcMembers(29)+`}`, c0)},
		{name: "forged/33-members", keys: hs, token: testutil.Sign(b, f.ahs, `{"alg":"HS256","typ":"at+jwt","kid":"hs-1",`+hcMembers(30)+`}`, c0)},
		{name: "forged/2KiB", keys: hs, token: testutil.Sign(b, f.ahs, strings.Replace(hcPadded(b, 2048), "RS256", "HS256", 1), c0)},
		// A token as long as the forged header's, with a normal header:
		// what any token of that size costs to refuse.
		{name: "forged/7KiB-payload", keys: hs, token: testutil.Sign(b, f.ahs, vtHHS, vtClaimsJSON(b, now, "pad", `"`+strings.Repeat("x", 5200)+`"`))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			v, err := jwtx.NewClaimsVerifier[vtClaims](bc.keys, vtPolicyV(now)...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ReportMetric(float64(len(bc.token)), "token-bytes")
			for b.Loop() {
				_, _, err = v.Verify(ctx, bc.token)
			}
			if (err == nil) != bc.wantOK {
				b.Fatalf("Verify = %v, want success %v", err, bc.wantOK)
			}
		})
	}
}
