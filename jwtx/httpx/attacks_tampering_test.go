package httpx_test

// Attack catalogue C11 (decode-without-verify misuse): a token whose
// payload was changed after signing, through every entry point.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// atkAccessTampering is the edit of C11 to bob's access token: old, new
// pairs for testutil.Tamper that make it claim the admin's identity, role
// and freshness.
func atkAccessTampering() []string {
	return []string{`"sub":"bob"`, `"sub":"admin"`, `"roles":["reader"]`, `"roles":["admin"]`, `"fresh":false`, `"fresh":true`}
}

// atkRefreshTampering is the edit of C11 to bob's refresh token.
func atkRefreshTampering() []string { return []string{`"sub":"bob"`, `"sub":"admin"`} }

// atkEntry is an entry point of the library that a tampered token goes
// through.
type atkEntry struct {
	name    string
	refresh bool // the tampered token is bob's refresh token
	opts    func(e *appEnv) []httpx.Option
	request func(tok jwtx.Token, tampered string) atkRequest
	route   string // the handler that must not run; "" for none
	want    result
	logout  bool // LogoutHandler: answers 200 and clears the cookies
}

// TestTamperedTokenTrustedNowhere covers C11: bob's token with its payload
// changed to sub "admin" (and roles, fresh) and its signature kept goes
// through every entry point of the library. Each refuses it with 401
// invalid_token; no handler, authorization check or user lookup runs;
// nothing is revoked, issued or set; the events and the log carry no
// unverified claim; and the error handler finds no claims, raw claims or
// user in the context (see atkCheckTampered).
func TestTamperedTokenTrustedNowhere(t *testing.T) {
	t.Parallel()
	get := func(target string) func(jwtx.Token, string) atkRequest {
		return func(_ jwtx.Token, tampered string) atkRequest {
			return atkRequest{method: http.MethodGet, target: target, opts: []reqOption{bearer(tampered)}}
		}
	}
	invalid := refusedToken("invalid token")
	only := func(locs ...httpx.Location) func(*appEnv) []httpx.Option {
		return func(*appEnv) []httpx.Option { return []httpx.Option{httpx.WithLocations(locs...)} }
	}
	for _, tc := range []atkEntry{
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
				tampered = testutil.Tamper(t, tok.Raw, atkRefreshTampering()...)
			} else {
				tok = e.access(t, "bob")
				tampered = testutil.Tamper(t, tok.Raw, atkAccessTampering()...)
			}
			q := tc.request(tok, tampered)
			rec := testutil.Serve(s.mux, q.build())
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", q.method, q.target, diff)
			}
			atkCheckTampered(t, tc, s, rec, tok, tampered)
		})
	}
}

// atkCheckTampered checks what must not have happened when the entry
// refused the tampered token: no handler, check or user lookup ran,
// nothing was revoked, set or issued, the one event names no claim, and
// neither the log, the event nor the response carries the token or "admin".
func atkCheckTampered(t *testing.T, tc atkEntry, s *atkSite, rec *httptest.ResponseRecorder, tok jwtx.Token, tampered string) {
	t.Helper()
	if tc.route != "" {
		if n := s.calls(tc.route); n != 0 {
			t.Errorf("handler %s ran %d times", tc.route, n)
		}
	}
	if n := s.calls("/staff check"); n != 0 {
		t.Errorf("the authorization check ran %d times", n)
	}
	if n := s.e.loads.Load(); n != 0 {
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
}

// TestTamperedTokenVerifierResults covers C11 at the verifier's own entry
// points: they return zero claims, no raw claims and jwtx.ErrSignature.
func TestTamperedTokenVerifierResults(t *testing.T) {
	t.Parallel()
	t.Run("C11/Verifier", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		access := testutil.Tamper(t, e.access(t, "bob").Raw, atkAccessTampering()...)
		refresh := testutil.Tamper(t, e.refresh(t, "bob").Raw, atkRefreshTampering()...)
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
