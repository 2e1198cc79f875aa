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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

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

// login checks {"username", "password"} and answers with an access token
// built from the User.
func login(iss *jwtx.Issuer[User, Claims], users *demo.Users[User]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Username string `json:"username"`
			Password string `json:"password"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil {
			httpx.WriteJSON(w, http.StatusBadRequest, message{"bad request"})
			return
		}
		u, ok := users.Authenticate(in.Username, in.Password)
		if !ok {
			httpx.WriteJSON(w, http.StatusUnauthorized, message{"bad username or password"})
			return
		}
		tok, err := iss.Access(r.Context(), u)
		if err != nil {
			httpx.WriteJSON(w, http.StatusInternalServerError, message{"internal error"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, tokenResponse{
			AccessToken: tok.Raw,
			TokenType:   "Bearer",
			ExpiresIn:   int(tok.ExpiresAt.Sub(tok.IssuedAt) / time.Second),
		})
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

// message is the body of an error response, shaped like httpx's.
type message struct {
	Msg string `json:"msg"`
}

// tokenResponse is the body of a successful login (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "loopback `host:port` to listen on; port 0 picks a free one")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// run serves the API on addr until ctx is done.
func run(ctx context.Context, addr string, out io.Writer) error {
	ln, err := demo.ListenLoopback(addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	key, err := jwtx.NewKey(jwtx.ES256, priv)
	if err != nil {
		return err
	}
	users, err := demoUsers(demo.PasswordIterations)
	if err != nil {
		return err
	}
	h, err := newServer(key, jwtx.ClockFunc(time.Now), users)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(out, `complex-objects listening on %[1]s (Ctrl-C to stop). Users: alice/wonderland, bob/builder.

  TOKEN=$(curl -s -X POST %[1]s/login -d '{"username":"alice","password":"wonderland"}' | jq -r .access_token)
  curl -s %[1]s/me -H "Authorization: Bearer $TOKEN"
`, base)
	return demo.Serve(ctx, ln, h)
}
