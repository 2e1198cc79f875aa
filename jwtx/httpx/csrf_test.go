package httpx_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// swapCase changes the case of every ASCII letter.
func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case 'A' <= r && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
}

// otherLast changes the last character.
func otherLast(s string) string {
	if strings.HasSuffix(s, "A") {
		return s[:len(s)-1] + "B"
	}
	return s[:len(s)-1] + "A"
}

// csrfMux serves whoami on /transfer for any method, with the token in the
// access cookie.
func csrfMux(tb testing.TB, e *appEnv, opts ...httpx.Option) *http.ServeMux {
	tb.Helper()
	opts = append([]httpx.Option{httpx.WithLocations(httpx.FromCookie, httpx.FromHeader)}, opts...)
	mux := http.NewServeMux()
	mux.Handle("/transfer", e.Auth(tb, opts...).Required(http.HandlerFunc(whoami)))
	return mux
}

func TestCSRFUnsafeMethods(t *testing.T) {
	t.Parallel()
	// Each variant returns the request options for alice's access token
	// tok; bob is another session's token.
	variants := []struct {
		name string
		opts func(tok, bob jwtx.Token) []reqOption
		want result
	}{
		{name: "correct", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), header("X-CSRF-Token", tok.CSRF)}
		}, want: okAs("alice", "Alice")},
		{name: "missing", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw)}
		}, want: refusedCSRF()},
		{name: "empty", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), header("X-CSRF-Token", "")}
		}, want: refusedCSRF()},
		{name: "mismatched", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), header("X-CSRF-Token", otherLast(tok.CSRF))}
		}, want: refusedCSRF()},
		{name: "longer", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), header("X-CSRF-Token", tok.CSRF+"A")}
		}, want: refusedCSRF()},
		{name: "shorter", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), header("X-CSRF-Token", tok.CSRF[:len(tok.CSRF)-1])}
		}, want: refusedCSRF()},
		{name: "case changed", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), header("X-CSRF-Token", swapCase(tok.CSRF))}
		}, want: refusedCSRF()},
		{name: "another session's value", opts: func(tok, bob jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), header("X-CSRF-Token", bob.CSRF)}
		}, want: refusedCSRF()},
		{name: "the token as value", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), header("X-CSRF-Token", tok.Raw)}
		}, want: refusedCSRF()},
		{name: "two headers", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), header("X-CSRF-Token", tok.CSRF), header("X-CSRF-Token", tok.CSRF)}
		}, want: refusedCSRF()},
		{name: "value in a cookie only", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), cookie(accessCSRFCookie, tok.CSRF)}
		}, want: refusedCSRF()},
		{name: "method override to GET", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{cookie(accessCookie, tok.Raw), header("X-HTTP-Method-Override", http.MethodGet)}
		}, want: refusedCSRF()},
		{name: "token in the header needs none", opts: func(tok, _ jwtx.Token) []reqOption {
			return []reqOption{bearer(tok.Raw)}
		}, want: okAs("alice", "Alice")},
	}
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			for _, tc := range variants {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					e := newEnv(t)
					tok, bob := e.access(t, "alice"), e.access(t, "bob")
					if swapCase(tok.CSRF) == tok.CSRF {
						t.Fatalf("CSRF value %q has no letter", tok.CSRF)
					}
					// The value in the query string never counts (D2).
					target := "/transfer?csrf=" + url.QueryEscape(tok.CSRF)
					rec := testutil.Serve(csrfMux(t, e), newRequest(method, target, nil, tc.opts(tok, bob)...))
					if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
						t.Errorf("%s (-want +got):\n%s", method, diff)
					}
					checkNoLeak(t, rec, tok.Raw)
				})
			}
		})
	}
}

func TestCSRFSafeMethods(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := e.access(t, "alice")
			rec := testutil.Serve(csrfMux(t, e), newRequest(method, "/transfer", nil, cookie(accessCookie, tok.Raw)))
			if rec.Code != http.StatusOK {
				t.Errorf("%s with a cookie and no CSRF value: status %d, want 200", method, rec.Code)
			}
		})
	}
}

