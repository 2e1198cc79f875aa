package httpx_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// User is the application's user type in these tests.
type User struct {
	ID    string
	Name  string
	Roles []string
}

// Claims are the typed claims of these tests.
type Claims struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles,omitempty"`
}

// Subjects the user loader treats specially.
const (
	ghostSubject  = "ghost"  // no such user: jwtx.ErrUserNotFound
	brokenSubject = "broken" // the user store fails
	// loaderFailure is the text of the store's error; it must reach no
	// response.
	loaderFailure = "db: dial postgres://app:hunter2@db.internal failed"
)

// Default cookie names of a secure Auth.
const (
	accessCookie      = "__Host-access_token"
	refreshCookie     = "__Secure-refresh_token"
	accessCSRFCookie  = "__Host-csrf_access_token"
	refreshCSRFCookie = "__Host-csrf_refresh_token"
)

// testUsers is the user store.
func testUsers() map[string]User {
	return map[string]User{
		"alice": {ID: "alice", Name: "Alice", Roles: []string{"admin"}},
		"bob":   {ID: "bob", Name: "Bob", Roles: []string{"reader"}},
	}
}

// userOf returns the stored user id, or a user the store does not know.
func userOf(id string) User {
	if u, ok := testUsers()[id]; ok {
		return u
	}
	return User{ID: id}
}

// appEnv is the application these tests protect, on a testutil.Env: users
// of type User whose roles go in their tokens' claims, a csrf claim in
// every token, and the user store of testUsers behind the Verifier. The
// store is the application's own, not testutil's: it knows ghost and
// broken, and counts its loads. The key is HS256 under kid "k1", so that
// an attacker's env (see attacker) signs under the same kid.
type appEnv struct {
	*testutil.Env[User, Claims]
	loads *atomic.Int64 // calls of the user loader
}

// newEnv builds an appEnv on a clock of its own; opts go to the Verifier.
func newEnv(tb testing.TB, opts ...jwtx.VerifierOption) *appEnv {
	tb.Helper()
	return newEnvOn(tb, testutil.NewKey(tb, jwtx.HS256, testutil.WithKeyID("k1")), nil, opts...)
}

// newEnvOn builds an appEnv on key that reads clock, or a clock of its own
// when clock is nil; opts go to the Verifier.
func newEnvOn(tb testing.TB, key *testutil.Key, clock *testutil.Clock, opts ...jwtx.VerifierOption) *appEnv {
	tb.Helper()
	loads := new(atomic.Int64)
	envOpts := []testutil.EnvOption{
		testutil.WithKey(key),
		testutil.WithIssuerOptions(jwtx.WithCSRF(true), jwtx.WithIdentity(userID),
			jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil })),
		testutil.WithVerifierOptions(append([]jwtx.VerifierOption{jwtx.WithUserLoader(loadUser(loads))}, opts...)...),
	}
	if clock != nil {
		envOpts = append(envOpts, testutil.WithClock(clock))
	}
	return &appEnv{Env: testutil.NewEnv[User, Claims](tb, envOpts...), loads: loads}
}

// userID is the application's IdentityFunc.
func userID(u User) (string, error) { return u.ID, nil }

// loadUser returns the application's UserLoader: the users of testUsers,
// ghost missing, broken failing. It counts its calls in loads.
func loadUser(loads *atomic.Int64) jwtx.UserLoader[User] {
	return func(_ context.Context, subject string) (User, error) {
		loads.Add(1)
		if subject == brokenSubject {
			return User{}, errors.New(loaderFailure)
		}
		u, ok := testUsers()[subject]
		if !ok {
			return User{}, jwtx.ErrUserNotFound
		}
		return u, nil
	}
}

// attacker returns the same application on an attacker's HS256 key under
// kid, reading e's clock. Its tokens carry every claim e's do and fail
// only at e's Verifier: their signature under kid "k1", their key lookup
// under any other kid.
func (e *appEnv) attacker(tb testing.TB, kid string) *appEnv {
	tb.Helper()
	return newEnvOn(tb, testutil.NewKey(tb, jwtx.HS256, testutil.WithSeed("attacker"), testutil.WithKeyID(kid)), e.Clock)
}

// access issues an access token for the user id at the env's time.
func (e *appEnv) access(tb testing.TB, id string, opts ...jwtx.IssueOption) jwtx.Token {
	tb.Helper()
	return e.Access(tb, userOf(id), opts...)
}

