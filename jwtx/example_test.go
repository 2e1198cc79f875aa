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

// exampleSecret is a fixed HS256 secret for the examples. Real secrets come
// from a secret store and are at least 32 random bytes.
const exampleSecret = "example-secret-of-at-least-32-bytes!"

// exampleClock is the fixed time the examples run at. The examples show
// application code, which does not import testutil, so it is a plain
// jwtx.ClockFunc rather than a testutil.Clock.
func exampleClock() jwtx.Clock {
	return jwtx.ClockFunc(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) })
}

// Issue a token straight from a user struct and verify it back into typed
// claims and a typed user, with no map and no type assertion.
func Example() {
	ctx := context.Background()
	key, err := jwtx.NewKey(jwtx.HS256, []byte(exampleSecret), jwtx.WithKeyID("k1"))
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

// Add claims to one token: a typed change through Modify and untyped extras
// through ExtraClaims, which win on a tie; override the audience and expiry.
func ExampleExtraClaims() {
	ctx := context.Background()
	key, err := jwtx.NewKey(jwtx.HS256, []byte(exampleSecret))
	if err != nil {
		panic(err)
	}
	iss, err := jwtx.NewIssuer[User, Claims](key,
		jwtx.WithClock(exampleClock()),
		jwtx.WithAudience("api"),
		jwtx.WithIdentity(func(u User) (string, error) { return u.Name, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) {
			return Claims{Roles: u.Roles}, nil
		}),
	)
	if err != nil {
		panic(err)
	}
	tok, err := iss.Access(ctx, User{Name: "bob", Roles: []string{"user"}},
		iss.Modify(func(c *Claims) { c.Roles = append(c.Roles, "beta") }),
		jwtx.ExtraClaims(map[string]any{"tenant": "acme"}),
		jwtx.ForAudience("billing"),
		jwtx.ExpiresIn(time.Hour),
	)
	if err != nil {
		panic(err)
	}

	ver, err := jwtx.NewClaimsVerifier[Claims](key, jwtx.WithClock(exampleClock()), jwtx.WithAudience("billing"))
	if err != nil {
		panic(err)
	}
	claims, raw, err := ver.VerifyClaims(ctx, tok.Raw, jwtx.ExpectAccess)
	if err != nil {
		panic(err)
	}
	all, err := raw.Map()
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.Roles, claims.Audience, claims.ExpiresAt.Sub(claims.IssuedAt.Time), all["tenant"])

	// Reserved claims cannot be set by accident.
	_, err = iss.Access(ctx, User{Name: "bob"}, jwtx.ExtraClaims(map[string]any{"sub": "root"}))
	fmt.Println(errors.Is(err, jwtx.ErrReservedClaim))
	// Output:
	// [user beta] [billing] 1h0m0s acme
	// true
}

