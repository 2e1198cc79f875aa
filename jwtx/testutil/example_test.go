package testutil_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// Claims are an application's typed claims.
type Claims struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles"`
}

// User is an application's user, as loaded from its database.
type User struct {
	ID    string
	Roles []string
}

// Test that a token expires after its lifetime, without sleeping: move the
// environment's clock instead.
func ExampleNewEnv() {
	t := &testing.T{} // in a test, the test's own t
	ctx := context.Background()

	env := testutil.NewEnv[string, Claims](t,
		testutil.WithIssuerOptions(jwtx.WithAccessTTL(10*time.Minute)))
	tok := env.Access(t, "alice")

	env.Clock.Advance(10*time.Minute - time.Second)
	_, user, err := env.Verifier.Verify(ctx, tok.Raw)
	fmt.Println(user, err)

	env.Clock.Advance(time.Second)
	_, _, err = env.Verifier.Verify(ctx, tok.Raw)
	fmt.Println(errors.Is(err, jwtx.ErrExpired))
	// Output:
	// alice <nil>
	// true
}

// A struct user needs the identity and user-loader functions the
// application uses.
func ExampleNewEnv_structUser() {
	t := &testing.T{} // in a test, the test's own t
	users := map[string]User{"u1": {ID: "u1", Roles: []string{"admin"}}}

	env := testutil.NewEnv[User, Claims](t,
		testutil.WithIssuerOptions(
			jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
			jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
		),
		testutil.WithVerifierOptions(
			jwtx.WithUserLoader(func(_ context.Context, sub string) (User, error) {
				if u, ok := users[sub]; ok {
					return u, nil
				}
				return User{}, jwtx.ErrUserNotFound
			}),
		),
	)
	claims, user, err := env.Verifier.Verify(context.Background(), env.Access(t, users["u1"]).Raw)
	fmt.Println(claims.Subject, claims.Roles, user.ID, err)
	// Output:
	// u1 [admin] u1 <nil>
}

// Forge a token with one flaw and check that the verifier refuses it for
// that reason.
func ExampleForger_Bad() {
	t := &testing.T{} // in a test, the test's own t
	env := testutil.NewEnv[jwtx.NoUser, Claims](t)

	for _, flaw := range []testutil.Flaw{testutil.Expired, testutil.Tampered, testutil.AlgNoneWithSignature} {
		_, _, err := env.Verifier.Verify(context.Background(), env.Forger.Bad(t, flaw))
		fmt.Printf("%s refused: %v, for the expected reason: %v\n", flaw, err != nil, errors.Is(err, flaw.Err()))
	}
	// Output:
	// Expired refused: true, for the expected reason: true
	// Tampered refused: true, for the expected reason: true
	// AlgNoneWithSignature refused: true, for the expected reason: true
}

// Compare the claims of a verified token with the expected ones, without
// the claims that change on every issue.
func ExampleIgnoreVolatile() {
	t := &testing.T{} // in a test, the test's own t
	env := testutil.NewEnv[string, Claims](t, testutil.WithIssuerOptions(
		jwtx.WithClaims(func(context.Context, string) (Claims, error) { return Claims{Roles: []string{"admin"}}, nil })))

	got, _, err := env.Verifier.Verify(context.Background(), env.Access(t, "alice").Raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	want := Claims{
		RegisteredClaims: jwtx.RegisteredClaims{
			Issuer:   testutil.DefaultIssuer,
			Subject:  "alice",
			Audience: jwtx.Audience{testutil.DefaultAudience},
			Type:     jwtx.Access,
			Fresh:    jwtx.FreshFlag(false),
		},
		Roles: []string{"admin"},
	}
	fmt.Printf("diff: %q\n", cmp.Diff(want, got, testutil.IgnoreVolatile()))
	// Output:
	// diff: ""
}

// Drive an httpx.Auth end to end with a bearer token and with cookies.
func ExampleBearerRequest() {
	t := &testing.T{} // in a test, the test's own t
	env := testutil.NewEnv[string, Claims](t, testutil.WithIssuerOptions(jwtx.WithCSRF(true)))
	auth, err := httpx.New(env.Verifier, httpx.WithLocations(httpx.FromHeader, httpx.FromCookie))
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("POST /notes", auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := jwtx.From[Claims](r.Context())
		fmt.Fprint(w, "note by ", claims.Subject)
	})))

	tok := env.Access(t, "alice")
	for _, r := range []*http.Request{
		testutil.BearerRequest(t, "POST", "/notes", tok.Raw),
		testutil.CookieRequest(t, "POST", "/notes", tok),
		testutil.BearerRequest(t, "POST", "/notes", env.Forger.Bad(t, testutil.ForeignKey)),
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			fmt.Println(rec.Code)
			continue
		}
		fmt.Println(rec.Code, rec.Body.String())
	}
	// Output:
	// 200 note by alice
	// 200 note by alice
	// 401
}
