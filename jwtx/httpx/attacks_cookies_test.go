package httpx_test

// Attack catalogue D3 and D4: cookie tossing and the cookies' attributes,
// and token-source confusion.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestTossedAuthCookiesRefused covers D3. Two cookies of an auth name
// (cookie tossing: the attacker's was set with Domain=.example.com;
// Path=/api, which the Cookie header does not show) are refused with 400
// in both orders, for the access and the refresh cookie, never resolved
// first- or last-wins.
func TestTossedAuthCookiesRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		order  []string // whose token goes in each cookie, in order
		target string
		method string
		cookie string
	}{
		{name: "D3/1-access-attacker-first", order: []string{"attacker", "victim"}, method: http.MethodGet, target: "/me", cookie: accessCookie},
		{name: "D3/1-access-victim-first", order: []string{"victim", "attacker"}, method: http.MethodGet, target: "/me", cookie: accessCookie},
		{name: "D3/1-access-POST-attacker-first", order: []string{"attacker", "victim"}, method: http.MethodPost, target: "/api/transfer", cookie: accessCookie},
		{name: "D3/1-refresh-attacker-first", order: []string{"attacker", "victim"}, method: http.MethodPost, target: "/refresh", cookie: refreshCookie},
		{name: "D3/1-refresh-victim-first", order: []string{"victim", "attacker"}, method: http.MethodPost, target: "/refresh", cookie: refreshCookie},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := atkNewSite(t)
			victim, attacker := s.e.access(t, "alice"), s.e.access(t, "bob")
			csrfCookie := accessCSRFCookie
			if tc.cookie == refreshCookie {
				victim, attacker = s.e.refresh(t, "alice"), s.e.refresh(t, "bob")
				csrfCookie = refreshCSRFCookie
			}
			var opts []reqOption
			for _, who := range tc.order {
				tok := victim
				if who == "attacker" {
					tok = attacker
				}
				opts = append(opts, cookie(tc.cookie, tok.Raw))
			}
			opts = append(opts, cookie(csrfCookie, victim.CSRF), header("X-CSRF-Token", victim.CSRF))
			rec := testutil.Serve(s.mux, newRequest(tc.method, tc.target, nil, opts...))
			if diff := cmp.Diff(refusedBadRequest(), resultOf(t, rec.Result())); diff != "" {
				t.Errorf("%s %s with two %s cookies (-want +got):\n%s", tc.method, tc.target, tc.cookie, diff)
			}
			want := []httpx.Event{{Reason: httpx.ReasonBadRequest, Location: httpx.FromCookie, Method: tc.method, Path: tc.target, Err: httpx.ErrBadRequest}}
			if diff := cmp.Diff(want, s.events.all(), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if len(rec.Result().Cookies()) != 0 || s.calls("/me")+s.calls("/api/transfer") != 0 {
				t.Errorf("the request was served: cookies %v", rec.Result().Cookies())
			}
		})
	}
}

// TestSessionCookieAttributes covers D3's attributes: the Set-Cookie
// headers of login, refresh and logout carry __Host- (or __Secure- with a
// path for the refresh cookie), Secure, HttpOnly for the tokens,
// SameSite=Lax, no Domain, and a Max-Age equal to the token's lifetime;
// logout deletes each cookie with Max-Age=0 and the Name, Path and Domain
// it was set with.
func TestSessionCookieAttributes(t *testing.T) {
	t.Parallel()
	t.Run("D3/2-Set-Cookie-login-refresh-logout", func(t *testing.T) {
		t.Parallel()
		s := atkNewSite(t)
		lax := http.SameSiteLaxMode
		access := []cookieAttrs{
			{Name: accessCookie, Path: "/", MaxAge: accessAge, Secure: true, HTTPOnly: true, SameSite: lax},
			{Name: accessCSRFCookie, Path: "/", MaxAge: accessAge, Secure: true, SameSite: lax},
		}
		refresh := []cookieAttrs{
			{Name: refreshCookie, Path: "/refresh", MaxAge: refreshAge, Secure: true, HTTPOnly: true, SameSite: lax},
			{Name: refreshCSRFCookie, Path: "/", MaxAge: refreshAge, Secure: true, SameSite: lax},
		}

		login := testutil.Serve(s.mux, newRequest(http.MethodPost, "/login", nil))
		set := login.Result().Cookies()
		if diff := cmp.Diff(append(append([]cookieAttrs(nil), access...), refresh...), attrsOf(set), byName()); diff != "" {
			t.Errorf("login Set-Cookie (-want +got):\n%s", diff)
		}
		values := valuesOf(set)

		r := newRequest(http.MethodPost, "/refresh", nil, cookie(refreshCookie, values[refreshCookie]),
			cookie(refreshCSRFCookie, values[refreshCSRFCookie]), header("X-CSRF-Token", values[refreshCSRFCookie]))
		refreshed := testutil.Serve(s.mux, r)
		if refreshed.Code != http.StatusOK {
			t.Fatalf("refresh: status %d, body %s", refreshed.Code, refreshed.Body)
		}
		if diff := cmp.Diff(access, attrsOf(refreshed.Result().Cookies()), byName()); diff != "" {
			t.Errorf("refresh Set-Cookie (-want +got):\n%s", diff)
		}

		r = newRequest(http.MethodPost, "/logout", nil, cookie(accessCookie, values[accessCookie]),
			cookie(accessCSRFCookie, values[accessCSRFCookie]), header("X-CSRF-Token", values[accessCSRFCookie]))
		logout := testutil.Serve(s.mux, r)
		if logout.Code != http.StatusOK {
			t.Fatalf("logout: status %d, body %s", logout.Code, logout.Body)
		}
		// Deletion: the same Name, Path and Domain, Max-Age=0 (which
		// net/http reads back as MaxAge -1), an empty value.
		var deleted []cookieAttrs
		for _, c := range append(append([]cookieAttrs(nil), access...), refresh...) {
			c.MaxAge = -1
			deleted = append(deleted, c)
		}
		if diff := cmp.Diff(deleted, attrsOf(logout.Result().Cookies()), byName()); diff != "" {
			t.Errorf("logout Set-Cookie (-want +got):\n%s", diff)
		}
		for _, line := range logout.Result().Header.Values("Set-Cookie") {
			if !strings.Contains(line, "; Max-Age=0") || strings.Contains(line, "Domain=") {
				t.Errorf("logout Set-Cookie %q: want Max-Age=0 and no Domain", line)
			}
		}
		for name, v := range valuesOf(logout.Result().Cookies()) {
			if v != "" {
				t.Errorf("logout sets %s=%q, want an empty value", name, v)
			}
		}
	})
}

