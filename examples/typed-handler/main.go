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

// login checks {"username", "password", "device"} and answers with an
// access token. The optional device label goes into the token as an extra
// claim.
func login(iss *jwtx.Issuer[User, Claims], users *demo.Users[User]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Username string `json:"username"`
			Password string `json:"password"`
			Device   string `json:"device"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil || len(in.Device) > maxDevice {
			httpx.WriteJSON(w, http.StatusBadRequest, message{"bad request"})
			return
		}
		u, ok := users.Authenticate(in.Username, in.Password)
		if !ok {
			httpx.WriteJSON(w, http.StatusUnauthorized, message{"bad username or password"})
			return
		}
		var opts []jwtx.IssueOption
		if in.Device != "" {
			opts = append(opts, jwtx.ExtraClaims(map[string]any{"device": in.Device}))
		}
		tok, err := iss.Access(r.Context(), u, opts...)
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
		httpx.WriteJSON(w, http.StatusInternalServerError, message{"internal error"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, m)
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
	secret := make([]byte, 32)
	rand.Read(secret) // never fails since Go 1.24
	key, err := jwtx.NewKey(jwtx.HS256, secret)
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
	fmt.Fprintf(out, `typed-handler listening on %[1]s (Ctrl-C to stop). Users: alice/wonderland, bob/builder.

  TOKEN=$(curl -s -X POST %[1]s/login -d '{"username":"alice","password":"wonderland","device":"laptop"}' | jq -r .access_token)
  curl -s %[1]s/me -H "Authorization: Bearer $TOKEN"
  curl -s %[1]s/raw -H "Authorization: Bearer $TOKEN"
`, base)
	return demo.Serve(ctx, ln, h)
}
