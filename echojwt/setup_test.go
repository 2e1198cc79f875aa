package echojwt_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"

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

// ghost is a subject the user store does not know.
const ghost = "ghost"

// users is the user store.
var users = map[string]User{
	"alice": {ID: "alice", Name: "Alice", Roles: []string{"admin"}},
	"bob":   {ID: "bob", Name: "Bob", Roles: []string{"reader"}},
}

// newEnv returns a test environment for User and Claims: tokens carry the
// roles and a csrf claim, and the verifier loads users from users.
func newEnv(tb testing.TB) *testutil.Env[User, Claims] {
	tb.Helper()
	return testutil.NewEnv[User, Claims](tb,
		testutil.WithIssuerOptions(
			jwtx.WithCSRF(true),
			jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
			jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
		),
		testutil.WithVerifierOptions(jwtx.WithUserLoader(func(_ context.Context, sub string) (User, error) {
			u, ok := users[sub]
			if !ok {
				return User{}, jwtx.ErrUserNotFound
			}
			return u, nil
		})),
	)
}

// userOf returns the stored user id, or a user the store does not know.
func userOf(id string) User {
	if u, ok := users[id]; ok {
		return u
	}
	return User{ID: id}
}

// errNotAdmin is the refusal of isAdmin.
var errNotAdmin = errors.New("not an admin")

// isAdmin is an authorization check.
func isAdmin(_ context.Context, c Claims, u User) error {
	if !slices.Contains(c.Roles, "admin") || !slices.Contains(u.Roles, "admin") {
		return errNotAdmin
	}
	return nil
}

// whoami is the body of a handler behind a guard: what it found.
type whoami struct {
	Sub  string `json:"sub,omitempty"`
	User string `json:"user,omitempty"`
}

// result is what a test asserts about a response.
type result struct {
	Status          int
	WWWAuthenticate string
	Msg             string // the msg, or echo's message, of a JSON body
	Who             whoami
	AccessToken     bool // the body carries an access_token
}

// resultOf reads a response.
func resultOf(tb testing.TB, resp *http.Response) result {
	tb.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("reading the response: %v", err)
	}
	var body struct {
		whoami
		Msg         string `json:"msg"`
		Message     string `json:"message"` // echo's default error handler
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(b, &body); len(b) > 0 && err != nil {
		tb.Fatalf("response body %q: %v", b, err)
	}
	return result{
		Status:          resp.StatusCode,
		WWWAuthenticate: resp.Header.Get("WWW-Authenticate"),
		Msg:             body.Msg + body.Message,
		Who:             body.whoami,
		AccessToken:     body.AccessToken != "",
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
