package httpx_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// flaskServer is a Go service that took over a Flask service: one option
// on each side, rotation and revocation on a memory store.
type flaskServer struct {
	auth *httpx.Auth[string, jwtx.RegisteredClaims]
	mux  *http.ServeMux
}

func newFlaskServer(t *testing.T, key *testutil.Key, clock *testutil.Clock, opts ...httpx.Option) *flaskServer {
	t.Helper()
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key.Private(), jwtx.WithClock(clock), jwtx.FlaskCompat(),
		jwtx.WithCSRF(true), jwtx.WithRotation(store))
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](key.Public(), jwtx.WithClock(clock), jwtx.FlaskCompat(),
		jwtx.WithRevocation(store))
	if err != nil {
		t.Fatal(err)
	}
	auth, err := httpx.New(ver, append([]httpx.Option{httpx.FlaskCompat(), httpx.WithLocations(httpx.FromCookie, httpx.FromHeader),
		httpx.WithRotation(store), httpx.WithRevoker(store)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /me", auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := jwtx.UserFrom[string](r.Context())
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"user": u})
	})))
	mux.Handle("POST /refresh", auth.RefreshHandler(iss))
	return &flaskServer{auth: auth, mux: mux}
}

// call sends a request with tokens in Flask's cookies (and the CSRF header
// when csrf), and returns the response.
func (s *flaskServer) call(t *testing.T, method, path string, csrf bool, tokens ...jwtx.Token) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	testutil.AddTokenCookies(t, r, s.auth.Cookies(), tokens...)
	if !csrf {
		r.Header.Del(testutil.CSRFHeader)
	}
	return testutil.Serve(s.mux, r)
}

// flaskToken has PyJWT sign a token in flask-jwt-extended's layout, with an
// integer identity.
func flaskToken(t *testing.T, py *testutil.PyJWT, key *testutil.Key, typ jwtx.TokenType, iat time.Time, jti string) jwtx.Token {
	t.Helper()
	claims := map[string]any{
		"iat": iat.Unix(), "nbf": iat.Unix(), "jti": jti, "type": typ, "sub": 42,
		"csrf": "csrf-" + jti, "exp": iat.Add(15 * time.Minute).Unix(),
	}
	if typ == jwtx.Access {
		claims["fresh"] = false
	}
	return jwtx.Token{Raw: py.Sign(t, key, claims), Type: typ, ID: jti, CSRF: "csrf-" + jti}
}