// refresh issues a refresh token for the user id at the env's time.
func (e *appEnv) refresh(tb testing.TB, id string, opts ...jwtx.IssueOption) jwtx.Token {
	tb.Helper()
	return e.Refresh(tb, userOf(id), opts...)
}

// sibling returns another testutil.Env on e's key and clock, whose Issuer
// agrees with e's Verifier (testutil sets iss, aud and the header types
// alike) and has the application's IdentityFunc and opts only: its tokens
// carry no csrf or roles claim unless opts add one.
func (e *appEnv) sibling(tb testing.TB, opts ...jwtx.IssuerOption) *testutil.Env[User, Claims] {
	tb.Helper()
	return testutil.NewEnv[User, Claims](tb, testutil.WithKey(e.Key), testutil.WithClock(e.Clock),
		testutil.WithIssuerOptions(append([]jwtx.IssuerOption{jwtx.WithIdentity(userID)}, opts...)...),
		testutil.WithVerifierOptions(jwtx.WithUserLoader(loadUser(new(atomic.Int64)))))
}

// failingIssuer is an Issuer on the env's key and clock whose ClaimsFunc
// fails.
func (e *appEnv) failingIssuer(tb testing.TB) *jwtx.Issuer[User, Claims] {
	tb.Helper()
	return e.sibling(tb, jwtx.WithClaims(func(context.Context, User) (Claims, error) { return Claims{}, errors.New(loaderFailure) })).Issuer
}

// reproducible returns a sibling of e whose tokens are the same in every
// process: their jti and csrf come from zeros, their times from e's clock.
// Fuzz targets need it, since the fuzzing workers run the setup again.
func (e *appEnv) reproducible(tb testing.TB) *testutil.Env[User, Claims] {
	tb.Helper()
	return e.sibling(tb, jwtx.WithRandom(zeros{}))
}

// zeros is a random source of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// whoami answers what the request context holds: the claims' subject and
// the user's name, each only when present.
func whoami(w http.ResponseWriter, r *http.Request) {
	body := map[string]any{}
	if c, ok := jwtx.From[Claims](r.Context()); ok {
		body["sub"] = c.Subject
	}
	if u, ok := jwtx.UserFrom[User](r.Context()); ok {
		body["user"] = u.Name
	}
	httpx.WriteJSON(w, http.StatusOK, body)
}

// result is what a test asserts about a response.
type result struct {
	Status          int
	WWWAuthenticate string
	Body            map[string]any
}

// msg is the JSON body {"msg": text}.
func msg(text string) map[string]any { return map[string]any{"msg": text} }

// okAs is the whoami answer for an authenticated user.
func okAs(sub, name string) result {
	return result{Status: http.StatusOK, Body: map[string]any{"sub": sub, "user": name}}
}

// anonymous is the whoami answer without a token.
func anonymous() result { return result{Status: http.StatusOK, Body: map[string]any{}} }

// challengeMissing is the WWW-Authenticate of a request without a token.
const challengeMissing = `Bearer realm="api"`

// challenge is an RFC 6750 challenge with an error code.
func challenge(code, desc string) string {
	return `Bearer realm="api", error="` + code + `", error_description="` + desc + `"`
}

// The default refusals.
func refusedMissing() result {
	return result{Status: http.StatusUnauthorized, WWWAuthenticate: challengeMissing, Body: msg("missing token")}
}

func refusedBadRequest() result {
	return result{Status: http.StatusBadRequest, WWWAuthenticate: challenge("invalid_request", "malformed token request"), Body: msg("malformed token request")}
}

func refusedToken(desc string) result {
	return result{Status: http.StatusUnauthorized, WWWAuthenticate: challenge("invalid_token", desc), Body: msg(desc)}
}

func refusedCSRF() result {
	return result{Status: http.StatusForbidden, Body: msg("CSRF token missing or incorrect")}
}

func refusedForbidden() result {
	return result{Status: http.StatusForbidden, WWWAuthenticate: challenge("insufficient_scope", "forbidden"), Body: msg("forbidden")}
}

func refusedInternal() result {
	return result{Status: http.StatusInternalServerError, Body: msg("internal error")}
}

// resultOf reads a response into a result. The body must be JSON.
func resultOf(tb testing.TB, resp *http.Response) result {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("reading the response body: %v", err)
	}
	res := result{Status: resp.StatusCode, WWWAuthenticate: resp.Header.Get("WWW-Authenticate")}
	if err := json.Unmarshal(b, &res.Body); err != nil {
		tb.Fatalf("response body %q is not a JSON object: %v", b, err)
	}
	return res
}

