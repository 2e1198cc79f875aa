package httpx_test

// Attack catalogue B6: Unicode and whitespace around the token, through the
// middleware.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestWhitespaceAndUnicodeAroundToken covers B6: Unicode and whitespace around the compact form,
// in "Authorization: Bearer <x>" and in the access cookie. The header
// takes exactly one scheme token, one space and one b64token, or it is a
// bad request; the scheme is case-insensitive (documented at
// WithAuthorizationHeader). In the cookie, net/http drops a cookie whose
// value holds a control or non-ASCII byte (so no token: 401 missing), and
// removes whitespace around a cookie-pair and the DQUOTEs around a
// cookie-value before httpx sees it (RFC 6265 §4.1.1, §5.4): those
// variants authenticate, because the bytes the verifier checks are then
// exactly T0, never another token. Any other spelling reaches the strict
// verifier and is refused as malformed.
func TestWhitespaceAndUnicodeAroundToken(t *testing.T) {
	t.Parallel()
	type variant struct {
		name string
		// value returns the Authorization header values, or the raw cookie
		// value (first element), for the victim's token t0 and another
		// valid token t1.
		value func(t0, t1 string) []string
		want  result
	}
	cyrillic := func(t0 string) string {
		i := strings.IndexByte(t0, 'a')
		if i < 0 {
			return "\u0430" + t0[1:]
		}
		return t0[:i] + "\u0430" + t0[i+1:]
	}
	one := func(f func(t0 string) string) func(string, string) []string {
		return func(t0, _ string) []string { return []string{f(t0)} }
	}
	alice := okAs("alice", "Alice")
	headers := []variant{
		{name: "control", value: one(func(t0 string) string { return "Bearer " + t0 }), want: alice},
		{name: "leading-space", value: one(func(t0 string) string { return "Bearer " + " " + t0 }), want: refusedBadRequest()},
		{name: "trailing-space", value: one(func(t0 string) string { return "Bearer " + t0 + " " }), want: refusedBadRequest()},
		{name: "trailing-tab", value: one(func(t0 string) string { return "Bearer " + t0 + "\t" }), want: refusedBadRequest()},
		{name: "NBSP", value: one(func(t0 string) string { return "Bearer " + "\u00a0" + t0 }), want: refusedBadRequest()},
		{name: "zero-width-space", value: one(func(t0 string) string { return "Bearer " + t0 + "\u200b" }), want: refusedBadRequest()},
		{name: "BOM", value: one(func(t0 string) string { return "Bearer " + "\ufeff" + t0 }), want: refusedBadRequest()},
		{name: "fullwidth-dots", value: one(func(t0 string) string { return "Bearer " + strings.ReplaceAll(t0, ".", "\uff0e") }), want: refusedBadRequest()},
		{name: "ideographic-dots", value: one(func(t0 string) string { return "Bearer " + strings.ReplaceAll(t0, ".", "\u3002") }), want: refusedBadRequest()},
		{name: "cyrillic-a", value: one(func(t0 string) string { return "Bearer " + cyrillic(t0) }), want: refusedBadRequest()},
		{name: "two-spaces", value: one(func(t0 string) string { return "Bearer  " + t0 }), want: refusedBadRequest()},
		{name: "scheme-lowercase", value: one(func(t0 string) string { return "bearer " + t0 }), want: alice},
		{name: "scheme-uppercase", value: one(func(t0 string) string { return "BEARER " + t0 }), want: alice},
		{name: "two-credentials", value: func(t0, t1 string) []string { return []string{"Bearer " + t0 + ", Bearer " + t1} }, want: refusedBadRequest()},
		{name: "two-Authorization-headers", value: func(t0, t1 string) []string { return []string{"Bearer " + t0, "Bearer " + t1} }, want: refusedBadRequest()},
	}
	cookies := []variant{
		{name: "control", value: one(func(t0 string) string { return t0 }), want: alice},
		{name: "leading-space", value: one(func(t0 string) string { return " " + t0 }), want: refusedToken("invalid token")},
		{name: "trailing-space-stripped-by-net-http", value: one(func(t0 string) string { return t0 + " " }), want: alice},
		{name: "trailing-tab-stripped-by-net-http", value: one(func(t0 string) string { return t0 + "\t" }), want: alice},
		{name: "DQUOTEs-stripped-by-net-http", value: one(func(t0 string) string { return `"` + t0 + `"` }), want: alice},
		{name: "NBSP", value: one(func(t0 string) string { return "\u00a0" + t0 }), want: refusedMissing()},
		{name: "zero-width-space", value: one(func(t0 string) string { return t0 + "\u200b" }), want: refusedMissing()},
		{name: "BOM", value: one(func(t0 string) string { return "\ufeff" + t0 }), want: refusedMissing()},
		{name: "fullwidth-dots", value: one(func(t0 string) string { return strings.ReplaceAll(t0, ".", "\uff0e") }), want: refusedMissing()},
		{name: "ideographic-dots", value: one(func(t0 string) string { return strings.ReplaceAll(t0, ".", "\u3002") }), want: refusedMissing()},
		{name: "cyrillic-a", value: one(cyrillic), want: refusedMissing()},
		{name: "Bearer-prefix", value: one(func(t0 string) string { return "Bearer " + t0 }), want: refusedToken("invalid token")},
		{name: "two-credentials", value: func(t0, t1 string) []string { return []string{t0 + ", " + t1} }, want: refusedToken("invalid token")},
	}
	for _, loc := range []struct {
		name     string
		location httpx.Location
		variants []variant
	}{
		{name: "header", location: httpx.FromHeader, variants: headers},
		{name: "cookie", location: httpx.FromCookie, variants: cookies},
	} {
		for _, tc := range loc.variants {
			t.Run("B6/"+loc.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				s := atkNewSite(t, httpx.WithLocations(loc.location))
				t0, t1 := s.e.access(t, "alice").Raw, s.e.access(t, "bob").Raw
				r := newRequest(http.MethodGet, "/me", nil)
				values := tc.value(t0, t1)
				if loc.location == httpx.FromHeader {
					for _, v := range values {
						r.Header.Add("Authorization", v)
					}
				} else {
					testutil.AddRawCookie(r, accessCookie, values[0])
				}
				rec := testutil.Serve(s.mux, r)
				if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
					t.Errorf("GET /me with %s %q (-want +got):\n%s", loc.name, values, diff)
				}
				checkNoLeak(t, rec, t0)
			})
		}
	}
}
