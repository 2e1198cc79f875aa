package httpx_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestAuthorizationHeader(t *testing.T) {
	t.Parallel()
	custom := []httpx.Option{httpx.WithAuthorizationHeader("x-api-token", "Token")}
	// The challenge names the configured scheme.
	customMissing := result{Status: http.StatusUnauthorized, WWWAuthenticate: `Token realm="api"`, Body: msg("missing token")}
	customBadRequest := refusedBadRequest()
	customBadRequest.WWWAuthenticate = strings.Replace(customBadRequest.WWWAuthenticate, "Bearer", "Token", 1)
	requestTable{routes: meRoute}.run(t, []requestCase{
		{name: "Bearer", request: one("Authorization", "Bearer "), want: okAs("alice", "Alice")},
		{name: "bearer", request: one("Authorization", "bearer "), want: okAs("alice", "Alice")},
		{name: "BEARER", request: one("Authorization", "BEARER "), want: okAs("alice", "Alice")},
		{name: "bEaReR", request: one("Authorization", "bEaReR "), want: okAs("alice", "Alice")},
		{name: "custom header and scheme", opts: custom, request: one("X-Api-Token", "Token "), want: okAs("alice", "Alice")},
		{name: "custom scheme in lower case", opts: custom, request: one("X-Api-Token", "token "), want: okAs("alice", "Alice")},
		{name: "custom header, default scheme", opts: custom, request: one("X-Api-Token", "Bearer "), want: customMissing},
		{name: "custom header ignores Authorization", opts: custom, request: one("Authorization", "Bearer "), want: customMissing},
		// B6: non-ASCII never passes, not even a KELVIN SIGN that Unicode
		// case folding equates with "k".
		{name: "custom scheme with a Kelvin sign", opts: custom, request: one("X-Api-Token", "To\u212aen "), want: customBadRequest},
	})
}

// one returns GET /me with a header line whose value is prefix followed by
// alice's token.
func one(name, prefix string) func(testing.TB, jwtx.Token, jwtx.Token) *http.Request {
	return func(_ testing.TB, alice, _ jwtx.Token) *http.Request {
		return newRequest(http.MethodGet, "/me", nil, header(name, prefix+alice.Raw))
	}
}

func TestMalformedAuthorization(t *testing.T) {
	t.Parallel()
	requestTable{routes: meRoute, noLeak: true}.run(t, []requestCase{
		{name: "Bearer alone", request: lines(fixed("Bearer")), want: refusedBadRequest()},
		{name: "Bearer and a space", request: lines(fixed("Bearer ")), want: refusedBadRequest()},
		{name: "two spaces", request: lines(func(tok string) []string { return []string{"Bearer  " + tok} }), want: refusedBadRequest()},
		{name: "tab", request: lines(func(tok string) []string { return []string{"Bearer\t" + tok} }), want: refusedBadRequest()},
		{name: "trailing space", request: lines(func(tok string) []string { return []string{"Bearer " + tok + " "} }), want: refusedBadRequest()},
		{name: "two tokens", request: lines(func(tok string) []string { return []string{"Bearer " + tok + ", Bearer " + tok} }), want: refusedBadRequest()},
		{name: "two headers", request: lines(func(tok string) []string { return []string{"Bearer " + tok, "Bearer " + tok} }), want: refusedBadRequest()},
		{name: "two headers, other scheme second", request: lines(func(tok string) []string { return []string{"Bearer " + tok, "Basic xyz"} }), want: refusedBadRequest()},
		{name: "NBSP", request: lines(func(tok string) []string { return []string{"Bearer \u00a0" + tok} }), want: refusedBadRequest()},
		{name: "zero-width space", request: lines(func(tok string) []string { return []string{"Bearer " + tok + "\u200b"} }), want: refusedBadRequest()},
		{name: "NBSP as separator", request: lines(func(tok string) []string { return []string{"Bearer\u00a0" + tok} }), want: refusedBadRequest()},
		{name: "Basic", request: lines(fixed("Basic xyz")), want: refusedMissing()},
		{name: "Basic alone", request: lines(fixed("Basic")), want: refusedMissing()},
		{name: "token in another scheme", request: lines(func(tok string) []string { return []string{"Token " + tok} }), want: refusedMissing()},
		{name: "padding after the token", request: lines(func(tok string) []string { return []string{"Bearer " + tok + "="} }), want: refusedToken("invalid token")},
		{name: "not a JWS", request: lines(fixed("Bearer abc")), want: refusedToken("invalid token")},
	})
}

