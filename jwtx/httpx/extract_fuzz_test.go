package httpx_test

// Fuzz targets for token extraction: the Authorization header, and the
// cookie, query and body locations (attack catalogue D4).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// token68 is RFC 6750's b64token, written independently of the package.
var token68 = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)

// FuzzAuthorizationHeader sends any Authorization header value. It must
// never panic or answer 500; the handler runs only for the scheme, one
// space and exactly the valid token, and then sees exactly that token; a
// well-formed value is never a bad request and a malformed one never
// reaches the verifier.
func FuzzAuthorizationHeader(f *testing.F) {
	e := newEnv(f)
	// The fuzzing workers run this setup again: the token must be the same
	// in every process.
	tok := e.reproducible(f).Access(f, userOf("alice")).Raw
	want := string(testutil.Payload(f, tok))
	var got error
	var raw string
	ran := false
	auth := e.Auth(f, httpx.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		got = err
		httpx.DefaultErrors("api")(w, r, err)
	}))
	h := auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ran = true
		b, _ := jwtx.RawFrom(r.Context())
		raw = string(b)
	}))
	for _, seed := range []string{
		"Bearer " + tok, "bearer " + tok, "BEARER " + tok, "Bearer  " + tok, "Bearer " + tok + " ",
		"Bearer", "Bearer ", "Basic xyz", "Basic", "", " ", "Bearer " + tok + ", Bearer " + tok,
		"Bearer \u00a0" + tok, "Bearer " + tok + "=", "Bearer a=b", "Bearer ===", "Token " + tok,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		got, raw, ran = nil, "", false
		r := httptest.NewRequest(http.MethodGet, "/me", nil)
		r.Header["Authorization"] = []string{value}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)

		scheme, rest, _ := strings.Cut(value, " ")
		bearer := asciiEqualFold(scheme, "Bearer")
		wellFormed := bearer && token68.MatchString(rest)
		switch {
		case ran:
			if !wellFormed || rest != tok {
				t.Fatalf("handler ran for %q", value)
			}
			if raw != want || raw != string(testutil.Payload(t, rest)) {
				t.Fatalf("handler saw claims %q, want %q", raw, want)
			}
			return
		case rec.Code == http.StatusInternalServerError:
			t.Fatalf("%q: 500, error %v", value, got)
		case wellFormed && (errors.Is(got, httpx.ErrBadRequest) || errors.Is(got, httpx.ErrNoToken)):
			t.Fatalf("%q: well-formed value refused as %v", value, got)
		case !wellFormed && !errors.Is(got, httpx.ErrBadRequest) && !(errors.Is(got, httpx.ErrNoToken) && !bearer):
			t.Fatalf("%q: malformed value got error %v, want a bad request", value, got)
		}
		if bytes.Contains(rec.Body.Bytes(), []byte(signature(tok))) {
			t.Fatalf("%q: body carries the token's signature", value)
		}
	})
}

