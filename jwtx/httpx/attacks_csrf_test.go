package httpx_test

// Attack catalogue D1 and D2: CSRF and weak double-submit checks.

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestCrossSiteRequestsNeedCSRFValue covers D1: cross-site requests from https://evil.test that
// carry the victim's cookies but not the CSRF value are refused with 403
// for every unsafe method and body type, method-override headers and
// fields are ignored (the CSRF rule follows the real method), and Origin
// null or absent changes nothing. httpx does not check Origin or
// Sec-Fetch-Site: the double-submit value decides, so a same-site request
// that echoes it passes.
//
// GET is never CSRF-checked (D1 #3): the cross-site GET below reaches the
// handler as the victim. Applications must not change state on GET, HEAD,
// OPTIONS or TRACE; SECURITY.md says so.
func TestCrossSiteRequestsNeedCSRFValue(t *testing.T) {
	t.Parallel()
	post := func(target, contentType, body string, extra ...reqOption) func(jwtx.Token, jwtx.Token) atkRequest {
		return func(v, _ jwtx.Token) atkRequest {
			opts := atkOpts(atkVictim(v), atkCrossSite(), extra)
			if contentType != "" {
				opts = append(opts, header("Content-Type", contentType))
			}
			return atkRequest{method: http.MethodPost, target: target, body: body, opts: opts}
		}
	}
	form := "application/x-www-form-urlencoded"
	cases := []atkCase{
		{name: "D1/1-form-POST", request: post("/api/transfer", form, "to=mallory&amount=1000"), want: refusedCSRF()},
		{name: "D1/1-form-POST-form-field-configured", opts: []httpx.Option{httpx.WithCSRFFormField("csrf_token")},
			request: post("/api/transfer", form, "to=mallory&amount=1000"), want: refusedCSRF()},
		{name: "D1/1-multipart-form-POST", request: post("/api/transfer", "multipart/form-data; boundary=x",
			"--x\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nmallory\r\n--x--\r\n"), want: refusedCSRF()},
		{name: "D1/2-text-plain-JSON", request: post("/api/transfer", "text/plain", `{"to":"mallory","amount":1000}`), want: refusedCSRF()},
		{
			name: "D1/3-GET-state-change-is-not-CSRF-checked",
			request: func(v, _ jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodGet, target: "/api/transfer?to=x", opts: atkOpts(atkVictim(v), atkCrossSite())}
			},
			want: okAs("alice", "Alice"), calls: 1,
		},
		{name: "D1/4-X-HTTP-Method-Override-DELETE", request: post("/api/transfer", "", "", header("X-HTTP-Method-Override", http.MethodDelete)), want: refusedCSRF()},
		{name: "D1/4-X-HTTP-Method-Override-GET", request: post("/api/transfer", "", "", header("X-HTTP-Method-Override", http.MethodGet)), want: refusedCSRF()},
		{name: "D1/4-X-HTTP-Method-GET", request: post("/api/transfer", "", "", header("X-HTTP-Method", http.MethodGet)), want: refusedCSRF()},
		{name: "D1/4-X-Method-Override-GET", request: post("/api/transfer", "", "", header("X-Method-Override", http.MethodGet)), want: refusedCSRF()},
		{name: "D1/4-_method=DELETE-form-field", request: post("/api/transfer", form, "_method=DELETE"), want: refusedCSRF()},
		{name: "D1/4-_method=GET-query", request: post("/api/transfer?_method=GET", form, "to=mallory"), want: refusedCSRF()},
		{
			name: "D1/5-Origin-null",
			request: func(v, _ jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/api/transfer", body: "to=mallory",
					opts: atkOpts(atkVictim(v), []reqOption{header("Origin", "null"), header("Sec-Fetch-Site", "cross-site"), header("Content-Type", form)})}
			},
			want: refusedCSRF(),
		},
		{
			name: "D1/6-no-Origin-no-Referer",
			request: func(v, _ jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/api/transfer", body: "to=mallory",
					opts: atkOpts(atkVictim(v), []reqOption{header("Content-Type", form)})}
			},
			want: refusedCSRF(),
		},
		{
			name: "D1/control-same-site-with-CSRF-header",
			request: func(v, _ jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/api/transfer", body: `{"to":"carol"}`, opts: atkOpts(atkVictim(v), []reqOption{
					header("Origin", "https://app.test"), header("Sec-Fetch-Site", "same-origin"),
					header("Content-Type", "application/json"), header("X-CSRF-Token", v.CSRF),
				})}
			},
			want: okAs("alice", "Alice"), calls: 1,
		},
	}
	// D1 #7: fetch(…, {method, credentials: "include"}) from evil.test.
	for _, method := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete, "delete", "PROPFIND"} {
		cases = append(cases, atkCase{
			name: "D1/7-fetch-credentials-include-" + method,
			request: func(v, _ jwtx.Token) atkRequest {
				return atkRequest{method: method, target: "/api/transfer", body: `{"to":"mallory"}`,
					opts: atkOpts(atkVictim(v), atkCrossSite(), []reqOption{header("Content-Type", "application/json"), header("Sec-Fetch-Mode", "cors")})}
			},
			want: refusedCSRF(),
		})
	}
	atkRun(t, true, cases)
}

