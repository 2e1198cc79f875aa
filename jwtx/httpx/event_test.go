package httpx_test

// Events: one per request, and the log/slog adapter.

import (
	"bytes"
	"encoding/json"
	"log/slog"
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

func TestEvents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		lazy       bool
		failing    bool // RefreshHandler's Issuer fails
		method     string
		path       string
		token      tokenFunc
		location   httpx.Location // where the token goes
		authHeader string         // an Authorization header instead of a token
		preflight  bool
		after      time.Duration
		want       httpx.Event // Method and Path are filled in; TokenID is the token's when Subject is set
	}{
		{name: "missing", method: http.MethodGet, path: "/required", token: noToken, want: httpx.Event{Reason: httpx.ReasonMissing, Err: httpx.ErrNoToken}},
		{name: "authenticated", method: http.MethodGet, path: "/required", token: accessFor("alice"), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonAuthenticated, Location: httpx.FromHeader, Subject: "alice"}},
		{name: "authenticated by cookie", method: http.MethodGet, path: "/required", token: accessFor("alice"), location: httpx.FromCookie, want: httpx.Event{Reason: httpx.ReasonAuthenticated, Location: httpx.FromCookie, Subject: "alice"}},
		{name: "anonymous", method: http.MethodGet, path: "/optional", token: noToken, want: httpx.Event{Reason: httpx.ReasonAnonymous}},
		{name: "preflight is a request without a token", method: http.MethodOptions, path: "/required", token: noToken, preflight: true, want: httpx.Event{Reason: httpx.ReasonMissing, Err: httpx.ErrNoToken}},
		{name: "bad request", method: http.MethodGet, path: "/required", token: noToken, authHeader: "Bearer", want: httpx.Event{Reason: httpx.ReasonBadRequest, Location: httpx.FromHeader, Err: httpx.ErrBadRequest}},
		{name: "forged", method: http.MethodGet, path: "/required", token: forged, location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonSignature, Location: httpx.FromHeader, Err: jwtx.ErrSignature}},
		{
			name: "tampered sub", method: http.MethodGet, path: "/required", location: httpx.FromHeader,
			token: func(tb testing.TB, e *appEnv) string {
				return testutil.Tamper(tb, e.access(tb, "bob").Raw, `"sub":"bob"`, `"sub":"alice"`)
			},
			want: httpx.Event{Reason: httpx.ReasonSignature, Location: httpx.FromHeader, Err: jwtx.ErrSignature},
		},
		{name: "expired", method: http.MethodGet, path: "/required", token: accessFor("alice"), location: httpx.FromHeader, after: time.Hour, want: httpx.Event{Reason: httpx.ReasonExpired, Location: httpx.FromHeader, Subject: "alice", Err: jwtx.ErrExpired}},
		{name: "csrf", method: http.MethodPost, path: "/required", token: accessFor("alice"), location: httpx.FromCookie, want: httpx.Event{Reason: httpx.ReasonCSRF, Location: httpx.FromCookie, Subject: "alice", Err: httpx.ErrCSRF}},
		{name: "forbidden", method: http.MethodGet, path: "/admin", token: accessFor("bob"), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonForbidden, Location: httpx.FromHeader, Subject: "bob", Err: errNotAdmin}},
		{name: "user missing", method: http.MethodGet, path: "/required", token: accessFor(ghostSubject), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonUserMissing, Location: httpx.FromHeader, Subject: ghostSubject, Err: jwtx.ErrUserNotFound}},
		{name: "user store fails", method: http.MethodGet, path: "/required", token: accessFor(brokenSubject), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonUserLoad, Location: httpx.FromHeader, Subject: brokenSubject, Err: jwtx.ErrUserLoad}},
		{name: "refresh", method: http.MethodPost, path: "/refresh", token: refreshFor("alice"), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonAuthenticated, Location: httpx.FromHeader, Subject: "alice"}},
		{name: "refresh, issuer fails", failing: true, method: http.MethodPost, path: "/refresh", token: refreshFor("alice"), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonInternal, Location: httpx.FromHeader, Subject: "alice"}},
		{name: "refresh, lazy, user missing", lazy: true, method: http.MethodPost, path: "/refresh", token: refreshFor(ghostSubject), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonUserMissing, Location: httpx.FromHeader, Subject: ghostSubject, Err: jwtx.ErrUserNotFound}},
		{name: "lazy, user missing, not read", lazy: true, method: http.MethodGet, path: "/required", token: accessFor(ghostSubject), location: httpx.FromHeader, want: httpx.Event{Reason: httpx.ReasonAuthenticated, Location: httpx.FromHeader, Subject: ghostSubject}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var log eventLog
			a := e.Auth(t, httpx.WithEvents(log.record), httpx.WithLazyUser(tc.lazy), httpx.WithLocations(httpx.FromHeader, httpx.FromCookie))
			mux := http.NewServeMux()
			mux.Handle("/required", a.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, _ := jwtx.From[Claims](r.Context())
				httpx.WriteJSON(w, http.StatusOK, map[string]string{"sub": c.Subject})
			})))
			mux.Handle("/optional", a.Optional(http.HandlerFunc(whoami)))
			mux.Handle("/admin", a.Authorize(isAdmin)(http.HandlerFunc(whoami)))
			iss := e.Issuer
			if tc.failing {
				iss = e.failingIssuer(t)
			}
			mux.Handle("/refresh", a.RefreshHandler(iss))
			tok := tc.token(t, e)
			e.Clock.Advance(tc.after)
			r := newRequest(tc.method, tc.path, nil)
			switch {
			case tc.authHeader != "":
				r.Header.Set("Authorization", tc.authHeader)
			case tc.preflight:
				r.Header.Set("Origin", "https://app.example")
				r.Header.Set("Access-Control-Request-Method", http.MethodDelete)
			case tc.location == httpx.FromHeader:
				r.Header.Set("Authorization", "Bearer "+tok)
			case tc.location == httpx.FromCookie:
				cookie(accessCookie, tok)(r)
			}
			testutil.Serve(mux, r)
			want := tc.want
			want.Method, want.Path = tc.method, tc.path
			if want.Subject != "" {
				want.TokenID = jtiOf(t, tok)
			}
			opts := []cmp.Option{cmpopts.EquateErrors()}
			if tc.failing {
				// The issuer's error has no sentinel to match.
				opts = append(opts, cmpopts.IgnoreFields(httpx.Event{}, "Err"))
			}
			if diff := cmp.Diff([]httpx.Event{want}, log.all(), opts...); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSlogEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	a := e.Auth(t, httpx.WithEvents(httpx.SlogEvents(logger)), httpx.WithLocations(httpx.FromHeader, httpx.FromCookie))
	mux := http.NewServeMux()
	mux.Handle("/me", a.Required(http.HandlerFunc(whoami)))
	mux.Handle("/feed", a.Optional(http.HandlerFunc(whoami)))

	alice := e.access(t, "alice")
	forgedTok := forged(t, e)
	tampered := testutil.Tamper(t, alice.Raw, `"alice"`, `"admin"`)
	broken := e.access(t, brokenSubject)
	tokens := []string{alice.Raw, forgedTok, tampered, broken.Raw}
	for _, r := range []*http.Request{
		newRequest(http.MethodGet, "/me", nil, bearer(alice.Raw)),
		newRequest(http.MethodGet, "/feed", nil),
		newRequest(http.MethodGet, "/me", nil, bearer(forgedTok)),
		newRequest(http.MethodGet, "/me", nil, bearer(tampered)),
		newRequest(http.MethodGet, "/me", nil, header("Authorization", "Bearer "+alice.Raw+" "+alice.Raw)),
		newRequest(http.MethodPost, "/me", nil, cookie(accessCookie, alice.Raw)),
		newRequest(http.MethodGet, "/me", nil, bearer(broken.Raw)),
	} {
		testutil.Serve(mux, r)
	}

	type line struct {
		Level    string `json:"level"`
		Msg      string `json:"msg"`
		Reason   string `json:"reason"`
		Method   string `json:"method"`
		Path     string `json:"path"`
		Location string `json:"location"`
		Sub      string `json:"sub"`
		JTI      string `json:"jti"`
		HasError bool   `json:"-"`
	}
	var got []line
	for _, s := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var l line
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("log line %q: %v", s, err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		_, l.HasError = m["error"]
		got = append(got, l)
	}
	want := []line{
		{Level: "INFO", Msg: "jwt auth", Reason: "authenticated", Method: "GET", Path: "/me", Location: "header", Sub: "alice", JTI: alice.ID},
		{Level: "INFO", Msg: "jwt auth", Reason: "anonymous", Method: "GET", Path: "/feed"},
		{Level: "WARN", Msg: "jwt auth", Reason: "signature", Method: "GET", Path: "/me", Location: "header", HasError: true},
		{Level: "WARN", Msg: "jwt auth", Reason: "signature", Method: "GET", Path: "/me", Location: "header", HasError: true},
		{Level: "WARN", Msg: "jwt auth", Reason: "bad_request", Method: "GET", Path: "/me", Location: "header", HasError: true},
		{Level: "WARN", Msg: "jwt auth", Reason: "csrf", Method: "POST", Path: "/me", Location: "cookie", Sub: "alice", JTI: alice.ID, HasError: true},
		{Level: "ERROR", Msg: "jwt auth", Reason: "user_load", Method: "GET", Path: "/me", Location: "header", Sub: brokenSubject, JTI: broken.ID, HasError: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
	for _, tok := range tokens {
		for _, s := range []string{tok, signature(tok)} {
			if strings.Contains(buf.String(), s) {
				t.Errorf("the log carries a token: %s", buf.String())
			}
		}
	}
}
