// Command fiber serves the seed scenario "tokens from complex objects" on
// fiber v2 through its net/http adaptor: httpx's guards wrapped with
// adaptor.HTTPMiddleware, fiber handlers that read the typed claims and
// user with jwtx.From[Claims](c.Context()) and jwtx.UserFrom[User].
//
// The adaptor runs each guard on a net/http request made from the fiber
// request, writes the guard's refusals to the fiber response, and copies the
// values the guard put in the request context into the fasthttp context,
// which is a context.Context: that is how the handler finds them. The
// server listens on loopback only, with an ES256 key generated at start-up:
//
//	go run . [-addr 127.0.0.1:8080]
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/subtle"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// User is a row of the user store: the object tokens are built from.
type User struct {
	ID       string // stable and opaque: the token subject
	Name     string // the login name; it can change, so it is not the subject
	Password string // a hash in a real store; compared in constant time here
	Roles    []string
}

// Claims are the typed claims of an access token.
type Claims struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles"`
}

// demoUsers are the users: alice/wonderland and bob/builder.
func demoUsers() map[string]User {
	return map[string]User{
		"alice": {ID: "u-1001", Name: "alice", Password: "wonderland", Roles: []string{"admin", "editor"}},
		"bob":   {ID: "u-1002", Name: "bob", Password: "builder", Roles: []string{"viewer"}},
	}
}

// newApp returns the API: POST /login, GET /me (a token required), GET
// /feed (a token optional) and GET /admin (the admin role required).
// Tokens are signed with key and timed by clock.
func newApp(key *jwtx.Key, clock jwtx.Clock, users map[string]User) (*fiber.App, error) {
	clk := jwtx.WithClock(clock)
	iss, err := jwtx.NewIssuer[User, Claims](key, clk,
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
	)
	if err != nil {
		return nil, err
	}
	byID := map[string]User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	ver, err := jwtx.NewVerifier[User, Claims](key.Public(), clk,
		jwtx.WithUserLoader(func(_ context.Context, sub string) (User, error) {
			u, ok := byID[sub]
			if !ok {
				return User{}, jwtx.ErrUserNotFound
			}
			return u, nil
		}))
	if err != nil {
		return nil, err
	}
	auth, err := httpx.New(ver)
	if err != nil {
		return nil, err
	}
	isAdmin := func(_ context.Context, c Claims, _ User) error {
		for _, r := range c.Roles {
			if r == "admin" {
				return nil
			}
		}
		return fmt.Errorf("%s is not an admin", c.Subject)
	}

	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Post("/login", func(c *fiber.Ctx) error {
		var in struct {
			Username string `json:"username"`
			Password string `json:"password"`
		}
		if err := c.BodyParser(&in); err != nil {
			return c.Status(http.StatusBadRequest).JSON(fiber.Map{"msg": "bad request"})
		}
		u, ok := users[in.Username]
		if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(in.Password)) != 1 {
			return c.Status(http.StatusUnauthorized).JSON(fiber.Map{"msg": "bad username or password"})
		}
		tok, err := iss.Access(c.UserContext(), u)
		if err != nil {
			return c.Status(http.StatusInternalServerError).JSON(fiber.Map{"msg": "internal error"})
		}
		return c.JSON(fiber.Map{"access_token": tok.Raw})
	})
	app.Get("/me", adaptor.HTTPMiddleware(auth.Required), func(c *fiber.Ctx) error {
		claims, _ := jwtx.From[Claims](c.Context())
		user, _ := jwtx.UserFrom[User](c.Context())
		return c.JSON(fiber.Map{"sub": claims.Subject, "name": user.Name, "roles": claims.Roles})
	})
	app.Get("/feed", adaptor.HTTPMiddleware(auth.Optional), func(c *fiber.Ctx) error {
		if claims, ok := jwtx.From[Claims](c.Context()); ok {
			return c.JSON(fiber.Map{"feed": "for " + claims.Subject})
		}
		return c.JSON(fiber.Map{"feed": "public"})
	})
	app.Get("/admin", adaptor.HTTPMiddleware(auth.Authorize(isAdmin)), func(c *fiber.Ctx) error {
		user, _ := jwtx.UserFrom[User](c.Context())
		return c.JSON(fiber.Map{"admin": user.Name})
	})
	return app, nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "loopback `host:port` to listen on")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *addr); err != nil {
		log.Fatal(err)
	}
}

// run serves the API on addr until ctx is done, with an ES256 key made at
// start-up.
func run(ctx context.Context, addr string) error {
	if host, _, err := net.SplitHostPort(addr); err != nil || host != "localhost" && !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("-addr %q: the example listens on loopback only", addr)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	key, err := jwtx.NewKey(jwtx.ES256, priv)
	if err != nil {
		return err
	}
	app, err := newApp(key, jwtx.ClockFunc(time.Now), demoUsers())
	if err != nil {
		return err
	}
	go func() {
		<-ctx.Done()
		_ = app.Shutdown() // Listen returns once the server has stopped
	}()
	fmt.Printf(`fiber example listening on http://%[1]s (Ctrl-C to stop). Users: alice/wonderland, bob/builder.

  TOKEN=$(curl -s -X POST %[1]s/login -H 'Content-Type: application/json' -d '{"username":"alice","password":"wonderland"}' | jq -r .access_token)
  curl -s %[1]s/me -H "Authorization: Bearer $TOKEN"
`, addr)
	return app.Listen(addr)
}
