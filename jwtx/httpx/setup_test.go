package httpx_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// Fixed test-only secrets, never used outside these tests.
const (
	testSecret     = "httpx-test-secret-of-at-least-32-bytes"
	attackerSecret = "attacker-secret-also-at-least-32-bytes"
)

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

// epoch is the time every test starts at.
func epoch() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC) }

// testClock is a per-test clock that only moves when the test moves it.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// env is an Issuer and a Verifier sharing a key and a clock, with a user
// loader that counts its calls.
type env struct {
	clock *testClock
	key   *jwtx.Key
	iss   *jwtx.Issuer[User, Claims]
	ver   *jwtx.Verifier[User, Claims]
	loads atomic.Int64
}

// newEnv builds an env on the test secret; opts go to the Verifier.
func newEnv(tb testing.TB, opts ...jwtx.VerifierOption) *env {
	tb.Helper()
	return newEnvSecret(tb, testSecret, opts...)
}

// newEnvSecret builds an env whose key is secret, always with kid "k1", so
// an env on attackerSecret forges tokens the real one must refuse.
func newEnvSecret(tb testing.TB, secret string, opts ...jwtx.VerifierOption) *env {
	tb.Helper()
	e := &env{clock: &testClock{now: epoch()}}
	key, err := jwtx.NewKey(jwtx.HS256, []byte(secret), jwtx.WithKeyID("k1"))
	if err != nil {
		tb.Fatalf("NewKey: %v", err)
	}
	e.key = key
	clock := jwtx.WithClock(jwtx.ClockFunc(e.clock.Now))
	e.iss, err = jwtx.NewIssuer[User, Claims](key, clock,
		jwtx.WithCSRF(true),
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) {
			return Claims{Roles: u.Roles}, nil
		}),
	)
	if err != nil {
		tb.Fatalf("NewIssuer: %v", err)
	}
	vopts := append([]jwtx.VerifierOption{clock, jwtx.WithUserLoader(e.load)}, opts...)
	e.ver, err = jwtx.NewVerifier[User, Claims](key, vopts...)
	if err != nil {
		tb.Fatalf("NewVerifier: %v", err)
	}
	return e
}

// load is the UserLoader: the test users, ghost missing, broken failing.
func (e *env) load(_ context.Context, subject string) (User, error) {
	e.loads.Add(1)
	if subject == brokenSubject {
		return User{}, errors.New(loaderFailure)
	}
	u, ok := testUsers()[subject]
	if !ok {
		return User{}, jwtx.ErrUserNotFound
	}
	return u, nil
}

// at sets the clock and returns e, for chaining.
func (e *env) at(t time.Time) *env {
	e.clock.Set(t)
	return e
}

// access issues an access token for the user id at the current time.
func (e *env) access(tb testing.TB, id string, opts ...jwtx.IssueOption) jwtx.Token {
	tb.Helper()
	tok, err := e.iss.Access(context.Background(), userOf(id), opts...)
	if err != nil {
		tb.Fatalf("Access(%q): %v", id, err)
	}
	return tok
}

// refresh issues a refresh token for the user id at the current time.
func (e *env) refresh(tb testing.TB, id string, opts ...jwtx.IssueOption) jwtx.Token {
	tb.Helper()
	tok, err := e.iss.Refresh(context.Background(), userOf(id), opts...)
	if err != nil {
		tb.Fatalf("Refresh(%q): %v", id, err)
	}
	return tok
}

// auth builds an Auth on the env's Verifier.
func (e *env) auth(tb testing.TB, opts ...httpx.Option) *httpx.Auth[User, Claims] {
	tb.Helper()
	a, err := httpx.New(e.ver, opts...)
	if err != nil {
		tb.Fatalf("httpx.New: %v", err)
	}
	return a
}

// whoami answers what the request context holds: the claims' subject and
// roles, the user's name and the raw claims' sub, each only when present.
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

// serve runs r through h and returns the recorded response.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// do runs r through h and returns the result.
func do(tb testing.TB, h http.Handler, r *http.Request) result {
	tb.Helper()
	return resultOf(tb, serve(h, r).Result())
}

// reqOption adjusts a test request.
type reqOption func(*http.Request)

// bearer adds "Authorization: Bearer <tok>".
func bearer(tok string) reqOption { return header("Authorization", "Bearer "+tok) }

// header adds a header line.
func header(name, value string) reqOption {
	return func(r *http.Request) { r.Header.Add(name, value) }
}

// cookie adds name=value to the Cookie header as is, without the
// sanitising of http.Request.AddCookie.
func cookie(name, value string) reqOption {
	return func(r *http.Request) {
		if c := r.Header.Get("Cookie"); c != "" {
			r.Header.Set("Cookie", c+"; "+name+"="+value)
			return
		}
		r.Header.Set("Cookie", name+"="+value)
	}
}

// newRequest builds a server request.
func newRequest(method, target string, body io.Reader, opts ...reqOption) *http.Request {
	r := httptest.NewRequest(method, target, body)
	for _, o := range opts {
		o(r)
	}
	return r
}