// Change the typed claims of one token: the compiler checks that the
// function takes the Issuer's claims type.
func ExampleIssuer_Modify() {
	key, err := jwtx.NewKey(jwtx.HS256, []byte(exampleSecret))
	if err != nil {
		panic(err)
	}
	iss, err := jwtx.NewIssuer[User, Claims](key, jwtx.WithClock(exampleClock()),
		jwtx.WithIdentity(func(u User) (string, error) { return u.Name, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
	)
	if err != nil {
		panic(err)
	}
	// Right after a password check with a second factor: a fact about this
	// login, not about the user.
	tok, err := iss.Access(context.Background(), User{Name: "alice", Roles: []string{"admin"}},
		iss.Modify(func(c *Claims) { c.Roles = append(c.Roles, "mfa") }))
	if err != nil {
		panic(err)
	}
	ver, err := jwtx.NewClaimsVerifier[Claims](key, jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	c, _, err := ver.Verify(context.Background(), tok.Raw)
	fmt.Println(c.Subject, c.Roles, err)
	// Output:
	// alice [admin mfa] <nil>
}

// Load the user of a token with a UserLoader; a missing user is its own
// error, distinct from a failure of the store.
func ExampleWithUserLoader() {
	ctx := context.Background()
	key, err := jwtx.NewKey(jwtx.HS256, []byte(exampleSecret))
	if err != nil {
		panic(err)
	}
	store := map[string]User{"alice": {Name: "alice", Roles: []string{"admin"}}}
	ver, err := jwtx.NewVerifier[User, Claims](key,
		jwtx.WithClock(exampleClock()),
		jwtx.WithUserLoader(func(ctx context.Context, subject string) (User, error) {
			claims, _ := jwtx.From[Claims](ctx) // the verified claims are in the loader's context
			u, ok := store[subject]
			if !ok {
				return User{}, fmt.Errorf("no user %q with roles %v: %w", subject, claims.Roles, jwtx.ErrUserNotFound)
			}
			return u, nil
		}),
	)
	if err != nil {
		panic(err)
	}
	iss, err := jwtx.NewIssuer[string, Claims](key, jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"alice", "mallory"} {
		tok, err := iss.Access(ctx, name)
		if err != nil {
			panic(err)
		}
		_, user, err := ver.Verify(ctx, tok.Raw)
		var ue *jwtx.UserError
		switch {
		case err == nil:
			fmt.Println("loaded", user.Name)
		case errors.As(err, &ue) && errors.Is(err, jwtx.ErrUserNotFound):
			fmt.Println("no such user", ue.Subject)
		default:
			fmt.Println("error", err)
		}
	}
	// Output:
	// loaded alice
	// no such user mallory
}

// Verify tokens without any user type: one line.
func ExampleNewClaimsVerifier() {
	key, err := jwtx.NewKey(jwtx.HS256, []byte(exampleSecret))
	if err != nil {
		panic(err)
	}
	ver, err := jwtx.NewClaimsVerifier[Claims](key, jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	_, _, err = ver.Verify(context.Background(), "not.a.token")
	fmt.Println(errors.Is(err, jwtx.ErrMalformed))
	// Output: true
}

// Handlers read the verified claims and user from the context, typed.
func ExampleFrom() {
	claims := Claims{RegisteredClaims: jwtx.RegisteredClaims{Subject: "alice"}, Roles: []string{"admin"}}
	ctx := jwtx.NewContext(context.Background(), claims, User{Name: "alice"})

	c, ok := jwtx.From[Claims](ctx)
	fmt.Println(c.Subject, c.Roles, ok)
	u, ok := jwtx.UserFrom[User](ctx)
	fmt.Println(u.Name, ok)
	// Output:
	// alice [admin] true
	// alice true
}

// Mark a token fresh right after a password check; routes that change the
// password ask for a fresh token.
func ExampleVerifier_VerifyFresh() {
	ctx := context.Background()
	key, err := jwtx.NewKey(jwtx.HS256, []byte(exampleSecret))
	if err != nil {
		panic(err)
	}
	iss, err := jwtx.NewIssuer[string, Claims](key, jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	ver, err := jwtx.NewClaimsVerifier[Claims](key, jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	afterLogin, _ := iss.Access(ctx, "alice", jwtx.FreshFor(10*time.Minute))
	afterRefresh, _ := iss.Access(ctx, "alice")
	_, _, err = ver.VerifyFresh(ctx, afterLogin.Raw)
	fmt.Println(err)
	_, _, err = ver.VerifyFresh(ctx, afterRefresh.Raw)
	fmt.Println(errors.Is(err, jwtx.ErrNotFresh))
	// Output:
	// <nil>
	// true
}

// Cache users so that the store is asked once per user per TTL, not once
// per request.
func ExampleNewUserCache() {
	ctx := context.Background()
	queries := 0
	cache, err := jwtx.NewUserCache(func(_ context.Context, subject string) (User, error) {
		queries++ // a database query in a real application
		return User{Name: subject}, nil
	}, jwtx.WithCacheTTL(time.Minute), jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	key, err := jwtx.NewKey(jwtx.HS256, []byte(exampleSecret))
	if err != nil {
		panic(err)
	}
	ver, err := jwtx.NewVerifier[User, Claims](key, jwtx.WithClock(exampleClock()), jwtx.WithUserLoader(cache.Load))
	if err != nil {
		panic(err)
	}
	iss, err := jwtx.NewIssuer[string, Claims](key, jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	tok, err := iss.Access(ctx, "alice")
	if err != nil {
		panic(err)
	}
	for range 100 {
		if _, _, err := ver.Verify(ctx, tok.Raw); err != nil {
			panic(err)
		}
	}
	cache.Invalidate("alice") // her roles changed
	if _, _, err := ver.Verify(ctx, tok.Raw); err != nil {
		panic(err)
	}
	fmt.Println(queries)
	// Output: 2
}

// Rotate the signing key: tokens signed with the old key keep verifying
// until it retires.
func ExampleKeyRing_Rotate() {
	ctx := context.Background()
	first, err := jwtx.NewKey(jwtx.HS256, []byte("first-secret-of-at-least-32-bytes!!"), jwtx.WithKeyID("2026-01"))
	if err != nil {
		panic(err)
	}
	second, err := jwtx.NewKey(jwtx.HS256, []byte("second-secret-of-at-least-32-bytes!"), jwtx.WithKeyID("2026-02"))
	if err != nil {
		panic(err)
	}
	ring, err := jwtx.NewKeyRing(first, jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	iss, err := jwtx.NewIssuer[string, Claims](ring, jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	ver, err := jwtx.NewClaimsVerifier[Claims](ring, jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	old, _ := iss.Access(ctx, "alice")
	if err := ring.Rotate(second, jwtx.DefaultAccessTTL); err != nil {
		panic(err)
	}
	fresh, _ := iss.Access(ctx, "alice")
	_, _, errOld := ver.Verify(ctx, old.Raw)
	_, _, errNew := ver.Verify(ctx, fresh.Raw)
	fmt.Println(ring.Active().ID(), errOld, errNew)
	// Output: 2026-02 <nil> <nil>
}

// Revoke a token at logout; the verifier asks the store after every other
// check and refuses revoked tokens.
func ExampleNewMemoryStore() {
	ctx := context.Background()
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	key, err := jwtx.NewKey(jwtx.HS256, []byte(exampleSecret))
	if err != nil {
		panic(err)
	}
	iss, err := jwtx.NewIssuer[string, Claims](key, jwtx.WithClock(exampleClock()))
	if err != nil {
		panic(err)
	}
	ver, err := jwtx.NewClaimsVerifier[Claims](key, jwtx.WithClock(exampleClock()), jwtx.WithRevocation(store))
	if err != nil {
		panic(err)
	}
	tok, _ := iss.Access(ctx, "alice")
	claims, _, err := ver.Verify(ctx, tok.Raw)
	if err != nil {
		panic(err)
	}
	if err := store.Revoke(ctx, claims.Info()); err != nil { // logout
		panic(err)
	}
	_, _, err = ver.Verify(ctx, tok.Raw)
	fmt.Println(errors.Is(err, jwtx.ErrRevoked))
	// Output: true
}