// TestWeakCSRFValuesRefused covers D2: every weak double-submit value is
// refused. The value to echo is the csrf claim inside the signed access
// token, so a cookie the attacker tosses, his own session's value, a value
// in the query string, and any value that differs in case or length do not
// match; the comparison is httpx.CSRFEqual (constant time, see D7). Old
// values and the CSRF cookies are TestCSRFValueNewPerLogin's.
func TestWeakCSRFValuesRefused(t *testing.T) {
	t.Parallel()
	postWith := func(opts func(v, a jwtx.Token) []reqOption) func(jwtx.Token, jwtx.Token) atkRequest {
		return func(v, a jwtx.Token) atkRequest {
			return atkRequest{method: http.MethodPost, target: "/api/transfer", body: `{"to":"mallory"}`,
				opts: append([]reqOption{cookie(accessCookie, v.Raw), header("Content-Type", "application/json")}, opts(v, a)...)}
		}
	}
	echo := func(value func(v, a jwtx.Token) string) func(jwtx.Token, jwtx.Token) atkRequest {
		return postWith(func(v, a jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCSRFCookie, v.CSRF), header("X-CSRF-Token", value(v, a))}
		})
	}
	atkRun(t, true, []atkCase{
		{name: "D2/control", request: echo(func(v, _ jwtx.Token) string { return v.CSRF }), want: okAs("alice", "Alice"), calls: 1},
		{name: "D2/missing-header-cookie-present", request: postWith(func(v, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCSRFCookie, v.CSRF)}
		}), want: refusedCSRF()},
		{name: "D2/empty-header-empty-cookie", request: postWith(func(jwtx.Token, jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCSRFCookie, ""), header("X-CSRF-Token", "")}
		}), want: refusedCSRF()},
		{
			// Set-Cookie: __Host-csrf_access_token=attacker; Domain=.example.com
			// cannot be set (the __Host- prefix forbids Domain), but a
			// non-prefixed sibling cookie can; either way the browser then
			// sends two values and the attacker echoes his own.
			name: "D2/cookie-tossing-attacker-value-echoed",
			request: postWith(func(v, _ jwtx.Token) []reqOption {
				return []reqOption{cookie(accessCSRFCookie, "attacker"), cookie(accessCSRFCookie, v.CSRF), cookie("csrf_access_token", "attacker"), header("X-CSRF-Token", "attacker")}
			}),
			want: refusedCSRF(),
		},
		{name: "D2/attackers-own-session-value", request: echo(func(_, a jwtx.Token) string { return a.CSRF }), want: refusedCSRF()},
		{
			name: "D2/attackers-own-session-value-and-cookie",
			request: postWith(func(_, a jwtx.Token) []reqOption {
				return []reqOption{cookie(accessCSRFCookie, a.CSRF), header("X-CSRF-Token", a.CSRF)}
			}),
			want: refusedCSRF(),
		},
		{
			name: "D2/query-string-only",
			request: func(v, _ jwtx.Token) atkRequest {
				q := url.Values{"csrf": {v.CSRF}, "csrf_token": {v.CSRF}, "X-CSRF-Token": {v.CSRF}, "_csrf": {v.CSRF}}
				return atkRequest{method: http.MethodPost, target: "/api/transfer?" + q.Encode(), body: `{"to":"mallory"}`,
					opts: []reqOption{cookie(accessCookie, v.Raw), cookie(accessCSRFCookie, v.CSRF), header("Content-Type", "application/json")}}
			},
			want: refusedCSRF(),
		},
		{name: "D2/case-changed", request: echo(func(v, _ jwtx.Token) string { return swapCase(v.CSRF) }), want: refusedCSRF()},
		{name: "D2/one-character-changed", request: echo(func(v, _ jwtx.Token) string { return otherLast(v.CSRF) }), want: refusedCSRF()},
		{name: "D2/longer", request: echo(func(v, _ jwtx.Token) string { return v.CSRF + "A" }), want: refusedCSRF()},
		{name: "D2/shorter", request: echo(func(v, _ jwtx.Token) string { return v.CSRF[:len(v.CSRF)-1] }), want: refusedCSRF()},
		{name: "D2/prefix-one-byte", request: echo(func(v, _ jwtx.Token) string { return v.CSRF[:1] }), want: refusedCSRF()},
		{name: "D2/padded-base64", request: echo(func(v, _ jwtx.Token) string { return v.CSRF + "==" }), want: refusedCSRF()},
		{name: "D2/the-access-token-itself", request: echo(func(v, _ jwtx.Token) string { return v.Raw }), want: refusedCSRF()},
		{
			name: "D2/form-field-attackers-value",
			opts: []httpx.Option{httpx.WithCSRFFormField("csrf_token")},
			request: func(v, a jwtx.Token) atkRequest {
				return atkRequest{method: http.MethodPost, target: "/api/transfer", body: "csrf_token=" + url.QueryEscape(a.CSRF),
					opts: []reqOption{cookie(accessCookie, v.Raw), cookie(accessCSRFCookie, v.CSRF), header("Content-Type", "application/x-www-form-urlencoded")}}
			},
			want: refusedCSRF(),
		},
	})
}