// signature returns the signature segment of a compact token.
func signature(tok string) string { return tok[strings.LastIndexByte(tok, '.')+1:] }

// payload returns the decoded payload of a compact token.
func payload(tb testing.TB, tok string) []byte {
	tb.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		tb.Fatalf("token has %d segments", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		tb.Fatalf("payload: %v", err)
	}
	return b
}

// withPayload returns tok with its payload replaced and its signature kept,
// so that the signature no longer matches (C11).
func withPayload(tok string, payload []byte) string {
	parts := strings.Split(tok, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

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

// memStore is a revocation store keyed by jti: a jwtx.Revoker and a
// jwtx.RevocationChecker. checkErr and revokeErr make it fail.
type memStore struct {
	mu        sync.Mutex
	revoked   map[string]jwtx.TokenInfo
	checkErr  error
	revokeErr error
}

func newMemStore() *memStore { return &memStore{revoked: map[string]jwtx.TokenInfo{}} }

func (s *memStore) Revoke(_ context.Context, info jwtx.TokenInfo) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revokeErr != nil {
		return s.revokeErr
	}
	s.revoked[info.ID] = info
	return nil
}

func (s *memStore) Revoked(_ context.Context, info jwtx.TokenInfo) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.checkErr != nil {
		return false, s.checkErr
	}
	_, ok := s.revoked[info.ID]
	return ok, nil
}

// has reports whether the jti is revoked.
func (s *memStore) has(jti string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.revoked[jti]
	return ok
}

// Compile-time checks that memStore is both kinds of store.
var (
	_ jwtx.Revoker           = (*memStore)(nil)
	_ jwtx.RevocationChecker = (*memStore)(nil)
)

// jtiOf returns the jti of a token issued by an env.
func jtiOf(tb testing.TB, tok string) string {
	tb.Helper()
	var c struct {
		ID string `json:"jti"`
	}
	if err := json.Unmarshal(payload(tb, tok), &c); err != nil {
		tb.Fatalf("payload: %v", err)
	}
	return c.ID
}

// failingIssuer is an Issuer on the env's key whose ClaimsFunc fails.
func (e *env) failingIssuer(tb testing.TB) *jwtx.Issuer[User, Claims] {
	tb.Helper()
	iss, err := jwtx.NewIssuer[User, Claims](e.key, jwtx.WithClock(jwtx.ClockFunc(e.clock.Now)),
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
		jwtx.WithClaims(func(context.Context, User) (Claims, error) { return Claims{}, errors.New(loaderFailure) }),
	)
	if err != nil {
		tb.Fatalf("NewIssuer: %v", err)
	}
	return iss
}

func refusedUnavailable() result {
	return result{Status: http.StatusServiceUnavailable, Body: msg("try again later")}
}

// storeEnv is a testutil environment whose Issuer puts a csrf claim in
// every token, and whose Verifier asks store, which reads the
// environment's clock, about revocations.
type storeEnv struct {
	*testutil.Env[string, jwtx.RegisteredClaims]
	store *jwtx.MemoryStore
}

// newStoreEnv builds a storeEnv; opts go to the Issuer.
func newStoreEnv(tb testing.TB, opts ...jwtx.IssuerOption) *storeEnv {
	tb.Helper()
	se := &storeEnv{}
	// The store reads the environment's clock, which exists once the
	// environment does; nothing asks the store before that.
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return se.Clock.Now() })))
	if err != nil {
		tb.Fatalf("NewMemoryStore: %v", err)
	}
	se.store = store
	se.Env = testutil.NewEnv[string, jwtx.RegisteredClaims](tb,
		testutil.WithIssuerOptions(append([]jwtx.IssuerOption{jwtx.WithCSRF(true)}, opts...)...),
		testutil.WithVerifierOptions(jwtx.WithRevocation(store)),
	)
	return se
}

// auth builds an Auth on the environment's Verifier that revokes in its
// store at logout.
func (se *storeEnv) auth(tb testing.TB, opts ...httpx.Option) *httpx.Auth[string, jwtx.RegisteredClaims] {
	tb.Helper()
	a, err := httpx.New(se.Verifier, append([]httpx.Option{httpx.WithRevoker(se.store)}, opts...)...)
	if err != nil {
		tb.Fatalf("httpx.New: %v", err)
	}
	return a
}

// revoked reports whether the store refuses tok, a token of the wanted
// kind that verifies otherwise.
func (se *storeEnv) revoked(tb testing.TB, tok string, want jwtx.Expect) bool {
	tb.Helper()
	ctx := context.Background()
	_, _, err := se.Verifier.VerifyClaims(ctx, tok, want)
	var te *jwtx.TokenError
	switch {
	case err == nil:
		return false
	case errors.Is(err, jwtx.ErrRevoked):
		return true
	case errors.Is(err, jwtx.ErrExpired) && errors.As(err, &te):
		revoked, err := se.store.Revoked(ctx, te.Token)
		if err != nil {
			tb.Fatalf("Revoked: %v", err)
		}
		return revoked
	}
	tb.Fatalf("VerifyClaims: %v", err)
	return false
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
