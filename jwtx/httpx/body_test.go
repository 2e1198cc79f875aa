package httpx_test

// The FromBody location: a field of a JSON body.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestBodyLocation(t *testing.T) {
	t.Parallel()
	const limit = 4 << 10
	// jsonBody is a JSON object with the access token and padding, exactly
	// size bytes long.
	jsonBody := func(tb testing.TB, tok string, size int) string {
		tb.Helper()
		head, tail := `{"access_token":"`+tok+`","pad":"`, `"}`
		n := size - len(head) - len(tail)
		if n < 0 {
			tb.Fatalf("body of %d bytes cannot hold the token", size)
		}
		return head + strings.Repeat("x", n) + tail
	}
	for _, tc := range []struct {
		name        string
		opts        []httpx.Option
		contentType string
		body        func(tb testing.TB, tok string) string
		header      bool // also send the token in the Authorization header
		want        result
	}{
		{name: "token", body: func(tb testing.TB, tok string) string { return jsonBody(tb, tok, 1000) }, want: okAs("alice", "Alice")},
		{name: "at the limit", body: func(tb testing.TB, tok string) string { return jsonBody(tb, tok, limit) }, want: okAs("alice", "Alice")},
		{name: "one byte over the limit", body: func(tb testing.TB, tok string) string { return jsonBody(tb, tok, limit+1) }, want: refusedBadRequest()},
		{name: "far over the limit", body: func(tb testing.TB, tok string) string { return jsonBody(tb, tok, 1<<20) }, want: refusedBadRequest()},
		{name: "charset parameter", contentType: "application/json; charset=utf-8", body: func(tb testing.TB, tok string) string { return jsonBody(tb, tok, 1000) }, want: okAs("alice", "Alice")},
		{name: "text/plain is not read", contentType: "text/plain", body: func(tb testing.TB, tok string) string { return jsonBody(tb, tok, 1000) }, want: refusedMissing()},
		{name: "form is not read", contentType: "application/x-www-form-urlencoded", body: func(_ testing.TB, tok string) string { return "access_token=" + tok }, want: refusedMissing()},
		{name: "no body", body: func(testing.TB, string) string { return "" }, want: refusedMissing()},
		{name: "no field", body: func(testing.TB, string) string { return `{"other":"x"}` }, want: refusedMissing()},
		{name: "empty field", body: func(testing.TB, string) string { return `{"access_token":""}` }, want: refusedMissing()},
		{name: "field not a string", body: func(testing.TB, string) string { return `{"access_token":42}` }, want: refusedBadRequest()},
		{name: "not JSON", body: func(testing.TB, string) string { return `access_token=x` }, want: refusedBadRequest()},
		{name: "JSON array", body: func(_ testing.TB, tok string) string { return `["` + tok + `"]` }, want: refusedBadRequest()},
		{name: "custom field", opts: []httpx.Option{httpx.WithBodyFields("token", "rt")}, body: func(_ testing.TB, tok string) string { return `{"token":"` + tok + `"}` }, want: okAs("alice", "Alice")},
		{
			// The header decides first, so the oversized body is never read
			// by the middleware and reaches the handler whole.
			name: "header first, body over the limit", opts: []httpx.Option{httpx.WithLocations(httpx.FromHeader, httpx.FromBody)}, header: true,
			body: func(tb testing.TB, tok string) string { return jsonBody(tb, tok, 1<<20) }, want: okAs("alice", "Alice"),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := e.access(t, "alice").Raw
			body := tc.body(t, tok)
			opts := append([]httpx.Option{httpx.WithLocations(httpx.FromBody), httpx.WithMaxBodySize(limit)}, tc.opts...)
			var handlerBody string
			mux := http.NewServeMux()
			mux.Handle("POST /me", e.Auth(t, opts...).Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, err := io.ReadAll(r.Body)
				if err != nil {
					t.Errorf("handler reading the body: %v", err)
				}
				handlerBody = string(b)
				whoami(w, r)
			})))
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			ropts := []reqOption{header("Content-Type", ct)}
			if tc.header {
				ropts = append(ropts, bearer(tok))
			}
			var rbody io.Reader // nil: http.NoBody, as a server gives
			if body != "" {
				rbody = strings.NewReader(body)
			}
			rec := testutil.Serve(mux, newRequest(http.MethodPost, "/me", rbody, ropts...))
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if tc.want.Status == http.StatusOK && handlerBody != body {
				t.Errorf("handler read %d bytes of the body, want all %d", len(handlerBody), len(body))
			}
			checkNoLeak(t, rec, tok)
		})
	}
}