// TestFlaskSessionInterop: a cookie session that flask-jwt-extended began
// (PyJWT tokens in its layout and cookie names, an integer identity) goes
// on in Go with one option per side: its access cookie is accepted, its
// refresh token is adopted into rotation once (a replay burns the family),
// the new tokens verify in PyJWT, and refusals get Flask's answers.
func TestFlaskSessionInterop(t *testing.T) {
	t.Parallel()
	py := testutil.NewPyJWT(t)
	key := testutil.NewKey(t, jwtx.HS256)
	iat := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	clock := testutil.NewClock(iat.Add(time.Minute))
	s := newFlaskServer(t, key, clock)
	access := flaskToken(t, py, key, jwtx.Access, iat, "a-1")
	refresh := flaskToken(t, py, key, jwtx.Refresh, iat, "r-1")

	rec := s.call(t, "GET", "/me", false, access)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"user":"42"`) {
		t.Fatalf("Flask access cookie: %d %s", rec.Code, rec.Body)
	}

	rec = s.call(t, "POST", "/refresh", true, refresh)
	if rec.Code != http.StatusOK {
		t.Fatalf("refresh with Flask's refresh cookie: %d %s", rec.Code, rec.Body)
	}
	renewed := map[string]*http.Cookie{}
	for _, c := range rec.Result().Cookies() {
		renewed[c.Name] = c
	}
	for _, name := range []string{"access_token_cookie", "refresh_token_cookie", "csrf_access_token", "csrf_refresh_token"} {
		c := renewed[name]
		if c == nil || c.MaxAge != 0 || !c.Expires.IsZero() || c.Path != "/" || !c.Secure {
			t.Errorf("cookie %s = %+v: want a Secure session cookie on /", name, c)
		}
	}
	newRefresh := jwtx.Token{Raw: renewed["refresh_token_cookie"].Value, Type: jwtx.Refresh, CSRF: renewed["csrf_refresh_token"].Value}
	if fam, _ := payloadOf(t, newRefresh.Raw)["fam"].(string); !strings.HasPrefix(fam, "adopted.") {
		t.Errorf("renewed refresh token's family = %v, want the adopted one", fam)
	}
	claims, refusal := py.Verify(t, key, renewed["access_token_cookie"].Value)
	if refusal != "" || claims["sub"] != "42" || claims["type"] != "access" {
		t.Errorf("PyJWT on the renewed access token: %v %q", claims, refusal)
	}

	for _, tc := range []struct {
		name     string
		method   string
		path     string
		csrf     bool
		token    jwtx.Token
		wantCode int
		wantMsg  string
	}{
		{name: "Flask refresh token replayed after its adoption", method: "POST", path: "/refresh", csrf: true, token: refresh, wantCode: 401, wantMsg: "Token has been revoked"},
		{name: "the family it burned", method: "POST", path: "/refresh", csrf: true, token: newRefresh, wantCode: 401, wantMsg: "Token has been revoked"},
		{name: "refresh without the CSRF header", method: "POST", path: "/refresh", token: flaskToken(t, py, key, jwtx.Refresh, iat, "r-2"), wantCode: 401, wantMsg: "CSRF double submit tokens do not match"},
		{name: "a forged token", method: "GET", path: "/me", token: jwtx.Token{Raw: access.Raw[:len(access.Raw)-2] + "AA", Type: jwtx.Access}, wantCode: 422, wantMsg: "Signature verification failed"},
		{name: "a refresh token at an access route", method: "GET", path: "/me", token: jwtx.Token{Raw: flaskToken(t, py, key, jwtx.Refresh, iat, "r-3").Raw, Type: jwtx.Access}, wantCode: 422, wantMsg: "Wrong token type"},
		{name: "no token", method: "GET", path: "/me", wantCode: 401, wantMsg: "Missing JWT in headers or cookies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tokens []jwtx.Token
			if tc.token.Raw != "" {
				tokens = append(tokens, tc.token)
			}
			rec := s.call(t, tc.method, tc.path, tc.csrf, tokens...)
			var body map[string]string
			_ = json.Unmarshal(rec.Body.Bytes(), &body)
			if diff := cmp.Diff([2]any{tc.wantCode, tc.wantMsg}, [2]any{rec.Code, body["msg"]}); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("JWT_ERROR_MESSAGE_KEY", func(t *testing.T) {
		s := newFlaskServer(t, key, clock, httpx.WithErrorKey("error"))
		rec := s.call(t, "GET", "/me", false)
		if got := strings.TrimSpace(rec.Body.String()); got != `{"error":"Missing JWT in headers or cookies"}` {
			t.Errorf("body = %s", got)
		}
	})
}

// payloadOf decodes a token's payload without verifying it.
func payloadOf(t *testing.T, raw string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(testutil.Payload(t, raw), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestBareTokenHeader: with an empty scheme (flask-jwt-extended's
// JWT_HEADER_TYPE=""), the whole Authorization value is the token.
func TestBareTokenHeader(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, jwtx.RegisteredClaims](t)
	h := env.Auth(t, httpx.WithAuthorizationHeader("Authorization", "")).Required(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	tok := env.Access(t, "alice")
	for _, tc := range []struct {
		name, header string
		want         int
	}{
		{name: "bare token", header: tok.Raw, want: http.StatusNoContent},
		{name: "with a scheme", header: "Bearer " + tok.Raw, want: http.StatusBadRequest},
		{name: "not a token", header: "a b", want: http.StatusBadRequest},
		{name: "forged", header: tok.Raw + "x", want: http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Authorization", tc.header)
			rec := testutil.Serve(h, r)
			if rec.Code != tc.want {
				t.Errorf("status %d, want %d (%s)", rec.Code, tc.want, rec.Body)
			}
			if rec.Code == http.StatusUnauthorized && !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("challenge %q: want the Bearer scheme", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
}
