package httpx_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestQueryPrefix: with WithQueryPrefix (JWT_QUERY_STRING_VALUE_PREFIX)
// only a value with the prefix carries a token, and the handler can ask
// where it came from (LocationFrom).
func TestQueryPrefix(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, jwtx.RegisteredClaims](t)
	auth := env.Auth(t, httpx.WithLocations(httpx.FromQuery), httpx.WithQueryPrefix("Bearer "))
	h := auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		loc, ok := httpx.LocationFrom(r.Context())
		if !ok || loc != httpx.FromQuery {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	tok := env.Access(t, "alice").Raw
	for _, tc := range []struct {
		name, value string
		want        int
	}{
		{name: "with the prefix", value: "Bearer " + tok, want: http.StatusNoContent},
		{name: "without it", value: tok, want: http.StatusBadRequest},
		{name: "the prefix alone", value: "Bearer ", want: http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := testutil.Serve(h, httptest.NewRequest("GET", "/?jwt="+url.QueryEscape(tc.value), nil))
			if rec.Code != tc.want {
				t.Errorf("status %d, want %d", rec.Code, tc.want)
			}
		})
	}
}

// TestUnsetCookiesOfOneKind: UnsetCookies deletes the cookies of the kinds
// given (unset_access_cookies, unset_refresh_cookies), or all four.
func TestUnsetCookiesOfOneKind(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, jwtx.RegisteredClaims](t)
	auth := env.Auth(t)
	ck := auth.Cookies()
	for _, tc := range []struct {
		name  string
		kinds []jwtx.TokenType
		want  []string
	}{
		{name: "all", want: []string{ck.AccessName, ck.AccessCSRFName, ck.RefreshName, ck.RefreshCSRFName}},
		{name: "access", kinds: []jwtx.TokenType{jwtx.Access}, want: []string{ck.AccessName, ck.AccessCSRFName}},
		{name: "refresh", kinds: []jwtx.TokenType{jwtx.Refresh}, want: []string{ck.RefreshName, ck.RefreshCSRFName}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			auth.UnsetCookies(rec, tc.kinds...)
			var got []string
			for _, c := range rec.Result().Cookies() {
				if c.MaxAge < 0 {
					got = append(got, c.Name)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("deleted cookies (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFlaskAnswers pins flask-jwt-extended's answer for each kind of
// refusal under FlaskCompat.
func TestFlaskAnswers(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, jwtx.RegisteredClaims](t)
	auth := env.Auth(t, httpx.FlaskCompat())
	for _, tc := range []struct {
		err  error
		code int
		msg  string
	}{
		{httpx.ErrNoToken, 401, "Missing JWT in headers or cookies"},
		{httpx.ErrBadRequest, 422, "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'"},
		{jwtx.ErrExpired, 401, "Token has expired"},
		{jwtx.ErrRevoked, 401, "Token has been revoked"},
		{jwtx.ErrReused, 401, "Token has been revoked"},
		{jwtx.ErrNotFresh, 401, "Fresh token required"},
		{httpx.ErrCSRF, 401, "CSRF double submit tokens do not match"},
		{jwtx.ErrSignature, 422, "Signature verification failed"},
		{jwtx.ErrTokenType, 422, "Wrong token type"},
		{jwtx.ErrMalformed, 422, "Invalid token"},
		{jwtx.ErrClaims, 400, "User claims verification failed"},
		{jwtx.ErrUserNotFound, 401, "Error loading the user"},
		{jwtx.ErrRevocationUnavailable, 503, "try again later"},
	} {
		t.Run(tc.msg, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			auth.Refuse(rec, httptest.NewRequest("GET", "/", nil), tc.err)
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if rec.Code != tc.code || body["msg"] != tc.msg {
				t.Errorf("%v: %d %q, want %d %q", tc.err, rec.Code, body["msg"], tc.code, tc.msg)
			}
		})
	}
}