// lines returns GET /me with an Authorization line for each of the values
// for alice's token.
func lines(values func(tok string) []string) func(testing.TB, jwtx.Token, jwtx.Token) *http.Request {
	return func(_ testing.TB, alice, _ jwtx.Token) *http.Request {
		r := newRequest(http.MethodGet, "/me", nil)
		for _, v := range values(alice.Raw) {
			r.Header.Add("Authorization", v)
		}
		return r
	}
}

func fixed(values ...string) func(string) []string {
	return func(string) []string { return values }
}

// TestHugeAuthorization sends 64 KiB tokens to a real server: they are
// refused as invalid tokens before decoding, never with a 500.
func TestHugeAuthorization(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		token func(tb testing.TB, e *appEnv) string
	}{
		{name: "64 KiB of base64url", token: func(testing.TB, *appEnv) string { return strings.Repeat("A", 64<<10) }},
		{name: "64 KiB dots", token: func(testing.TB, *appEnv) string { return strings.Repeat(".", 64<<10) }},
		{
			name: "signed 64 KiB claims",
			token: func(tb testing.TB, e *appEnv) string {
				return e.access(tb, "alice", jwtx.ExtraClaims(map[string]any{"pad": strings.Repeat("x", 64<<10)})).Raw
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := tc.token(t, e)
			b := testutil.NewBrowser(t, meRoute(e.Auth(t)))
			resp := b.Do(t, http.MethodGet, "/me", http.Header{"Authorization": {"Bearer " + tok}})
			if diff := cmp.Diff(refusedToken("invalid token"), resultOf(t, resp)); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

// B6: Unicode and whitespace around the token, in the header and the cookie.
func TestTokenVariants(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		variant    func(tok string) string
		wantHeader result
		wantCookie result
	}{
		{
			name: "leading space", variant: func(tok string) string { return " " + tok },
			wantHeader: refusedBadRequest(), wantCookie: refusedToken("invalid token"),
		},
		{
			// The Cookie header's trailing whitespace is not part of the
			// value (RFC 6265 §5.2), so the cookie holds the token itself.
			name: "trailing space", variant: func(tok string) string { return tok + " " },
			wantHeader: refusedBadRequest(), wantCookie: okAs("alice", "Alice"),
		},
		{
			name: "trailing tab", variant: func(tok string) string { return tok + "\t" },
			wantHeader: refusedBadRequest(), wantCookie: okAs("alice", "Alice"),
		},
		{
			name: "space inside", variant: func(tok string) string { return strings.Replace(tok, ".", " .", 1) },
			wantHeader: refusedBadRequest(), wantCookie: refusedToken("invalid token"),
		},
		// Non-ASCII never passes: the header is malformed, and a cookie
		// with such a value is not a cookie at all.
		{name: "NBSP", variant: func(tok string) string { return "\u00a0" + tok }, wantHeader: refusedBadRequest(), wantCookie: refusedMissing()},
		{name: "zero-width space", variant: func(tok string) string { return tok + "\u200b" }, wantHeader: refusedBadRequest(), wantCookie: refusedMissing()},
		{name: "BOM", variant: func(tok string) string { return "\ufeff" + tok }, wantHeader: refusedBadRequest(), wantCookie: refusedMissing()},
		{name: "fullwidth dots", variant: func(tok string) string { return strings.ReplaceAll(tok, ".", "\uff0e") }, wantHeader: refusedBadRequest(), wantCookie: refusedMissing()},
		{name: "ideographic dots", variant: func(tok string) string { return strings.ReplaceAll(tok, ".", "\u3002") }, wantHeader: refusedBadRequest(), wantCookie: refusedMissing()},
		{name: "Cyrillic e", variant: func(tok string) string { return strings.Replace(tok, "e", "\u0435", 1) }, wantHeader: refusedBadRequest(), wantCookie: refusedMissing()},
		// DQUOTEs around a cookie value are cookie syntax (RFC 6265 §4.1.1),
		// not part of the value.
		{name: "quoted", variant: func(tok string) string { return `"` + tok + `"` }, wantHeader: refusedBadRequest(), wantCookie: okAs("alice", "Alice")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tok := e.access(t, "alice").Raw
			mux := http.NewServeMux()
			mux.Handle("GET /header", e.Auth(t).Required(http.HandlerFunc(whoami)))
			mux.Handle("GET /cookie", e.Auth(t, httpx.WithLocations(httpx.FromCookie)).Required(http.HandlerFunc(whoami)))

			rec := testutil.Serve(mux, newRequest(http.MethodGet, "/header", nil, header("Authorization", "Bearer "+tc.variant(tok))))
			if diff := cmp.Diff(tc.wantHeader, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("in the header (-want +got):\n%s", diff)
			}
			checkNoLeak(t, rec, tok)
			rec = testutil.Serve(mux, newRequest(http.MethodGet, "/cookie", nil, cookie(accessCookie, tc.variant(tok))))
			if diff := cmp.Diff(tc.wantCookie, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("in the cookie (-want +got):\n%s", diff)
			}
			checkNoLeak(t, rec, tok)
		})
	}
}

// D3: two cookies of the auth name are refused, in either order.
func TestDuplicateCookies(t *testing.T) {
	t.Parallel()
	// order lists whose tokens go in the cookie header, in order.
	order := func(users ...string) func(testing.TB, jwtx.Token, jwtx.Token) *http.Request {
		return func(_ testing.TB, alice, bob jwtx.Token) *http.Request {
			var opts []reqOption
			for _, u := range users {
				v := alice.Raw
				if u != "alice" {
					v = bob.Raw
				}
				opts = append(opts, cookie(accessCookie, v))
			}
			return newRequest(http.MethodGet, "/me", nil, append(opts, bearer(alice.Raw))...)
		}
	}
	requestTable{routes: meRoute, opts: []httpx.Option{httpx.WithLocations(httpx.FromCookie, httpx.FromHeader)}}.run(t, []requestCase{
		{name: "attacker first", request: order("bob", "alice"), want: refusedBadRequest()},
		{name: "victim first", request: order("alice", "bob"), want: refusedBadRequest()},
		{name: "same token twice", request: order("alice", "alice"), want: refusedBadRequest()},
	})
}

// D4: the query string holds a token only where FromQuery is configured.
func TestQueryLocation(t *testing.T) {
	t.Parallel()
	query := func(q func(tok string) string) func(testing.TB, jwtx.Token, jwtx.Token) *http.Request {
		return func(_ testing.TB, alice, _ jwtx.Token) *http.Request {
			return newRequest(http.MethodGet, "/download?"+q(alice.Raw), nil)
		}
	}
	fromQuery := []httpx.Option{httpx.WithLocations(httpx.FromQuery)}
	customParam := []httpx.Option{httpx.WithLocations(httpx.FromQuery), httpx.WithQueryParam("access_token")}
	routes := func(a *httpx.Auth[User, Claims]) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("GET /download", a.Required(http.HandlerFunc(whoami)))
		return mux
	}
	requestTable{routes: routes}.run(t, []requestCase{
		{name: "not configured", request: query(func(tok string) string { return "jwt=" + tok }), want: refusedMissing()},
		{name: "not configured, access_token", request: query(func(tok string) string { return "access_token=" + tok }), want: refusedMissing()},
		{name: "configured", opts: fromQuery, request: query(func(tok string) string { return "jwt=" + tok }), want: okAs("alice", "Alice")},
		{name: "configured, twice", opts: fromQuery, request: query(func(tok string) string { return "jwt=" + tok + "&jwt=" + tok }), want: refusedBadRequest()},
		{name: "configured, empty", opts: fromQuery, request: query(func(string) string { return "jwt=" }), want: refusedMissing()},
		{name: "custom parameter", opts: customParam, request: query(func(tok string) string { return "access_token=" + tok }), want: okAs("alice", "Alice")},
		{name: "custom parameter ignores jwt", opts: customParam, request: query(func(tok string) string { return "jwt=" + tok }), want: refusedMissing()},
	})
}