func TestBodyReadError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mux := http.NewServeMux()
	mux.Handle("POST /me", e.Auth(t, httpx.WithLocations(httpx.FromBody)).Required(http.HandlerFunc(whoami)))
	r := newRequest(http.MethodPost, "/me", iotest.ErrReader(errors.New("connection reset")), header("Content-Type", "application/json"))
	if diff := cmp.Diff(refusedBadRequest(), do(t, mux, r)); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
}

// TestJSONBodyDuplicateTokenFieldsLastWins: a JSON body that names the
// token field twice was resolved last-wins, as encoding/json does, while
// every other location refuses two tokens. The body is now scanned
// strictly, so that no two parsers (this package's and the handler's) can
// read it differently: a repeated member name, at any depth and however
// spelled (case, escapes), invalid UTF-8 and U+0000 are a bad request.
func TestJSONBodyDuplicateTokenFieldsLastWins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		path string
		body func(alice, bob string) string // alice's and bob's tokens of the kind the route wants
		want result
	}{
		{name: "token field twice", path: "/me", body: func(a, b string) string { return `{"access_token":"` + b + `","access_token":"` + a + `"}` }, want: refusedBadRequest()},
		{name: "token field twice, same token", path: "/me", body: func(a, _ string) string { return `{"access_token":"` + a + `","access_token":"` + a + `"}` }, want: refusedBadRequest()},
		{name: "token field twice, the first empty", path: "/me", body: func(a, _ string) string { return `{"access_token":"","access_token":"` + a + `"}` }, want: refusedBadRequest()},
		{name: "token field twice, the first null", path: "/me", body: func(a, _ string) string { return `{"access_token":null,"access_token":"` + a + `"}` }, want: refusedBadRequest()},
		{name: "token field in another case", path: "/me", body: func(a, b string) string { return `{"access_token":"` + a + `","ACCESS_TOKEN":"` + b + `"}` }, want: refusedBadRequest()},
		{name: "token field escaped", path: "/me", body: func(a, b string) string { return `{"access_token":"` + b + `","access\u005ftoken":"` + a + `"}` }, want: refusedBadRequest()},
		{name: "refresh field twice", path: "/refresh", body: func(a, b string) string { return `{"refresh_token":"` + b + `","refresh_token":"` + a + `"}` }, want: refusedBadRequest()},
		{name: "another member twice", path: "/me", body: func(a, _ string) string { return `{"access_token":"` + a + `","amount":1,"amount":1000}` }, want: refusedBadRequest()},
		{name: "a nested member twice", path: "/me", body: func(a, _ string) string { return `{"access_token":"` + a + `","to":{"id":1,"id":2}}` }, want: refusedBadRequest()},
		{name: "invalid UTF-8", path: "/me", body: func(a, _ string) string { return `{"access_token":"` + a + `","to":"` + "\xff" + `"}` }, want: refusedBadRequest()},
		{name: "U+0000", path: "/me", body: func(a, _ string) string { return `{"access_token":"` + a + `","to":"\u0000"}` }, want: refusedBadRequest()},
		{name: "once", path: "/me", body: func(a, _ string) string { return `{"access_token":"` + a + `","to":{"id":1}}` }, want: okAs("alice", "Alice")},
		{name: "once, with whitespace", path: "/me", body: func(a, _ string) string { return "\n{ \"access_token\" :\t\"" + a + "\" }\n" }, want: okAs("alice", "Alice")},
		{name: "null is no token", path: "/me", body: func(string, string) string { return `{"access_token":null}` }, want: refusedMissing()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var why []string
			a := e.Auth(t, httpx.WithLocations(httpx.FromBody), httpx.WithEvents(func(_ context.Context, ev httpx.Event) {
				if ev.Err != nil {
					why = append(why, ev.Err.Error())
				}
			}))
			mux := http.NewServeMux()
			mux.Handle("POST /me", a.Required(http.HandlerFunc(whoami)))
			mux.Handle("POST /refresh", a.RefreshHandler(e.Issuer))
			alice, bob := e.access(t, "alice").Raw, e.access(t, "bob").Raw
			if tc.path == "/refresh" {
				alice, bob = e.refresh(t, "alice").Raw, e.refresh(t, "bob").Raw
			}
			r := newRequest(http.MethodPost, tc.path, strings.NewReader(tc.body(alice, bob)), header("Content-Type", "application/json"))
			rec := testutil.Serve(mux, r)
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			checkNoLeak(t, rec, alice)
			checkNoLeak(t, rec, bob)
			for _, msg := range why {
				if strings.Contains(msg, "jsonobj") {
					t.Errorf("event error %q names an internal package", msg)
				}
			}
		})
	}
}
