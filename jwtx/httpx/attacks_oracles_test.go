package httpx_test

// Attack catalogue D7 (timing, as a code assertion) and D8 (error
// oracles), and FuzzTokenLocations.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func atkSecretOperand(x ast.Expr, names map[string]bool) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return names[x.Name]
	case *ast.SelectorExpr:
		return names[x.Sel.Name]
	case *ast.ParenExpr:
		return atkSecretOperand(x.X, names)
	case *ast.StarExpr:
		return atkSecretOperand(x.X, names)
	case *ast.IndexExpr:
		return atkSecretOperand(x.X, names)
	case *ast.SliceExpr:
		return atkSecretOperand(x.X, names)
	case *ast.CallExpr:
		conversion := false
		switch f := x.Fun.(type) {
		case *ast.ArrayType:
			conversion = true
		case *ast.Ident:
			conversion = f.Name == "string"
		}
		return conversion && len(x.Args) == 1 && atkSecretOperand(x.Args[0], names)
	}
	return false
}

// atkHarmless reports whether x is "" or nil: comparing a value with them
// reveals only whether it is empty.
func atkHarmless(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.BasicLit:
		return x.Kind == token.STRING && x.Value == `""`
	case *ast.Ident:
		return x.Name == "nil"
	}
	return false
}

// atkCallName renders the function of a call as "pkg.Func", "Func" or
// "x.Method" (the selector's last name only).
func atkCallName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			return id.Name + "." + f.Sel.Name
		}
		return "." + f.Sel.Name
	}
	return ""
}

// atkNames returns a set of names.
func atkNames(n ...string) map[string]bool {
	m := map[string]bool{}
	for _, s := range n {
		m[s] = true
	}
	return m
}

// atkVariableTime reports whether the call named name is a comparison
// that stops at the first difference.
func atkVariableTime(name string) bool {
	switch name {
	case "bytes.Equal", "bytes.Compare", "strings.Compare", "strings.EqualFold", "slices.Equal", "reflect.DeepEqual", "ascii.EqualFold":
		return true
	}
	return false
}

// atkTimingCheck walks the function bodies of f. It returns the
// comparisons that take a value named in secrets in variable time (==, !=
// or switch with anything but "" or nil, or a call that atkVariableTime
// names), and, for each function named in must, whether it
// makes the call must names with secret arguments only.
func atkTimingCheck(fset *token.FileSet, f *ast.File, secrets map[string]bool, must map[string]string) (violations []string, found map[string]bool) {
	found = map[string]bool{}
	report := func(n ast.Node, what string) {
		violations = append(violations, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), what))
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if n.Op != token.EQL && n.Op != token.NEQ {
					return true
				}
				x, y := atkSecretOperand(n.X, secrets), atkSecretOperand(n.Y, secrets)
				if (x && !atkHarmless(n.Y)) || (y && !atkHarmless(n.X)) {
					report(n, "variable-time comparison of a secret value with "+n.Op.String())
				}
			case *ast.SwitchStmt:
				if n.Tag != nil && atkSecretOperand(n.Tag, secrets) {
					report(n, "switch on a secret value")
				}
			case *ast.CallExpr:
				name := atkCallName(n)
				args := 0
				for _, a := range n.Args {
					if atkSecretOperand(a, secrets) {
						args++
					}
				}
				if atkVariableTime(name) && args > 0 {
					report(n, name+" on a secret value")
				}
				if want, ok := must[fn.Name.Name]; ok && name == want && args > 0 && args == len(n.Args) {
					found[fn.Name.Name] = true
				}
			}
			return true
		})
	}
	return violations, found
}