// D1: only GET, HEAD, OPTIONS (and TRACE) are safe; a method the CSRF list
// does not name, or a lower-case "patch" that a browser's fetch sends as
// is, must not skip the check on a cookie session.
func TestCSRFUnlistedMethods(t *testing.T) {
	t.Parallel()
	for _, method := range []string{"patch", "PROPFIND", "PURGE"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := e.access(t, "alice")
			res := do(t, csrfMux(t, e), newRequest(method, "/transfer", nil, cookie(accessCookie, tok.Raw)))
			if diff := cmp.Diff(refusedCSRF(), res); diff != "" {
				t.Errorf("%s with a cookie and no CSRF value (-want +got):\n%s", method, diff)
			}
		})
	}
}

// A cookie token without a csrf claim can never pass the check.
func TestCSRFTokenWithoutClaim(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		method string
		values []string // X-CSRF-Token header lines
		want   result
	}{
		{name: "POST without value", method: http.MethodPost, want: refusedCSRF()},
		{name: "POST with empty value", method: http.MethodPost, values: []string{""}, want: refusedCSRF()},
		{name: "POST with a value", method: http.MethodPost, values: []string{"anything"}, want: refusedCSRF()},
		{name: "GET", method: http.MethodGet, want: okAs("alice", "Alice")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := e.access(t, "alice", jwtx.WithTokenCSRF(false))
			opts := []reqOption{cookie(accessCookie, tok.Raw)}
			for _, v := range tc.values {
				opts = append(opts, header("X-CSRF-Token", v))
			}
			if diff := cmp.Diff(tc.want, do(t, csrfMux(t, e), newRequest(tc.method, "/transfer", nil, opts...))); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSRFOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		opts   []httpx.Option
		method string
		header map[string]string // header name → "ok" (the right value) or a literal
		want   result
	}{
		{name: "WithCSRF(false)", opts: []httpx.Option{httpx.WithCSRF(false)}, method: http.MethodPost, want: okAs("alice", "Alice")},
		{name: "methods: listed", opts: []httpx.Option{httpx.WithCSRFMethods(http.MethodPost)}, method: http.MethodPost, want: refusedCSRF()},
		{name: "methods: not listed", opts: []httpx.Option{httpx.WithCSRFMethods(http.MethodPost)}, method: http.MethodDelete, want: okAs("alice", "Alice")},
		{name: "methods: custom", opts: []httpx.Option{httpx.WithCSRFMethods("PURGE")}, method: "PURGE", want: refusedCSRF()},
		{name: "methods: lower case listed", opts: []httpx.Option{httpx.WithCSRFMethods("delete")}, method: http.MethodDelete, want: refusedCSRF()},
		{name: "custom header", opts: []httpx.Option{httpx.WithCSRFHeader("x-xsrf-token")}, method: http.MethodPost, header: map[string]string{"X-XSRF-Token": "ok"}, want: okAs("alice", "Alice")},
		{name: "custom header, default one ignored", opts: []httpx.Option{httpx.WithCSRFHeader("X-XSRF-Token")}, method: http.MethodPost, header: map[string]string{"X-CSRF-Token": "ok"}, want: refusedCSRF()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := e.access(t, "alice")
			opts := []reqOption{cookie(accessCookie, tok.Raw)}
			for name, v := range tc.header {
				if v == "ok" {
					v = tok.CSRF
				}
				opts = append(opts, header(name, v))
			}
			if diff := cmp.Diff(tc.want, do(t, csrfMux(t, e, tc.opts...), newRequest(tc.method, "/transfer", nil, opts...))); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSRFFormField(t *testing.T) {
	t.Parallel()
	const form = "application/x-www-form-urlencoded"
	field := httpx.WithCSRFFormField("csrf_token")
	for _, tc := range []struct {
		name        string
		opts        []httpx.Option
		contentType string
		body        func(csrf string) string
		header      func(csrf string) string // X-CSRF-Token, if any
		want        result
	}{
		{name: "field", opts: []httpx.Option{field}, contentType: form, body: func(c string) string { return "amount=10&csrf_token=" + c }, want: okAs("alice", "Alice")},
		{name: "wrong field", opts: []httpx.Option{field}, contentType: form, body: func(c string) string { return "amount=10&csrf_token=" + otherLast(c) }, want: refusedCSRF()},
		{name: "two fields", opts: []httpx.Option{field}, contentType: form, body: func(c string) string { return "csrf_token=" + c + "&amount=10&csrf_token=" + c }, want: refusedCSRF()},
		{name: "no field", opts: []httpx.Option{field}, contentType: form, body: func(string) string { return "amount=10" }, want: refusedCSRF()},
		{name: "option not set", contentType: form, body: func(c string) string { return "amount=10&csrf_token=" + c }, want: refusedCSRF()},
		{name: "JSON body", opts: []httpx.Option{field}, contentType: "application/json", body: func(c string) string { return `{"csrf_token":"` + c + `"}` }, want: refusedCSRF()},
		{name: "form over the size limit", opts: []httpx.Option{field, httpx.WithMaxBodySize(64)}, contentType: form, body: func(c string) string { return "csrf_token=" + c + "&pad=" + strings.Repeat("x", 64) }, want: refusedBadRequest()},
		{name: "header decides over the field", opts: []httpx.Option{field}, contentType: form, body: func(c string) string { return "amount=10&csrf_token=" + c }, header: otherLast, want: refusedCSRF()},
		{name: "right header, wrong field", opts: []httpx.Option{field}, contentType: form, body: func(c string) string { return "amount=10&csrf_token=x" }, header: func(c string) string { return c }, want: okAs("alice", "Alice")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := e.access(t, "alice")
			body := tc.body(tok.CSRF)
			opts := append([]httpx.Option{httpx.WithLocations(httpx.FromCookie)}, tc.opts...)
			var amount string
			var handlerBody []byte
			mux := http.NewServeMux()
			mux.Handle("POST /transfer", e.Auth(t, opts...).Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var err error
				if handlerBody, err = io.ReadAll(r.Body); err != nil {
					t.Errorf("handler reading the body: %v", err)
				}
				r.Body = io.NopCloser(bytes.NewReader(handlerBody))
				amount = r.FormValue("amount")
				whoami(w, r)
			})))
			ropts := []reqOption{cookie(accessCookie, tok.Raw), header("Content-Type", tc.contentType)}
			if tc.header != nil {
				ropts = append(ropts, header("X-CSRF-Token", tc.header(tok.CSRF)))
			}
			res := do(t, mux, newRequest(http.MethodPost, "/transfer", strings.NewReader(body), ropts...))
			if diff := cmp.Diff(tc.want, res); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if tc.want.Status == http.StatusOK {
				if string(handlerBody) != body {
					t.Errorf("handler read body %q, want %q", handlerBody, body)
				}
				if amount != "10" {
					t.Errorf("form value amount = %q, want 10", amount)
				}
			}
		})
	}
	t.Run("multipart", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		tok := e.access(t, "alice")
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		if err := mw.WriteField("csrf_token", tok.CSRF); err != nil {
			t.Fatal(err)
		}
		if err := mw.Close(); err != nil {
			t.Fatal(err)
		}
		mux := csrfMux(t, e, field)
		res := do(t, mux, newRequest(http.MethodPost, "/transfer", &buf, cookie(accessCookie, tok.Raw), header("Content-Type", mw.FormDataContentType())))
		if diff := cmp.Diff(refusedCSRF(), res); diff != "" {
			t.Errorf("response (-want +got):\n%s", diff)
		}
	})
}

func TestCSRFEqual(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		got, want string
		equal     bool
	}{
		{name: "equal", got: "abc", want: "abc", equal: true},
		{name: "both empty", got: "", want: "", equal: false},
		{name: "got empty", got: "", want: "abc", equal: false},
		{name: "want empty", got: "abc", want: "", equal: false},
		{name: "case", got: "ABC", want: "abc", equal: false},
		{name: "prefix", got: "ab", want: "abc", equal: false},
		{name: "longer", got: "abcd", want: "abc", equal: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := httpx.CSRFEqual(tc.got, tc.want); got != tc.equal {
				t.Errorf("CSRFEqual(%q, %q) = %v, want %v", tc.got, tc.want, got, tc.equal)
			}
		})
	}
}

func FuzzCSRFEqual(f *testing.F) {
	for _, seed := range [][2]string{{"", ""}, {"a", "a"}, {"a", ""}, {"", "a"}, {"abc", "ABC"}, {"abc", "abcd"}, {"\x00", ""}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := httpx.CSRFEqual(a, b), a != "" && a == b; got != want {
			t.Errorf("CSRFEqual(%q, %q) = %v, want %v", a, b, got, want)
		}
	})
}
