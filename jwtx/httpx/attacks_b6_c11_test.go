package httpx_test

// Attack catalogue B6 (Unicode and whitespace around the token) and C11
// (decode-without-verify misuse), through the middleware.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestAttackB6 covers B6: Unicode and whitespace around the compact form,
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
func TestAttackB6(t *testing.T) {
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
					cookie(accessCookie, values[0])(r)
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

// TestAttackC11 covers C11: bob's token with its payload changed to
// sub "admin" (and roles, fresh) and its signature kept goes through every
// entry point of the library. Each refuses it with 401 invalid_token; no
// handler, authorization check or user lookup runs; nothing is revoked,
// issued or set; the events and the log carry no unverified claim; and
// the error handler finds no claims, raw claims or user in the context.
func TestAttackC11(t *testing.T) {
	t.Parallel()
	const fakeSub = `"sub":"admin"`
	accessTampering := []string{`"sub":"bob"`, fakeSub, `"roles":["reader"]`, `"roles":["admin"]`, `"fresh":false`, `"fresh":true`}
	refreshTampering := []string{`"sub":"bob"`, fakeSub}
	type entry struct {
		name    string
		refresh bool // the tampered token is bob's refresh token
		opts    func(e *appEnv) []httpx.Option
		request func(tok jwtx.Token, tampered string) atkRequest
		route   string // the handler that must not run; "" for none
		want    result
		logout  bool // LogoutHandler: answers 200 and clears the cookies
	}
	get := func(target string) func(jwtx.Token, string) atkRequest {
		return func(_ jwtx.Token, tampered string) atkRequest {
			return atkRequest{method: http.MethodGet, target: target, opts: []reqOption{bearer(tampered)}}
		}
	}
	invalid := refusedToken("invalid token")
	only := func(locs ...httpx.Location) func(*appEnv) []httpx.Option {
		return func(*appEnv) []httpx.Option { return []httpx.Option{httpx.WithLocations(locs...)} }
	}
	for _, tc := range []entry{
		{name: "C11/Required/header", request: get("/me"), route: "/me", want: invalid},
		{name: "C11/Required/cookie", route: "/me", want: invalid, request: func(tok jwtx.Token, tampered string) atkRequest {
			return atkRequest{method: http.MethodGet, target: "/me", opts: []reqOption{cookie(accessCookie, tampered), cookie(accessCSRFCookie, tok.CSRF)}}
		}},
		{name: "C11/Required/cookie-POST-with-CSRF", route: "/api/transfer", want: invalid, request: func(tok jwtx.Token, tampered string) atkRequest {
			return atkRequest{method: http.MethodPost, target: "/api/transfer", opts: []reqOption{cookie(accessCookie, tampered), header("X-CSRF-Token", tok.CSRF)}}
		}},
		{name: "C11/Required/query", opts: only(httpx.FromQuery), route: "/me", want: invalid,
			request: func(_ jwtx.Token, tampered string) atkRequest {
				return atkRequest{method: http.MethodGet, target: "/me?jwt=" + tampered}
			}},
		{name: "C11/Required/body", opts: only(httpx.FromBody), route: "/api/transfer", want: invalid,
			request: func(_ jwtx.Token, tampered string) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/api/transfer", body: `{"access_token":"` + tampered + `"}`,
					opts: []reqOption{header("Content-Type", "application/json")}}
			}},
		{name: "C11/Required/implicit-refresh", route: "/me", want: invalid,
			opts: func(e *appEnv) []httpx.Option { return []httpx.Option{httpx.WithImplicitRefresh(e.Issuer, time.Hour)} },
			request: func(_ jwtx.Token, tampered string) atkRequest {
				return atkRequest{method: http.MethodGet, target: "/me", opts: []reqOption{cookie(accessCookie, tampered)}}
			}},
		{name: "C11/Optional", request: get("/feed"), route: "/feed", want: invalid},
		{name: "C11/Fresh", route: "/password", want: invalid, request: func(_ jwtx.Token, tampered string) atkRequest {
			return atkRequest{method: http.MethodPost, target: "/password", opts: []reqOption{bearer(tampered)}}
		}},
		{name: "C11/Authorize", request: get("/staff"), route: "/staff", want: invalid},
		{name: "C11/HandlerFunc", request: get("/hf"), route: "/hf", want: invalid},
		{name: "C11/RequireRefresh", refresh: true, request: get("/refresh-only"), route: "/refresh-only", want: invalid},
		{name: "C11/RefreshHandler/header", refresh: true, want: invalid, request: func(_ jwtx.Token, tampered string) atkRequest {
			return atkRequest{method: http.MethodPost, target: "/refresh", opts: []reqOption{bearer(tampered)}}
		}},
		{name: "C11/RefreshHandler/cookie", refresh: true, want: invalid, request: func(tok jwtx.Token, tampered string) atkRequest {
			return atkRequest{method: http.MethodPost, target: "/refresh", opts: []reqOption{
				cookie(refreshCookie, tampered), cookie(refreshCSRFCookie, tok.CSRF), header("X-CSRF-Token", tok.CSRF),
			}}
		}},
		{name: "C11/RefreshHandler/body", refresh: true, opts: only(httpx.FromBody), want: invalid,
			request: func(_ jwtx.Token, tampered string) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/refresh", body: `{"refresh_token":"` + tampered + `"}`,
					opts: []reqOption{header("Content-Type", "application/json")}}
			}},
		{
			// A token that does not verify is left alone: logout answers
			// and clears the cookies, and revokes nothing, in particular
			// not bob's real jti, which the tampered token still carries.
			name: "C11/LogoutHandler/cookie", logout: true,
			want: result{Status: http.StatusOK, Body: msg("logged out")},
			request: func(tok jwtx.Token, tampered string) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/logout", opts: []reqOption{
					cookie(accessCookie, tampered), cookie(accessCSRFCookie, tok.CSRF), header("X-CSRF-Token", tok.CSRF),
				}}
			},
		},
		{
			name: "C11/LogoutHandler/header", logout: true,
			want: result{Status: http.StatusOK, Body: msg("logged out")},
			request: func(_ jwtx.Token, tampered string) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/logout", opts: []reqOption{bearer(tampered)}}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := newMemStore()
			e := newEnv(t, jwtx.WithRevocation(store))
			var opts []httpx.Option
			if tc.opts != nil {
				opts = tc.opts(e)
			}
			s := atkNewSiteOn(t, e, store, opts...)
			var tok jwtx.Token
			var tampered string
			if tc.refresh {
				tok = e.refresh(t, "bob")
				tampered = atkTampered(t, tok.Raw, refreshTampering...)
			} else {
				tok = e.access(t, "bob")
				tampered = atkTampered(t, tok.Raw, accessTampering...)
			}
			q := tc.request(tok, tampered)
			rec := testutil.Serve(s.mux, q.build())
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", q.method, q.target, diff)
			}
			if tc.route != "" {
				if n := s.calls(tc.route); n != 0 {
					t.Errorf("handler %s ran %d times", tc.route, n)
				}
			}
			if n := s.calls("/staff check"); n != 0 {
				t.Errorf("the authorization check ran %d times", n)
			}
			if n := e.loads.Load(); n != 0 {
				t.Errorf("the user loader ran %d times on an unverified token", n)
			}
			if s.ctxLeak.Load() {
				t.Errorf("the error handler found verified values in the request context")
			}
			if n := atkRevokedCount(s.store); s.store.has(tok.ID) || n != 0 {
				t.Errorf("the store revoked %d tokens", n)
			}
			setCookies := rec.Result().Cookies()
			for _, c := range setCookies {
				if !tc.logout || c.MaxAge >= 0 || c.Value != "" {
					t.Errorf("response sets cookie %s=%q (Max-Age %d)", c.Name, c.Value, c.MaxAge)
				}
			}
			if strings.Contains(rec.Body.String(), "access_token") {
				t.Errorf("response issues a token: %s", rec.Body)
			}
			events := s.events.all()
			if len(events) != 1 {
				t.Fatalf("events = %v, want one", events)
			}
			ev := events[0]
			if ev.Subject != "" || ev.TokenID != "" {
				t.Errorf("event carries unverified claims: Subject %q, TokenID %q", ev.Subject, ev.TokenID)
			}
			wantReason := httpx.ReasonSignature
			if tc.logout {
				wantReason = httpx.ReasonLoggedOut
			} else if !errors.Is(ev.Err, jwtx.ErrSignature) {
				t.Errorf("event error = %v, want %v", ev.Err, jwtx.ErrSignature)
			}
			if ev.Reason != wantReason {
				t.Errorf("event reason = %q, want %q", ev.Reason, wantReason)
			}
			secrets := append(atkSegments(tampered), "admin")
			atkNoLeak(t, "the log", s.logText(), secrets...)
			atkNoLeak(t, "the event", fmt.Sprintf("%+v", ev), secrets...)
			checkNoLeak(t, rec, tampered)
		})
	}

	// The verifier's own entry points return zero claims, no raw claims and
	// jwtx.ErrSignature.
	t.Run("C11/Verifier", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		access := atkTampered(t, e.access(t, "bob").Raw, accessTampering...)
		refresh := atkTampered(t, e.refresh(t, "bob").Raw, refreshTampering...)
		ctx := context.Background()
		check := func(name string, c Claims, u User, raw jwtx.RawClaims, err error) {
			t.Helper()
			if !errors.Is(err, jwtx.ErrSignature) {
				t.Errorf("%s error = %v, want %v", name, err, jwtx.ErrSignature)
			}
			if diff := cmp.Diff(Claims{}, c, cmpopts.IgnoreUnexported(jwtx.Fresh{})); diff != "" || !c.Fresh.IsZero() {
				t.Errorf("%s returned claims (-want +got):\n%s", name, diff)
			}
			if diff := cmp.Diff(User{}, u); diff != "" || raw != nil {
				t.Errorf("%s returned user %v, raw %q", name, u, raw)
			}
		}
		c, u, err := e.Verifier.Verify(ctx, access)
		check("Verify", c, u, nil, err)
		c, u, err = e.Verifier.VerifyFresh(ctx, access)
		check("VerifyFresh", c, u, nil, err)
		c, u, err = e.Verifier.VerifyRefresh(ctx, refresh)
		check("VerifyRefresh", c, u, nil, err)
		for _, want := range []jwtx.Expect{jwtx.ExpectAccess, jwtx.ExpectFresh} {
			c, raw, err := e.Verifier.VerifyClaims(ctx, access, want)
			check("VerifyClaims", c, User{}, raw, err)
		}
		c, raw, err := e.Verifier.VerifyClaims(ctx, refresh, jwtx.ExpectRefresh)
		check("VerifyClaims(refresh)", c, User{}, raw, err)
		if n := e.loads.Load(); n != 0 {
			t.Errorf("the user loader ran %d times", n)
		}
	})
}

