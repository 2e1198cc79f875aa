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

// csrfRoutes serves whoami on /transfer for any method.
func csrfRoutes(a *httpx.Auth[User, Claims]) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/transfer", a.Required(http.HandlerFunc(whoami)))
	return mux
}

// csrfTable serves the requests of the CSRF tables: the token in the
// access cookie, then the header.
func csrfTable() requestTable {
	return requestTable{routes: csrfRoutes, opts: []httpx.Option{httpx.WithLocations(httpx.FromCookie, httpx.FromHeader)}}
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
	table := csrfTable()
	table.noLeak = true
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			var cases []requestCase
			for _, v := range variants {
				cases = append(cases, requestCase{name: v.name, want: v.want, request: func(tb testing.TB, tok, bob jwtx.Token) *http.Request {
					if swapCase(tok.CSRF) == tok.CSRF {
						tb.Fatalf("CSRF value %q has no letter", tok.CSRF)
					}
					// The value in the query string never counts (D2).
					return newRequest(method, "/transfer?csrf="+url.QueryEscape(tok.CSRF), nil, v.opts(tok, bob)...)
				}})
			}
			table.run(t, cases)
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
			h := csrfRoutes(e.Auth(t, httpx.WithLocations(httpx.FromCookie, httpx.FromHeader)))
			rec := testutil.Serve(h, newRequest(method, "/transfer", nil, cookie(accessCookie, tok.Raw)))
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
	var cases []requestCase
	for _, method := range []string{"patch", "PROPFIND", "PURGE"} {
		cases = append(cases, requestCase{name: method, want: refusedCSRF(), request: func(_ testing.TB, tok, _ jwtx.Token) *http.Request {
			return newRequest(method, "/transfer", nil, cookie(accessCookie, tok.Raw))
		}})
	}
	csrfTable().run(t, cases)
}

// A cookie token without a csrf claim can never pass the check.
func TestCSRFTokenWithoutClaim(t *testing.T) {
	t.Parallel()
	// request sends the token in the cookie with an X-CSRF-Token line for
	// each value.
	request := func(method string, values ...string) func(testing.TB, jwtx.Token, jwtx.Token) *http.Request {
		return func(_ testing.TB, tok, _ jwtx.Token) *http.Request {
			opts := []reqOption{cookie(accessCookie, tok.Raw)}
			for _, v := range values {
				opts = append(opts, header("X-CSRF-Token", v))
			}
			return newRequest(method, "/transfer", nil, opts...)
		}
	}
	table := csrfTable()
	table.issue = []jwtx.IssueOption{jwtx.WithTokenCSRF(false)}
	table.run(t, []requestCase{
		{name: "POST without value", request: request(http.MethodPost), want: refusedCSRF()},
		{name: "POST with empty value", request: request(http.MethodPost, ""), want: refusedCSRF()},
		{name: "POST with a value", request: request(http.MethodPost, "anything"), want: refusedCSRF()},
		{name: "GET", request: request(http.MethodGet), want: okAs("alice", "Alice")},
	})
}

func TestCSRFOptions(t *testing.T) {
	t.Parallel()
	// request sends the token in the cookie, with the header lines of
	// header: name → "ok" (the right value) or a literal.
	request := func(method string, hdr map[string]string) func(testing.TB, jwtx.Token, jwtx.Token) *http.Request {
		return func(_ testing.TB, tok, _ jwtx.Token) *http.Request {
			opts := []reqOption{cookie(accessCookie, tok.Raw)}
			for name, v := range hdr {
				if v == "ok" {
					v = tok.CSRF
				}
				opts = append(opts, header(name, v))
			}
			return newRequest(method, "/transfer", nil, opts...)
		}
	}
	csrfTable().run(t, []requestCase{
		{name: "WithCSRF(false)", opts: []httpx.Option{httpx.WithCSRF(false)}, request: request(http.MethodPost, nil), want: okAs("alice", "Alice")},
		{name: "methods: listed", opts: []httpx.Option{httpx.WithCSRFMethods(http.MethodPost)}, request: request(http.MethodPost, nil), want: refusedCSRF()},
		{name: "methods: not listed", opts: []httpx.Option{httpx.WithCSRFMethods(http.MethodPost)}, request: request(http.MethodDelete, nil), want: okAs("alice", "Alice")},
		{name: "methods: custom", opts: []httpx.Option{httpx.WithCSRFMethods("PURGE")}, request: request("PURGE", nil), want: refusedCSRF()},
		{name: "methods: lower case listed", opts: []httpx.Option{httpx.WithCSRFMethods("delete")}, request: request(http.MethodDelete, nil), want: refusedCSRF()},
		{name: "custom header", opts: []httpx.Option{httpx.WithCSRFHeader("x-xsrf-token")}, request: request(http.MethodPost, map[string]string{"X-XSRF-Token": "ok"}), want: okAs("alice", "Alice")},
		{name: "custom header, default one ignored", opts: []httpx.Option{httpx.WithCSRFHeader("X-XSRF-Token")}, request: request(http.MethodPost, map[string]string{"X-CSRF-Token": "ok"}), want: refusedCSRF()},
	})
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
		mux := csrfRoutes(e.Auth(t, httpx.WithLocations(httpx.FromCookie, httpx.FromHeader), field))
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
