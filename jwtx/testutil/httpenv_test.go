package testutil_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestEnvAuth(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, Claims](t)
	var events []httpx.Reason
	a := env.Auth(t, httpx.WithRealm("notes"), httpx.WithEvents(func(_ context.Context, e httpx.Event) { events = append(events, e.Reason) }))
	me := a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtx.UserFrom[string](r.Context())
		fmt.Fprint(w, u)
	}))
	for _, tc := range []struct {
		name      string
		token     string
		wantCode  int
		wantBody  string
		wantEvent httpx.Reason
	}{
		{name: "valid", token: env.Access(t, "alice").Raw, wantCode: http.StatusOK, wantBody: "alice", wantEvent: httpx.ReasonAuthenticated},
		{name: "forged", token: env.Forger.Bad(t, testutil.ForeignKey), wantCode: http.StatusUnauthorized, wantEvent: httpx.ReasonSignature},
	} {
		events = nil
		rec := testutil.Serve(me, testutil.BearerRequest(t, "GET", "/me", tc.token))
		body := rec.Body.String()
		if tc.wantBody == "" {
			body = ""
		}
		if diff := cmp.Diff([]any{tc.wantCode, tc.wantBody, []httpx.Reason{tc.wantEvent}}, []any{rec.Code, body, events}); diff != "" {
			t.Errorf("%s: [status, body, events] (-want +got):\n%s", tc.name, diff)
		}
	}
	// The options reached the Auth: the challenge names the realm.
	rec := testutil.Serve(me, httptest.NewRequest("GET", "/me", nil))
	if got, want := rec.Header().Get("WWW-Authenticate"), `Bearer realm="notes"`; got != want {
		t.Errorf("WWW-Authenticate = %q, want %q", got, want)
	}
	if a2 := env.Auth(t); a2 == a {
		t.Error("two calls returned the same Auth")
	}
	if msg := mustFail(t, func(tb testing.TB) { env.Auth(tb, httpx.WithRealm("")) }); !strings.Contains(msg, "httpx.New") {
		t.Errorf("Auth with a refused option failed with %q, want the httpx.New error", msg)
	}
}

func TestAddRawCookie(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		pairs      [][2]string
		wantHeader string
		wantValues []string // the values of cookie "a" the server reads
	}{
		{name: "one", pairs: [][2]string{{"a", "1"}}, wantHeader: "a=1", wantValues: []string{"1"}},
		{name: "two names", pairs: [][2]string{{"a", "1"}, {"b", "2"}}, wantHeader: "a=1; b=2", wantValues: []string{"1"}},
		{name: "one name twice", pairs: [][2]string{{"a", "1"}, {"a", "2"}}, wantHeader: "a=1; a=2", wantValues: []string{"1", "2"}},
		// net/http drops the quotes and the trailing space when it parses.
		{name: "quoted", pairs: [][2]string{{"a", `"1"`}}, wantHeader: `a="1"`, wantValues: []string{"1"}},
		{name: "trailing space", pairs: [][2]string{{"a", "1 "}}, wantHeader: "a=1 ", wantValues: []string{"1"}},
		// A value with a non-ASCII byte is no cookie at all.
		{name: "non-ASCII", pairs: [][2]string{{"a", "1\u00a0"}}, wantHeader: "a=1\u00a0"},
		{name: "empty", pairs: [][2]string{{"a", ""}}, wantHeader: "a=", wantValues: []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/", nil)
			for _, p := range tc.pairs {
				testutil.AddRawCookie(r, p[0], p[1])
			}
			if got := r.Header.Values("Cookie"); len(got) != 1 || got[0] != tc.wantHeader {
				t.Errorf("Cookie header = %q, want one line %q", got, tc.wantHeader)
			}
			var values []string
			for _, c := range r.CookiesNamed("a") {
				values = append(values, c.Value)
			}
			if diff := cmp.Diff(tc.wantValues, values); diff != "" {
				t.Errorf("values of cookie a as net/http reads them (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBrowserCookieSession logs in through a Browser and calls a guarded
// route: the jar sends each cookie only to its path, and logout empties
// it.
func TestBrowserCookieSession(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, Claims](t, testutil.WithIssuerOptions(jwtx.WithCSRF(true)))
	a := env.Auth(t, httpx.WithLocations(httpx.FromCookie))
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		pair, err := env.Issuer.Pair(r.Context(), "alice")
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		a.SetCookies(w, pair.Access, pair.Refresh)
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("POST /notes", a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtx.UserFrom[string](r.Context())
		fmt.Fprint(w, u)
	})))
	mux.Handle("POST /logout", a.LogoutHandler())
	b := testutil.NewBrowser(t, mux)
	names := a.Cookies()

	if resp := b.Do(t, "POST", "/login", nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	atNotes, atRefresh := b.Cookies(t, "/notes"), b.Cookies(t, "/refresh")
	if _, ok := atNotes[names.RefreshName]; ok {
		t.Errorf("the jar sends the refresh cookie to /notes: %v", atNotes)
	}
	if _, ok := atRefresh[names.RefreshName]; !ok {
		t.Errorf("the jar does not send the refresh cookie to /refresh: %v", atRefresh)
	}
	csrf := http.Header{testutil.CSRFHeader: {atNotes[names.AccessCSRFName]}}
	resp := b.Do(t, "POST", "/notes", csrf)
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || string(body) != "alice" {
		t.Errorf("POST /notes with the jar's cookies: %d %q, want 200 alice", resp.StatusCode, body)
	}
	if resp := b.Do(t, "POST", "/notes", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /notes without the CSRF header: %d, want 403", resp.StatusCode)
	}
	if resp := b.Do(t, "POST", "/logout", csrf); resp.StatusCode != http.StatusOK {
		t.Errorf("logout: %d", resp.StatusCode)
	}
	for _, path := range []string{"/notes", "/refresh"} {
		if got := b.Cookies(t, path); len(got) != 0 {
			t.Errorf("after logout the jar sends %v to %s", got, path)
		}
	}
}

func TestBrowserFailures(t *testing.T) {
	t.Parallel()
	b := testutil.NewBrowser(t, http.NotFoundHandler())
	for _, tc := range []struct {
		name string
		fn   func(tb testing.TB)
		want string
	}{
		{name: "bad method", fn: func(tb testing.TB) { b.Do(tb, "BAD METHOD", "/", nil) }, want: "request BAD METHOD"},
		{name: "bad path", fn: func(tb testing.TB) { b.Cookies(tb, "/%zz") }, want: "cookies for"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if msg := mustFail(t, tc.fn); !strings.Contains(msg, tc.want) {
				t.Errorf("failed with %q, want %q", msg, tc.want)
			}
		})
	}
}
