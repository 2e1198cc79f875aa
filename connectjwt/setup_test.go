package connectjwt_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
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

// Subjects the user store treats specially.
const (
	ghost  = "ghost"  // no such user
	broken = "broken" // the user store fails
)

// users is the user store.
var users = map[string]User{
	"alice": {ID: "alice", Name: "Alice", Roles: []string{"admin"}},
	"bob":   {ID: "bob", Name: "Bob", Roles: []string{"reader"}},
}

// newEnv returns a test environment for User and Claims whose verifier
// loads users from users; opts go to the verifier.
func newEnv(tb testing.TB, opts ...jwtx.VerifierOption) *testutil.Env[User, Claims] {
	tb.Helper()
	load := jwtx.WithUserLoader(func(_ context.Context, sub string) (User, error) {
		if sub == broken {
			return User{}, errors.New("db: connection refused")
		}
		u, ok := users[sub]
		if !ok {
			return User{}, jwtx.ErrUserNotFound
		}
		return u, nil
	})
	return testutil.NewEnv[User, Claims](tb,
		testutil.WithIssuerOptions(
			jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
			jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
		),
		testutil.WithVerifierOptions(append([]jwtx.VerifierOption{load}, opts...)...),
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

// service is the test service: Connect handlers on the well-known
// emptypb and wrapperspb messages, no generated code.
const service = "/typedjwt.test.Who/"

// who describes what the context of a handler holds.
func who(ctx context.Context) string {
	c, ok := jwtx.From[Claims](ctx)
	if !ok {
		return "anonymous"
	}
	u, _ := jwtx.UserFrom[User](ctx)
	return c.Subject + "/" + u.Name
}