// TestAttackD7 covers D7 with a code assertion instead of timing, which
// is flaky. It parses the library's source with go/parser and asserts, for
// the values named per file (MACs and signatures in jose.go and
// compact.go, CSRF values in csrf.go and refresh.go):
//
//  1. No ==, != or switch compares such a value (or a conversion, index
//     or slice of it) with anything but "" or nil; len() of it may be
//     compared, lengths are public.
//  2. No bytes.Equal, bytes.Compare, strings.Compare, strings.EqualFold,
//     slices.Equal, reflect.DeepEqual or ascii.EqualFold takes such a value.
//  3. The functions that compare them call the constant-time primitive
//     with those values only: (*Key).Verify calls hmac.Equal(sig, mac);
//     CSRFEqual calls subtle.ConstantTimeCompare([]byte(got), []byte(want));
//     checkCSRF and logout compare CSRF values through CSRFEqual.
//
// Values are recognised by name (identifiers and field selectors), so a
// secret copied into a variable of another name escapes the check; the
// checker's own subtest shows what it flags. It does not prove that the
// compiled code runs in constant time (that is crypto/hmac's and
// crypto/subtle's promise), and RSA, ECDSA and Ed25519 verification
// compare no secret.
func TestAttackD7(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		file    string
		secrets map[string]bool
		// must maps a function name to the call it must make with secret
		// arguments only.
		must map[string]string
	}{
		{name: "D7/jose.go", file: "../internal/jose/jose.go", secrets: atkNames("sig", "mac", "secret", "signature"),
			must: map[string]string{"Verify": "hmac.Equal"}},
		{name: "D7/compact.go", file: "../compact.go", secrets: atkNames("sig", "signature")},
		{name: "D7/csrf.go", file: "csrf.go", secrets: atkNames("got", "want", "claim", "csrf", "CSRF"),
			must: map[string]string{"CSRFEqual": "subtle.ConstantTimeCompare", "checkCookieRequest": "CSRFEqual"}},
		{name: "D7/refresh.go", file: "refresh.go", secrets: atkNames("got", "csrf", "CSRF"),
			must: map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, tc.file, nil, 0)
			if err != nil {
				t.Fatalf("parse %s: %v", tc.file, err)
			}
			violations, found := atkTimingCheck(fset, f, tc.secrets, tc.must)
			if len(violations) > 0 {
				t.Errorf("%s compares secret values in variable time:\n%s", tc.file, strings.Join(violations, "\n"))
			}
			for fn, call := range tc.must {
				if !found[fn] {
					t.Errorf("%s: %s does not call %s with the secret values", tc.file, fn, call)
				}
			}
		})
	}

	// The checker itself flags what it exists to catch, lets through what
	// is harmless, and recognises the required calls.
	t.Run("D7/checker", func(t *testing.T) {
		t.Parallel()
		const src = `package p

func bad(sig, mac []byte, got, want string) bool {
	if string(sig) == string(mac) { return true }  // line 4
	if bytes.Equal(sig, mac) { return true }       // line 5
	switch got { case want: return true }          // line 6
	if sig[0] != mac[0] { return false }           // line 7
	return got != want                             // line 8
}

func good(sig, mac []byte, got, want string) bool {
	if len(sig) != len(mac) || got == "" || sig == nil { return false }
	return hmac.Equal(sig, mac) && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func half(sig, other []byte) bool { return hmac.Equal(sig, other) }
`
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "p.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		violations, found := atkTimingCheck(fset, f, atkNames("sig", "mac", "got", "want"),
			map[string]string{"good": "hmac.Equal", "half": "hmac.Equal"})
		var lines []int
		for _, v := range violations {
			var line, col int
			if _, err := fmt.Sscanf(v, "p.go:%d:%d:", &line, &col); err != nil {
				t.Fatalf("violation %q: %v", v, err)
			}
			lines = append(lines, line)
		}
		if diff := cmp.Diff([]int{4, 5, 6, 7, 8}, lines); diff != "" {
			t.Errorf("flagged lines (-want +got):\n%s\n%s", diff, strings.Join(violations, "\n"))
		}
		if diff := cmp.Diff(map[string]bool{"good": true}, found); diff != "" {
			t.Errorf("required calls found (-want +got):\n%s", diff)
		}
	})
}