// do runs r through h and returns the result.
func do(tb testing.TB, h http.Handler, r *http.Request) result {
	tb.Helper()
	return resultOf(tb, testutil.Serve(h, r).Result())
}

// reqOption adjusts a test request, so that a table case can list what
// its request carries; the options put testutil's request helpers in that
// form.
type reqOption func(*http.Request)

// bearer sets "Authorization: Bearer <tok>".
func bearer(tok string) reqOption { return func(r *http.Request) { testutil.SetBearer(r, tok) } }

// header adds a header line.
func header(name, value string) reqOption {
	return func(r *http.Request) { r.Header.Add(name, value) }
}

// cookie adds name=value to the Cookie header as is (testutil.AddRawCookie).
func cookie(name, value string) reqOption {
	return func(r *http.Request) { testutil.AddRawCookie(r, name, value) }
}

// newRequest builds a server request.
func newRequest(method, target string, body io.Reader, opts ...reqOption) *http.Request {
	r := httptest.NewRequest(method, target, body)
	for _, o := range opts {
		o(r)
	}
	return r
}

// requestCase is a row of a requestTable: a request built from alice's and
// bob's access tokens, and the result the routes must give it.
type requestCase struct {
	name    string
	opts    []httpx.Option // for the Auth, after the table's
	request func(tb testing.TB, alice, bob jwtx.Token) *http.Request
	want    result
}

// requestTable runs the table tests that send one request to routes
// guarded by an Auth and compare the result.
type requestTable struct {
	routes func(a *httpx.Auth[User, Claims]) http.Handler
	opts   []httpx.Option     // for every case's Auth
	issue  []jwtx.IssueOption // for alice's token
	noLeak bool               // no response may carry alice's token
}

// run runs each case in a parallel subtest on an env of its own, which
// issues alice's and bob's tokens.
func (tt requestTable) run(t *testing.T, cases []requestCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			alice, bob := e.access(t, "alice", tt.issue...), e.access(t, "bob")
			r := tc.request(t, alice, bob)
			h := tt.routes(e.Auth(t, append(slices.Clone(tt.opts), tc.opts...)...))
			rec := testutil.Serve(h, r)
			if diff := cmp.Diff(tc.want, resultOf(t, rec.Result())); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", r.Method, r.URL, diff)
			}
			if tt.noLeak {
				checkNoLeak(t, rec, alice.Raw)
			}
		})
	}
}

// meRoute serves whoami on GET /me behind Required.
func meRoute(a *httpx.Auth[User, Claims]) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /me", a.Required(http.HandlerFunc(whoami)))
	return mux
}

// signature returns the signature segment of a compact token.
func signature(tok string) string { return tok[strings.LastIndexByte(tok, '.')+1:] }

// checkNoLeak fails when the body or a header of rec carries the token or
// its signature segment.
func checkNoLeak(tb testing.TB, rec *httptest.ResponseRecorder, tok string) {
	tb.Helper()
	secrets := []string{tok, signature(tok)}
	for _, s := range secrets {
		if strings.Contains(rec.Body.String(), s) {
			tb.Errorf("response body %q carries the token", rec.Body.String())
		}
		for name, values := range rec.Header() {
			for _, v := range values {
				if strings.Contains(v, s) {
					tb.Errorf("response header %s: %q carries the token", name, v)
				}
			}
		}
	}
}

// eventLog records events, safe for concurrent use.
type eventLog struct {
	mu     sync.Mutex
	events []httpx.Event
}

func (l *eventLog) record(_ context.Context, e httpx.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []httpx.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]httpx.Event(nil), l.events...)
}

// jtiOf returns the jti of a token issued by an env.
func jtiOf(tb testing.TB, tok string) string {
	tb.Helper()
	var c struct {
		ID string `json:"jti"`
	}
	if err := json.Unmarshal(testutil.Payload(tb, tok), &c); err != nil {
		tb.Fatalf("payload: %v", err)
	}
	return c.ID
}

func refusedUnavailable() result {
	return result{Status: http.StatusServiceUnavailable, Body: msg("try again later")}
}

// statusAndMsg is what the tests below assert about a response.
type statusAndMsg struct {
	Status int
	Msg    string
}

func statusAndMsgOf(tb testing.TB, rec *httptest.ResponseRecorder) statusAndMsg {
	tb.Helper()
	var body struct {
		Msg string `json:"msg"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		tb.Fatalf("response body %q: %v", rec.Body, err)
	}
	return statusAndMsg{Status: rec.Code, Msg: body.Msg}
}