// TestTokenSourceConfusion covers D4: token-source confusion. With the header and the
// cookie both configured, the first configured location that holds a token
// decides and the other is not read (documented at WithLocations); the
// CSRF check applies whenever the cookie is the location used, even with a
// header token present, and not when the header is used (a browser never
// attaches it by itself). Query-string and form-body tokens are refused
// by default (no token found: 401), and FromBody reads JSON bodies only.
func TestTokenSourceConfusion(t *testing.T) {
	t.Parallel()
	atkRun(t, false, []atkCase{
		{
			name: "D4/header-and-cookie-disagree/header-first-decides",
			opts: []httpx.Option{httpx.WithLocations(httpx.FromHeader, httpx.FromCookie)},
			request: func(v, a jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodGet, target: "/api/transfer", opts: atkOpts(atkVictim(v), []reqOption{bearer(a.Raw)})}
			},
			want: okAs("bob", "Bob"), calls: 1,
		},
		{
			name: "D4/header-and-cookie-disagree/cookie-first-decides",
			opts: []httpx.Option{httpx.WithLocations(httpx.FromCookie, httpx.FromHeader)},
			request: func(v, a jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodGet, target: "/api/transfer", opts: atkOpts(atkVictim(v), []reqOption{bearer(a.Raw)})}
			},
			want: okAs("alice", "Alice"), calls: 1,
		},
		{
			name: "D4/cookie-used-needs-CSRF-despite-header-token",
			opts: []httpx.Option{httpx.WithLocations(httpx.FromCookie, httpx.FromHeader)},
			request: func(v, a jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/api/transfer", opts: atkOpts(atkVictim(v), []reqOption{bearer(a.Raw)})}
			},
			want: refusedCSRF(),
		},
		{
			name: "D4/header-used-needs-no-CSRF",
			opts: []httpx.Option{httpx.WithLocations(httpx.FromHeader, httpx.FromCookie)},
			request: func(v, a jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/api/transfer", opts: atkOpts(atkVictim(v), []reqOption{bearer(a.Raw)})}
			},
			want: okAs("bob", "Bob"), calls: 1,
		},
		{
			name: "D4/query-access_token-default-refused",
			opts: []httpx.Option{httpx.WithLocations(httpx.FromHeader)},
			request: func(v, _ jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodGet, target: "/api/transfer?access_token=" + v.Raw}
			},
			want: refusedMissing(),
		},
		{
			name: "D4/query-jwt-default-refused",
			request: func(v, _ jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodGet, target: "/api/transfer?jwt=" + v.Raw}
			},
			want: refusedMissing(),
		},
		{
			name: "D4/form-body-access_token-default-refused",
			request: func(v, _ jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/api/transfer", body: "access_token=" + v.Raw,
					opts: []reqOption{header("Content-Type", "application/x-www-form-urlencoded")}}
			},
			want: refusedMissing(),
		},
		{
			name: "D4/json-body-access_token-default-refused",
			request: func(v, _ jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/api/transfer", body: `{"access_token":"` + v.Raw + `"}`,
					opts: []reqOption{header("Content-Type", "application/json")}}
			},
			want: refusedMissing(),
		},
		{
			name: "D4/form-body-not-read-even-with-FromBody",
			opts: []httpx.Option{httpx.WithLocations(httpx.FromBody)},
			request: func(v, _ jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/api/transfer", body: "access_token=" + v.Raw,
					opts: []reqOption{header("Content-Type", "application/x-www-form-urlencoded")}}
			},
			want: refusedMissing(),
		},
	})
}
