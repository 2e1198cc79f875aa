package httpx_test

// The FromBody location: a field of a JSON body.

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx/httpx"
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
			mux.Handle("POST /me", e.auth(t, opts...).Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
			rec := serve(mux, newRequest(http.MethodPost, "/me", rbody, ropts...))
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
	mux.Handle("POST /me", e.auth(t, httpx.WithLocations(httpx.FromBody)).Required(http.HandlerFunc(whoami)))
	r := newRequest(http.MethodPost, "/me", iotest.ErrReader(errors.New("connection reset")), header("Content-Type", "application/json"))
	if diff := cmp.Diff(refusedBadRequest(), do(t, mux, r)); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
}