// atkCSRFCase is one request of D1 or D2 against the victim's session.
type atkCSRFCase struct {
	name string
	opts []httpx.Option
	// request builds the request from the victim's access token and the
	// attacker's own (bob's).
	request func(victim, attacker jwtx.Token) atkRequest
	want    result
	calls   int64 // how often the state-changing handler runs
}

// atkRunCSRF runs D1 and D2 cases: the victim (alice) is logged in, the
// attacker (bob) has a session of his own, and the request goes to the
// state-changing route /api/transfer. A refusal must be the CSRF refusal,
// with a csrf event for the victim's verified token.
func atkRunCSRF(t *testing.T, cases []atkCSRFCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := atkNewSite(t, tc.opts...)
			victim, attacker := s.e.access(t, "alice"), s.e.access(t, "bob")
			q := tc.request(victim, attacker)
			rec := testutil.Serve(s.mux, q.build())
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", q.method, q.target, diff)
			}
			if got := s.calls("/api/transfer"); got != tc.calls {
				t.Errorf("the state-changing handler ran %d times, want %d", got, tc.calls)
			}
			if tc.want.Status == http.StatusForbidden {
				want := []httpx.Event{{Reason: httpx.ReasonCSRF, Location: httpx.FromCookie, Method: q.method, Path: "/api/transfer",
					Subject: "alice", TokenID: victim.ID, Err: httpx.ErrCSRF}}
				if diff := cmp.Diff(want, s.events.all(), cmpopts.EquateErrors()); diff != "" {
					t.Errorf("events (-want +got):\n%s", diff)
				}
			}
			checkNoLeak(t, rec, victim.Raw)
		})
	}
}