// asciiEqualFold reports whether a and b are equal under ASCII case folding
// only.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// FuzzTokenLocations feeds arbitrary access-cookie and query values and
// JSON bodies to an Auth reading FromCookie, then FromQuery, then FromBody.
// It must never panic or answer 500, and it authenticates exactly when the
// value delivered by the first location holding one is one of the two
// valid tokens, byte for byte, as that token's user: two cookies of the
// name, or a body that is not one strict JSON object (see bodyToken)
// or whose field is not a string, are a 400, anything else a 401.
func FuzzTokenLocations(f *testing.F) {
	e := newEnv(f)
	// Fuzzing runs this function in several processes; reproducible tokens
	// are the same in all of them, so "the valid token" means one string.
	iss := e.reproducible(f)
	valid, other := iss.Access(f, userOf("alice")).Raw, iss.Access(f, userOf("bob")).Raw
	// The only strings that may authenticate, and as whom.
	tokens := map[string]result{valid: okAs("alice", "Alice"), other: okAs("bob", "Bob")}
	mux := http.NewServeMux()
	mux.Handle("GET /me", e.Auth(f, httpx.WithLocations(httpx.FromCookie, httpx.FromQuery, httpx.FromBody)).Required(http.HandlerFunc(whoami)))
	for _, seed := range [][2]string{
		{valid, ""}, {"", valid}, {"", ""}, {valid, other}, {other, valid},
		{" " + valid, ""}, {valid + " ", ""}, {`"` + valid + `"`, ""}, {valid + "; " + accessCookie + "=" + valid, ""},
		{valid + "\x00", ""}, {"", valid + "="}, {"", valid + "\n"}, {valid[:len(valid)-1], ""},
		{strings.Replace(valid, ".", "\uff0e", -1), ""}, {strings.Repeat(".", 10000), strings.Repeat("A", 9000)},
		{"a.b.c", "e30.e30.e30"}, {"", "eyJhbGciOiJub25lIn0.e30."},
	} {
		f.Add(seed[0], seed[1], "")
	}
	field := func(members ...string) string { return "{" + strings.Join(members, ",") + "}" }
	tok := func(v string) string { return `"access_token":"` + v + `"` }
	// Bodies: a token field given twice (also as an empty string or null,
	// in another case, escaped), a repeated or malformed member elsewhere,
	// and what is not one JSON object.
	for _, body := range []string{
		field(tok(valid)), field(tok(other), tok(valid)), field(tok(valid), tok(valid)), field(tok(""), tok(valid)),
		field(`"access_token":null`, tok(valid)), field(tok(valid), `"ACCESS_TOKEN":"`+other+`"`),
		field(tok(other), `"access\u005ftoken":"`+valid+`"`), field(tok(`\u00` + fmt.Sprintf("%x", valid[0]) + valid[1:])),
		field(tok(valid), `"to":{"id":1,"id":2}`), field(tok(valid), `"to":"\u0000"`), field(tok(valid), "\"to\":\"\xff\""),
		field(`"access_token":null`), field(`"access_token":42`), field(tok(valid)) + "{}", "[]", "null",
	} {
		f.Add("", "", body)
	}
	f.Add(valid, "", field(tok(other)))
	f.Add("", other, field(tok(other), tok(valid)))
	f.Fuzz(func(t *testing.T, cookieValue, queryValue, body string) {
		var rbody io.Reader // nil: http.NoBody, as a server gives
		if body != "" {
			rbody = strings.NewReader(body)
		}
		r := httptest.NewRequest(http.MethodGet, "/me?"+url.Values{"jwt": {queryValue}}.Encode(), rbody)
		r.Header.Set("Cookie", accessCookie+"="+cookieValue)
		r.Header.Set("Content-Type", "application/json")
		// What the request delivers, as net/http parses it.
		delivered, wantStatus := "", http.StatusUnauthorized
		switch found := r.CookiesNamed(accessCookie); {
		case len(found) > 1:
			wantStatus = http.StatusBadRequest
		case len(found) == 1 && found[0].Value != "":
			delivered = found[0].Value
		case r.URL.Query().Get("jwt") != "":
			delivered = r.URL.Query().Get("jwt")
		case body != "":
			var bad bool
			if delivered, bad = bodyToken(body); bad {
				wantStatus = http.StatusBadRequest
			}
		}
		wantOK, isToken := tokens[delivered]
		if wantStatus != http.StatusBadRequest && isToken {
			wantStatus = http.StatusOK
		}
		rec := testutil.Serve(mux, r)
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("500 for cookie %q, query %q, body %q: %s", cookieValue, queryValue, body, rec.Body)
		}
		if rec.Code != wantStatus {
			t.Fatalf("status %d, want %d, for cookie %q, query %q, body %q (delivered %q)", rec.Code, wantStatus, cookieValue, queryValue, body, delivered)
		}
		if rec.Code == http.StatusOK {
			if diff := cmp.Diff(wantOK, resultOf(t, rec.Result())); diff != "" {
				t.Fatalf("authenticated response (-want +got):\n%s", diff)
			}
		}
	})
}

// bodyToken returns the access token a JSON body delivers, or bad for
// a body the middleware must refuse: over its 64 KiB limit, or not one
// strict JSON object (jsonobj.Object decides that, as it has its own fuzz
// target against a reference), or with a field that is neither a string
// nor null. The field itself is read with encoding/json, which agrees with
// a strict scanner on any body the scanner accepts.
func bodyToken(body string) (tok string, bad bool) {
	if len(body) > 64<<10 || jsonobj.Object([]byte(body), 10000, nil) != nil {
		return "", true
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &fields); err != nil {
		return "", true
	}
	var s *string
	if raw, ok := fields["access_token"]; ok {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", true
		}
	}
	if s == nil {
		return "", false
	}
	return *s, false
}
