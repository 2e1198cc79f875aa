package jwtx_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// User is an application's user, as loaded from its database.
type User struct {
	Name  string
	Roles []string
}

// Claims are the application's typed claims.
type Claims struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles"`
}

// exampleKey is a fixed HS256 secret for the examples. Real secrets come
// from a secret store and are at least 32 random bytes.
var exampleKey = []byte("example-secret-of-at-least-32-bytes!")

// exampleClock is the fixed time the examples run at.
func exampleClock() jwtx.Clock {
	return jwtx.ClockFunc(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) })
}

// Issue a token straight from a user struct and verify it back into typed
// claims and a typed user, with no map and no type assertion.
func Example() {
	ctx := context.Background()
	key, err := jwtx.NewKey(jwtx.HS256, exampleKey, jwtx.WithKeyID("k1"))
	if err != nil {
		panic(err)
	}
	users := map[string]User{"alice": {Name: "alice", Roles: []string{"admin"}}}

	iss, err := jwtx.NewIssuer[User, Claims](key,
		jwtx.WithClock(exampleClock()),
		jwtx.WithIdentity(func(u User) (string, error) { return u.Name, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) {
			return Claims{Roles: u.Roles}, nil
		}),
	)
	if err != nil {
		panic(err)
	}
	ver, err := jwtx.NewVerifier[User, Claims](key,
		jwtx.WithClock(exampleClock()),
		jwtx.WithUserLoader(func(_ context.Context, subject string) (User, error) {
			u, ok := users[subject]
			if !ok {
				return User{}, jwtx.ErrUserNotFound
			}
			return u, nil
		}),
	)
	if err != nil {
		panic(err)
	}

	tok, err := iss.Access(ctx, users["alice"])
	if err != nil {
		panic(err)
	}
	claims, user, err := ver.Verify(ctx, tok.Raw)
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.Subject, claims.Roles, claims.ExpiresAt.Sub(claims.IssuedAt.Time))
	fmt.Println(user.Name, user.Roles)

	// A refresh token is not an access token.
	refresh, err := iss.Refresh(ctx, users["alice"])
	if err != nil {
		panic(err)
	}
	_, _, err = ver.Verify(ctx, refresh.Raw)
	fmt.Println(errors.Is(err, jwtx.ErrTokenType))
	// Output:
	// alice [admin] 15m0s
	// alice [admin]
	// true
}