func TestLocationString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		loc  httpx.Location
		want string
	}{
		{loc: httpx.FromHeader, want: "header"},
		{loc: httpx.FromCookie, want: "cookie"},
		{loc: httpx.FromQuery, want: "query"},
		{loc: httpx.FromBody, want: "body"},
		{loc: 0, want: "none"},
		{loc: httpx.FromBody + 1, want: "none"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			if got := tc.loc.String(); got != tc.want {
				t.Errorf("Location(%d).String() = %q, want %q", tc.loc, got, tc.want)
			}
		})
	}
}

// TestLocationOrder: the first location holding a token decides, and CSRF
// applies whenever the cookie decided.
func TestLocationOrder(t *testing.T) {
	t.Parallel()
	cookieFirst := []httpx.Option{httpx.WithLocations(httpx.FromCookie, httpx.FromHeader)}
	headerFirst := []httpx.Option{httpx.WithLocations(httpx.FromHeader, httpx.FromCookie)}
	// request builds a request: authHeader is "bob" for bob's token or a
	// literal value; aliceCk sends alice's access cookie, csrf her CSRF
	// value in the header.
	request := func(method, authHeader string, aliceCk, csrf bool) func(testing.TB, jwtx.Token, jwtx.Token) *http.Request {
		return func(_ testing.TB, alice, bob jwtx.Token) *http.Request {
			var opts []reqOption
			switch authHeader {
			case "":
			case "bob":
				opts = append(opts, bearer(bob.Raw))
			default:
				opts = append(opts, header("Authorization", authHeader))
			}
			if aliceCk {
				opts = append(opts, cookie(accessCookie, alice.Raw))
			}
			if csrf {
				opts = append(opts, header("X-CSRF-Token", alice.CSRF))
			}
			return newRequest(method, "/me", nil, opts...)
		}
	}
	routes := func(a *httpx.Auth[User, Claims]) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/me", a.Required(http.HandlerFunc(whoami)))
		return mux
	}
	requestTable{routes: routes}.run(t, []requestCase{
		{name: "cookie first, POST without CSRF", opts: cookieFirst, request: request(http.MethodPost, "bob", true, false), want: refusedCSRF()},
		{name: "cookie first, POST with CSRF", opts: cookieFirst, request: request(http.MethodPost, "bob", true, true), want: okAs("alice", "Alice")},
		{name: "cookie first, GET", opts: cookieFirst, request: request(http.MethodGet, "bob", true, false), want: okAs("alice", "Alice")},
		{name: "cookie first, no cookie", opts: cookieFirst, request: request(http.MethodPost, "bob", false, false), want: okAs("bob", "Bob")},
		{name: "header first, POST without CSRF", opts: headerFirst, request: request(http.MethodPost, "bob", true, false), want: okAs("bob", "Bob")},
		{name: "header first, other scheme", opts: headerFirst, request: request(http.MethodGet, "Basic xyz", true, false), want: okAs("alice", "Alice")},
		{name: "header first, malformed header", opts: headerFirst, request: request(http.MethodGet, "Bearer", true, false), want: refusedBadRequest()},
		{name: "header only, cookie ignored", request: request(http.MethodGet, "", true, false), want: refusedMissing()},
		{name: "cookie only, header ignored", opts: []httpx.Option{httpx.WithLocations(httpx.FromCookie)}, request: request(http.MethodGet, "bob", false, false), want: refusedMissing()},
	})
}
