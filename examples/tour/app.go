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
	"strings"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
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
	ver   *jwtx.Verifier[User, Claims]
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
	shared := []jwtx.Option{jwtx.WithClock(jwtx.ClockFunc(now)), jwtx.WithIssuer("https://tour.typedjwt.test")}
	a.iss, err = jwtx.NewIssuer[User, Claims](key,
		jwtx.WithIdentity(func(u User) (string, error) { return u.Name, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
		shared[0], shared[1],
	)
	if err != nil {
		return nil, err
	}
	a.ver, err = jwtx.NewVerifier[User, Claims](key.Public(), jwtx.WithUserLoader(a.users.user), shared[0], shared[1])
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", a.login)
	mux.HandleFunc("GET /me", a.protect(a.ver.Verify, a.me))
	mux.HandleFunc("GET /admin", a.protect(a.ver.Verify, a.admin))
	mux.HandleFunc("POST /refresh", a.protect(a.ver.VerifyRefresh, a.refresh))
	return mux, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"msg": "bad request"})
		return
	}
	u, err := a.users.user(r.Context(), in.Username)
	want := hash(in.Password)
	if err != nil || subtle.ConstantTimeCompare(u.PasswordHash[:], want[:]) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"msg": "bad username or password"})
		return
	}
	pair, err := a.iss.Pair(r.Context(), u, jwtx.AsFresh(true))
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"access_token": pair.Access.Raw, "refresh_token": pair.Refresh.Raw})
}

// protect verifies the bearer token with verify and passes the typed claims
// and user to next through the request context.
func (a *app) protect(verify func(context.Context, string) (Claims, User, error), next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"msg": "missing bearer token"})
			return
		}
		claims, user, err := verify(r.Context(), token)
		switch {
		case errors.Is(err, jwtx.ErrExpired):
			writeJSON(w, http.StatusUnauthorized, map[string]string{"msg": "token has expired"})
		case errors.Is(err, jwtx.ErrUserNotFound):
			writeJSON(w, http.StatusNotFound, map[string]string{"msg": "User " + claims.Subject + " not found"})
		case err != nil:
			writeJSON(w, http.StatusUnauthorized, map[string]string{"msg": "invalid token"})
		default:
			next(w, r.WithContext(jwtx.NewContext(r.Context(), claims, user)))
		}
	}
}

func (a *app) me(w http.ResponseWriter, r *http.Request) {
	c, _ := jwtx.From[Claims](r.Context())
	u, _ := jwtx.UserFrom[User](r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"user": u.Name, "roles": c.Roles, "fresh": c.Fresh.At(a.now())})
}

func (a *app) admin(w http.ResponseWriter, r *http.Request) {
	c, _ := jwtx.From[Claims](r.Context())
	if !slices.Contains(c.Roles, "admin") {
		writeJSON(w, http.StatusForbidden, map[string]string{"msg": "admins only"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"msg": "welcome, admin " + c.Subject})
}

func (a *app) refresh(w http.ResponseWriter, r *http.Request) {
	u, _ := jwtx.UserFrom[User](r.Context())
	tok, err := a.iss.Access(r.Context(), u)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"access_token": tok.Raw})
}