// TestAttackD8 covers D8: tokens that fail for different reasons get a
// uniform 401 with error="invalid_token" and a fixed body; the
// error_description is coarse ("invalid token", or "token expired" for a
// correctly signed expired token, which tells the client to refresh). An
// unknown kid and a bad signature get byte-identical responses, so kids
// cannot be enumerated. No response echoes a claim or the token. Each
// request yields one event with a reason and the error, never the token
// nor any of its claims (sub and jti appear in events only for tokens that
// pass verification).
func TestAttackD8(t *testing.T) {
	t.Parallel()
	type failure struct {
		name   string
		token  func(t *testing.T, e *appEnv) jwtx.Token
		desc   string
		reason httpx.Reason
		err    error
		signed bool // correctly signed: the event names the token by jti
	}
	attacker := func(kid string) func(*testing.T, *appEnv) jwtx.Token {
		return func(t *testing.T, e *appEnv) jwtx.Token { return e.attacker(t, kid).access(t, "alice") }
	}
	failures := []failure{
		{name: "bad-signature", token: attacker("k1"), desc: "invalid token", reason: httpx.ReasonSignature, err: jwtx.ErrSignature},
		{name: "unknown-kid", token: attacker("k2"), desc: "invalid token", reason: httpx.ReasonSignature, err: jwtx.ErrKeyNotFound},
		{name: "wrong-aud", token: func(t *testing.T, e *appEnv) jwtx.Token { return e.access(t, "alice", jwtx.ForAudience("billing")) },
			desc: "invalid token", reason: httpx.ReasonInvalid, err: jwtx.ErrAudience, signed: true},
		{name: "malformed", token: func(t *testing.T, e *appEnv) jwtx.Token {
			tok := e.access(t, "alice")
			tok.Raw = tok.Raw[:strings.LastIndexByte(tok.Raw, '.')] // two segments
			return tok
		}, desc: "invalid token", reason: httpx.ReasonInvalid, err: jwtx.ErrMalformed},
		{name: "expired", token: func(t *testing.T, e *appEnv) jwtx.Token {
			e.Clock.Advance(-time.Hour)
			defer e.Clock.Advance(time.Hour)
			return e.access(t, "alice")
		}, desc: "token expired", reason: httpx.ReasonExpired, err: jwtx.ErrExpired, signed: true},
	}
	for _, tc := range failures {
		t.Run("D8/"+tc.name, func(t *testing.T) {
			t.Parallel()
			s := atkNewSite(t, httpx.WithLocations(httpx.FromHeader))
			tok := tc.token(t, s.e)
			rec := testutil.Serve(s.mux, newRequest(http.MethodGet, "/me", nil, bearer(tok.Raw)))
			if diff := cmp.Diff(refusedToken(tc.desc), resultOf(t, rec.Result())); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if !strings.Contains(rec.Header().Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q lacks error=\"invalid_token\"", rec.Header().Get("WWW-Authenticate"))
			}
			secrets := append(atkSegments(tok.Raw), "alice", "Alice", tok.ID, "billing", tok.CSRF, `"roles"`)
			for name, values := range rec.Header() {
				atkNoLeak(t, "response header "+name, strings.Join(values, "\n"), secrets...)
			}
			atkNoLeak(t, "response body", rec.Body.String(), secrets...)

			// The event carries a reason code and, for a correctly signed
			// token, its jti and sub: never an unverified claim, never the
			// token.
			want := httpx.Event{Reason: tc.reason, Location: httpx.FromHeader, Method: http.MethodGet, Path: "/me", Err: tc.err}
			if tc.signed {
				want.Subject, want.TokenID = "alice", tok.ID
			}
			if diff := cmp.Diff([]httpx.Event{want}, s.events.all(), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			for _, ev := range s.events.all() {
				atkNoLeak(t, "the event", fmt.Sprintf("%+v", ev), atkSegments(tok.Raw)...)
				atkNoLeak(t, "the event error", ev.Err.Error(), atkSegments(tok.Raw)...)
			}
			logText := s.logText()
			if !strings.Contains(logText, `"reason":"`+string(tc.reason)+`"`) {
				t.Errorf("the log has no reason %q: %s", tc.reason, logText)
			}
			atkNoLeak(t, "the log", logText, atkSegments(tok.Raw)...)
		})
	}
	t.Run("D8/unknown-kid-and-bad-signature-are-byte-identical", func(t *testing.T) {
		t.Parallel()
		s := atkNewSite(t, httpx.WithLocations(httpx.FromHeader))
		bad := testutil.Serve(s.mux, newRequest(http.MethodGet, "/me", nil, bearer(failures[0].token(t, s.e).Raw)))
		unknown := testutil.Serve(s.mux, newRequest(http.MethodGet, "/me", nil, bearer(failures[1].token(t, s.e).Raw)))
		if bad.Code != unknown.Code {
			t.Errorf("status: bad signature %d, unknown kid %d", bad.Code, unknown.Code)
		}
		if diff := cmp.Diff(bad.Header(), unknown.Header()); diff != "" {
			t.Errorf("headers differ (-bad signature +unknown kid):\n%s", diff)
		}
		if !bytes.Equal(bad.Body.Bytes(), unknown.Body.Bytes()) {
			t.Errorf("bodies differ: %q and %q", bad.Body, unknown.Body)
		}
	})
}

// FuzzTokenLocations feeds arbitrary access-cookie and query values and
// JSON bodies to an Auth reading FromCookie, then FromQuery, then FromBody.
// It must never panic or answer 500, and it authenticates exactly when the
// value delivered by the first location holding one is one of the two
// valid tokens, byte for byte, as that token's user: two cookies of the
// name, or a body that is not one strict JSON object (see atkBodyToken)
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
			if delivered, bad = atkBodyToken(body); bad {
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

// atkBodyToken returns the access token a JSON body delivers, or bad for
// a body the middleware must refuse: over its 64 KiB limit, or not one
// strict JSON object (jsonobj.Object decides that, as it has its own fuzz
// target against a reference), or with a field that is neither a string
// nor null. The field itself is read with encoding/json, which agrees with
// a strict scanner on any body the scanner accepts.
func atkBodyToken(body string) (tok string, bad bool) {
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
