// Command user-loader turns tokens back into user objects. The token
// carries only the user's ID (sub); the Verifier's user loader
// (jwtx.WithUserLoader, flask-jwt-extended's user_lookup_loader) looks the
// User up in the store on every request, so GET /me answers with the
// current user, and the role check of GET /admin-only (httpx Authorize on
// the typed User) sees role changes at once. After an admin deletes a user
// (DELETE /users/{id}), that user's still-valid token is answered with 404
// {"msg": "User <id> not found"} by a handler for httpx.ReasonUserMissing,
// as flask-jwt-extended's user_lookup_error_loader would.
//
// The server listens on loopback only, with an HS256 secret generated at
// start-up:
//
//	go run ./examples/user-loader [-addr 127.0.0.1:8080]
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/typedjwt/typedjwt/examples/internal/demo"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Claims are the typed claims of an access token: only the registered
// ones. Everything else about the user comes from the store.
type Claims struct {
	jwtx.RegisteredClaims
}

// newServer returns the API: POST /login, GET /me, GET /admin-only and
// DELETE /users/{id}. Tokens are signed with key and timed by clock.
func newServer(key *jwtx.Key, clock jwtx.Clock, users *demo.Users[User]) (http.Handler, error) {
	clk := jwtx.WithClock(clock)
	iss, err := jwtx.NewIssuer[User, Claims](key, clk,
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
	)
	if err != nil {
		return nil, err
	}
	// sub -> User, after every other check of the token.
	ver, err := jwtx.NewVerifier[User, Claims](key, clk, jwtx.WithUserLoader(users.Load))
	if err != nil {
		return nil, err
	}
	auth, err := httpx.New(ver, httpx.WithReasonHandler(httpx.ReasonUserMissing, userNotFound))
	if err != nil {
		return nil, err
	}
	admin := auth.Authorize(requireRole("admin"))
	mux := http.NewServeMux()
	mux.Handle("POST /login", login(iss, users))
	mux.Handle("GET /me", auth.Required(http.HandlerFunc(me)))
	mux.Handle("GET /admin-only", admin(http.HandlerFunc(adminOnly)))
	mux.Handle("DELETE /users/{id}", admin(deleteUser(users)))
	return mux, nil
}

// login answers POST /login: it checks {"username", "password"} and
// answers with an access token (see demo.Login).
func login(iss *jwtx.Issuer[User, Claims], users *demo.Users[User]) http.Handler {
	return demo.Login(users, func(ctx context.Context, u User) (jwtx.Token, error) {
		return iss.Access(ctx, u)
	})
}

// userNotFound answers a valid token whose user the loader did not find:
// 404 {"msg": "User <id> not found"}. The subject comes from the
// *jwtx.UserError; it is the verified sub of a token this service signed.
func userNotFound(w http.ResponseWriter, _ *http.Request, err error) {
	var userErr *jwtx.UserError
	if !errors.As(err, &userErr) {
		httpx.WriteJSON(w, http.StatusNotFound, demo.Message{Msg: "User not found"})
		return
	}
	httpx.WriteJSON(w, http.StatusNotFound, demo.Message{Msg: "User " + userErr.Subject + " not found"})
}

// requireRole is an authorization check on the loaded User. The roles come
// from the store, not the token, so a change applies to the next request.
func requireRole(role string) func(context.Context, Claims, User) error {
	return func(_ context.Context, _ Claims, u User) error {
		if !slices.Contains(u.Roles, role) {
			return fmt.Errorf("user %s lacks role %s", u.ID, role)
		}
		return nil
	}
}

// me answers with the user the token names, as the store has it now.
func me(w http.ResponseWriter, r *http.Request) {
	u, _ := jwtx.UserFrom[User](r.Context()) // loaded before the handler runs
	httpx.WriteJSON(w, http.StatusOK, u)
}

// adminOnly greets an admin.
func adminOnly(w http.ResponseWriter, r *http.Request) {
	u, _ := jwtx.UserFrom[User](r.Context())
	httpx.WriteJSON(w, http.StatusOK, demo.Message{Msg: "hello, admin " + u.Name})
}

// deleteUser deletes the user with the ID in the path. Tokens already
// issued to that user stay valid until they expire, but name no user now.
func deleteUser(users *demo.Users[User]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !users.Remove(id) {
			httpx.WriteJSON(w, http.StatusNotFound, demo.Message{Msg: "User " + id + " not found"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, demo.Message{Msg: "User " + id + " deleted"})
	})
}

func main() { demo.Main(run) }

// run serves the API on addr until ctx is done, with an HS256 secret made
// at start-up, and tells out how to try it.
func run(ctx context.Context, addr string, out io.Writer) error {
	return demo.ServeAPI(ctx, addr, jwtx.HS256, demoUsers, newServer, func(base string) {
		fmt.Fprintf(out, `user-loader listening on %[1]s (Ctrl-C to stop). Users: alice/wonderland (admin), bob/builder.

  ALICE=$(curl -s -X POST %[1]s/login -d '{"username":"alice","password":"wonderland"}' | jq -r .access_token)
  BOB=$(curl -s -X POST %[1]s/login -d '{"username":"bob","password":"builder"}' | jq -r .access_token)
  curl -s %[1]s/me -H "Authorization: Bearer $BOB"
  curl -s %[1]s/admin-only -H "Authorization: Bearer $BOB"
  curl -s -X DELETE %[1]s/users/u-1002 -H "Authorization: Bearer $ALICE"
  curl -s %[1]s/me -H "Authorization: Bearer $BOB"
`, base)
	})
}