// TestCSRFValueNewPerLogin covers D2 across logins: each login has its own
// csrf claim, so an old value does not fit the new token, and the CSRF
// cookies are __Host- cookies with a new value at every login
// (TestSessionCookieAttributes checks their attributes and their deletion
// at logout).
func TestCSRFValueNewPerLogin(t *testing.T) {
	t.Parallel()
	// An old value after logout or re-login: each login has its own csrf
	// claim, so the previous session's value does not fit the new token,
	// and the token logged out is revoked.
	t.Run("D2/old-value-after-logout-and-re-login", func(t *testing.T) {
		t.Parallel()
		s := atkNewSite(t, httpx.WithLocations(httpx.FromCookie, httpx.FromHeader))
		old := s.e.access(t, "alice")
		logout := testutil.Serve(s.mux, newRequest(http.MethodPost, "/logout", nil, atkOpts(atkVictim(old), []reqOption{header("X-CSRF-Token", old.CSRF)})...))
		if logout.Code != http.StatusOK {
			t.Fatalf("logout: status %d, body %s", logout.Code, logout.Body)
		}
		fresh := s.e.access(t, "alice")
		if fresh.CSRF == old.CSRF || fresh.CSRF == "" {
			t.Fatalf("the CSRF value was not rotated at login: %q then %q", old.CSRF, fresh.CSRF)
		}
		for _, tc := range []struct {
			name string
			tok  jwtx.Token
			csrf string
			want result
		}{
			{name: "new token, old value", tok: fresh, csrf: old.CSRF, want: refusedCSRF()},
			{name: "old token, old value", tok: old, csrf: old.CSRF, want: refusedToken("token revoked")},
			{name: "new token, new value", tok: fresh, csrf: fresh.CSRF, want: okAs("alice", "Alice")},
		} {
			r := newRequest(http.MethodPost, "/api/transfer", strings.NewReader(`{"to":"mallory"}`),
				cookie(accessCookie, tc.tok.Raw), cookie(accessCSRFCookie, tc.csrf), header("X-CSRF-Token", tc.csrf), header("Content-Type", "application/json"))
			if diff := cmp.Diff(tc.want, do(t, s.mux, r)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
		}
	})

	// The CSRF cookies carry the __Host- prefix and a new value per login.
	t.Run("D2/csrf-cookie-host-prefix-and-rotation", func(t *testing.T) {
		t.Parallel()
		s := atkNewSite(t)
		values := map[string]string{}
		for i := range 2 {
			rec := testutil.Serve(s.mux, newRequest(http.MethodPost, "/login", nil))
			for _, name := range []string{accessCSRFCookie, refreshCSRFCookie} {
				c := testutil.ResponseCookie(t, rec, name)
				if !strings.HasPrefix(c.Name, "__Host-") || !c.Secure || c.Path != "/" || c.Domain != "" {
					t.Errorf("login %d: CSRF cookie %s: Secure %v, Path %q, Domain %q; want a __Host- cookie", i, c.Name, c.Secure, c.Path, c.Domain)
				}
				if c.Value == "" || c.Value == values[name] {
					t.Errorf("login %d: CSRF cookie %s = %q, not a new value", i, name, c.Value)
				}
				values[name] = c.Value
			}
		}
	})
}
