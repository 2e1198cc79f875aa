package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// User is a row of the demo's user store.
type User struct {
	Name         string
	PasswordHash [32]byte
	Roles        []string
}

// Claims are the demo's typed claims.
type Claims struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles,omitempty"`
}

// store is an in-memory user store.
type store map[string]User

func (s store) user(_ context.Context, name string) (User, error) {
	u, ok := s[name]
	if !ok {
		return User{}, jwtx.ErrUserNotFound
	}
	return u, nil
}

func hash(password string) [32]byte { return sha256.Sum256([]byte("tour-salt:" + password)) }

// app is the demo API.
type app struct {
	now   func() time.Time
	users store
	iss   *jwtx.Issuer[User, Claims]
	auth  *httpx.Auth[User, Claims]
}

func newApp(priv *ecdsa.PrivateKey, now func() time.Time) (http.Handler, error) {
	key, err := jwtx.NewKey(jwtx.ES256, priv, jwtx.WithKeyID("tour-1"))
	if err != nil {
		return nil, err
	}
	a := &app{now: now, users: store{
		"alice": {Name: "alice", PasswordHash: hash("wonderland"), Roles: []string{"admin", "user"}},
		"bob":   {Name: "bob", PasswordHash: hash("builder"), Roles: []string{"user"}},
	}}
	shared := jwtx.Options(jwtx.WithClock(jwtx.ClockFunc(now)), jwtx.WithIssuer("https://tour.typedjwt.test"))
	// Revocations and refresh-token families live in memory; with Redis this
	// is redisstore.New(redis.NewClient(&redis.Options{Addr: "localhost:6379"})).
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(jwtx.ClockFunc(now)))
	if err != nil {
		return nil, err
	}
	a.iss, err = jwtx.NewIssuer[User, Claims](key, shared, jwtx.WithRotation(store),
		jwtx.WithIdentity(func(u User) (string, error) { return u.Name, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
	)
	if err != nil {
		return nil, err
	}
	ver, err := jwtx.NewVerifier[User, Claims](key.Public(), shared, jwtx.WithUserLoader(a.users.user), jwtx.WithRevocation(store))
	if err != nil {
		return nil, err
	}
	a.auth, err = httpx.New(ver, httpx.WithRealm("tour"), httpx.WithRotation(store), httpx.WithRevoker(store),
		httpx.WithReasonHandler(httpx.ReasonUserMissing, func(w http.ResponseWriter, r *http.Request, err error) {
			var ue *jwtx.UserError
			errors.As(err, &ue)
			httpx.WriteJSON(w, http.StatusNotFound, map[string]string{"msg": "User " + ue.Subject + " not found"})
		}))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", a.login)
	mux.Handle("GET /me", a.auth.HandlerFunc(a.me))
	mux.Handle("GET /admin", a.auth.Authorize(requireRole("admin"))(http.HandlerFunc(a.admin)))
	mux.Handle("POST /refresh", a.auth.RefreshHandler(a.iss))
	mux.Handle("POST /logout", a.auth.LogoutHandler())
	return mux, nil
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "bad request"})
		return
	}
	u, err := a.users.user(r.Context(), in.Username)
	want := hash(in.Password)
	if err != nil || subtle.ConstantTimeCompare(u.PasswordHash[:], want[:]) != 1 {
		httpx.WriteJSON(w, http.StatusUnauthorized, map[string]string{"msg": "bad username or password"})
		return
	}
	pair, err := a.iss.Pair(r.Context(), u, jwtx.AsFresh(true))
	if err != nil {
		httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"access_token": pair.Access.Raw, "refresh_token": pair.Refresh.Raw})
}

// requireRole is an authorization check on the typed claims.
func requireRole(role string) func(context.Context, Claims, User) error {
	return func(_ context.Context, c Claims, _ User) error {
		if !slices.Contains(c.Roles, role) {
			return errors.New("missing role " + role)
		}
		return nil
	}
}

// me gets the verified claims and user as typed arguments.
func (a *app) me(w http.ResponseWriter, _ *http.Request, c Claims, u User) {
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"user": u.Name, "roles": c.Roles, "fresh": c.Fresh.At(a.now())})
}

func (a *app) admin(w http.ResponseWriter, r *http.Request) {
	c, _ := jwtx.From[Claims](r.Context())
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"msg": "welcome, admin " + c.Subject})
}
