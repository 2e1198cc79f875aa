// Command typed-handler passes the verified claims and user to handlers
// as typed arguments, in the style of sanic-jwt-extended:
// auth.HandlerFunc(func(w, r, claims Claims, user User)) serves GET /me
// without a context lookup or a type assertion. GET /raw reads the raw
// claims instead, in the style of FastAPI-JWT-Auth's get_raw_jwt():
// jwtx.RawFrom(ctx).Map() holds every claim of the token, including
// "device", which POST /login adds with jwtx.ExtraClaims and the Claims
// struct does not declare.
//
// The server listens on loopback only, with an HS256 secret generated at
// start-up:
//
//	go run ./examples/typed-handler [-addr 127.0.0.1:8080]
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

// maxDevice is the longest device label a login may give.
const maxDevice = 32

// Claims are the typed claims of an access token. Tokens may carry more
// (device); jwtx.RawFrom sees those.
type Claims struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles"`
}

// newServer returns the API: POST /login, GET /me and GET /raw. Tokens are
// signed with key and timed by clock.
func newServer(key *jwtx.Key, clock jwtx.Clock, users *demo.Users[User]) (http.Handler, error) {
	clk := jwtx.WithClock(clock)
	iss, err := jwtx.NewIssuer[User, Claims](key, clk,
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) {
			return Claims{Roles: u.Roles}, nil
		}),
	)
	if err != nil {
		return nil, err
	}
	ver, err := jwtx.NewVerifier[User, Claims](key, clk, jwtx.WithUserLoader(users.Load))
	if err != nil {
		return nil, err
	}
	// auth.HandlerFunc loads the user before the handler runs and refuses
	// the request when it cannot, so the handler always gets a real user.
	auth, err := httpx.New(ver)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /login", login(iss, users))
	mux.Handle("GET /me", auth.HandlerFunc(me))
	mux.Handle("GET /raw", auth.Required(http.HandlerFunc(raw)))
	return mux, nil
}

// loginBody is the body of POST /login: the credentials and an optional
// device label.
type loginBody struct {
	demo.Credentials
	Device string `json:"device"`
}

// Validate refuses a device label longer than maxDevice, so that
// demo.LoginWith answers 400 before it checks the password.
func (in loginBody) Validate() error {
	if len(in.Device) > maxDevice {
		return fmt.Errorf("device label longer than %d bytes", maxDevice)
	}
	return nil
}

// login answers POST /login: it checks {"username", "password", "device"}
// and answers with an access token (see demo.LoginWith). The optional
// device label goes into the token as an extra claim.
func login(iss *jwtx.Issuer[User, Claims], users *demo.Users[User]) http.Handler {
	return demo.LoginWith(users, func(ctx context.Context, u User, in loginBody) (jwtx.Token, error) {
		var opts []jwtx.IssueOption
		if in.Device != "" {
			opts = append(opts, jwtx.ExtraClaims(map[string]any{"device": in.Device}))
		}
		return iss.Access(ctx, u, opts...)
	})
}

// me gets the verified claims and the loaded user as typed arguments.
func me(w http.ResponseWriter, _ *http.Request, c Claims, u User) {
	httpx.WriteJSON(w, http.StatusOK, struct {
		Subject string   `json:"sub"`
		Name    string   `json:"name"`
		Email   string   `json:"email"`
		Roles   []string `json:"roles"`
	}{c.Subject, u.Name, u.Email, c.Roles})
}

// raw answers with every claim of the verified token, those Claims does
// not declare included.
func raw(w http.ResponseWriter, r *http.Request) {
	rc, _ := jwtx.RawFrom(r.Context()) // always there behind Required
	m, err := rc.Map()
	if err != nil {
		httpx.WriteJSON(w, http.StatusInternalServerError, demo.Message{Msg: "internal error"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, m)
}

func main() { demo.Main(run) }

// run serves the API on addr until ctx is done, with an HS256 secret made
// at start-up, and tells out how to try it.
func run(ctx context.Context, addr string, out io.Writer) error {
	return demo.ServeAPI(ctx, addr, jwtx.HS256, demoUsers, newServer, func(base string) {
		fmt.Fprintf(out, `typed-handler listening on %[1]s (Ctrl-C to stop). Users: alice/wonderland, bob/builder.

  TOKEN=$(curl -s -X POST %[1]s/login -d '{"username":"alice","password":"wonderland","device":"laptop"}' | jq -r .access_token)
  curl -s %[1]s/me -H "Authorization: Bearer $TOKEN"
  curl -s %[1]s/raw -H "Authorization: Bearer $TOKEN"
`, base)
	})
}
