// Command complex-objects builds tokens from a user struct. POST /login
// checks a password against an in-memory user store and hands the User to
// the Issuer: its IdentityFunc makes the subject (the user's stable ID, not
// the login name) and its ClaimsFunc the typed claims (the roles). GET /me
// reads them back with jwtx.From[Claims]; the service trusts the token and
// never touches the user store for it.
//
// The server listens on loopback only, with an ES256 key generated at
// start-up, so its tokens die with the process:
//
//	go run ./examples/complex-objects [-addr 127.0.0.1:8080]
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/typedjwt/typedjwt/examples/internal/demo"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Claims are the typed claims of an access token.
type Claims struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles"`
}

// newServer returns the API: POST /login and GET /me. Tokens are signed
// with key and timed by clock.
func newServer(key *jwtx.Key, clock jwtx.Clock, users *demo.Users[User]) (http.Handler, error) {
	clk := jwtx.WithClock(clock)
	iss, err := jwtx.NewIssuer[User, Claims](key, clk,
		// user -> sub: the ID, which never changes, rather than the name.
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
		// user -> claims: everything else the token says about the user.
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) {
			return Claims{Roles: u.Roles}, nil
		}),
	)
	if err != nil {
		return nil, err
	}
	// GET /me needs only what the token says, so the verifier loads no user.
	ver, err := jwtx.NewClaimsVerifier[Claims](key.Public(), clk)
	if err != nil {
		return nil, err
	}
	auth, err := httpx.New(ver)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /login", login(iss, users))
	mux.Handle("GET /me", auth.Required(http.HandlerFunc(me)))
	return mux, nil
}

// login answers POST /login: it checks {"username", "password"} and
// answers with an access token built from the User (see demo.Login).
func login(iss *jwtx.Issuer[User, Claims], users *demo.Users[User]) http.Handler {
	return demo.Login(users, func(ctx context.Context, u User) (jwtx.Token, error) {
		return iss.Access(ctx, u)
	})
}

// me answers with the subject and roles of the verified token.
func me(w http.ResponseWriter, r *http.Request) {
	c, _ := jwtx.From[Claims](r.Context()) // always there behind auth.Required
	httpx.WriteJSON(w, http.StatusOK, struct {
		Subject string   `json:"sub"`
		Roles   []string `json:"roles"`
	}{c.Subject, c.Roles})
}

func main() { demo.Main(run) }

// run serves the API on addr until ctx is done, with an ES256 key made at
// start-up, and tells out how to try it.
func run(ctx context.Context, addr string, out io.Writer) error {
	return demo.ServeAPI(ctx, addr, jwtx.ES256, demoUsers, newServer, func(base string) {
		fmt.Fprintf(out, `complex-objects listening on %[1]s (Ctrl-C to stop). Users: alice/wonderland, bob/builder.

  TOKEN=$(curl -s -X POST %[1]s/login -d '{"username":"alice","password":"wonderland"}' | jq -r .access_token)
  curl -s %[1]s/me -H "Authorization: Bearer $TOKEN"
`, base)
	})
}
