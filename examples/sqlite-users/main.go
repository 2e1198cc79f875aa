// Command sqlite-users shows users loaded from a real database without a
// query per request: the middleware verifies tokens and loads the user only
// when a handler asks (httpx.WithLazyUser), through a jwtx.UserCache in
// front of SQLite. GET /stats tells how many queries the store has run.
//
//	go run ./examples/sqlite-users
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// User is a row of the users table.
type User struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

// Claims are the typed claims: the roles travel in the token, so handlers
// that authorise by role never need the database.
type Claims struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles"`
}

// Store is the user table, counting its queries.
type Store struct {
	db      *sql.DB
	queries atomic.Int64
}

const schema = `CREATE TABLE IF NOT EXISTS users (
	id TEXT PRIMARY KEY,
	name TEXT UNIQUE NOT NULL,
	roles TEXT NOT NULL,
	password_hash BLOB NOT NULL
)`

// OpenStore opens (and creates) the SQLite database at path.
func OpenStore(path string) (*Store, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Queries returns how many user lookups the store has run.
func (s *Store) Queries() int64 { return s.queries.Load() }

// passwordIterations is the PBKDF2-HMAC-SHA256 work factor of the demo's
// stored passwords (kept low so that the demo starts at once; production
// code uses OWASP's 600,000).
const passwordIterations = 100_000

// hashPassword returns salt || PBKDF2(password, salt), with a new random
// salt.
func hashPassword(pw string) ([]byte, error) {
	salt := make([]byte, 16)
	rand.Read(salt) // never fails since Go 1.24
	key, err := pbkdf2.Key(sha256.New, pw, salt, passwordIterations, 32)
	if err != nil {
		return nil, err
	}
	return append(salt, key...), nil
}

// passwordMatches checks pw against a stored salt || key, in constant time.
func passwordMatches(stored []byte, pw string) bool {
	if len(stored) != 48 {
		return false
	}
	key, err := pbkdf2.Key(sha256.New, pw, stored[:16], passwordIterations, 32)
	return err == nil && subtle.ConstantTimeCompare(key, stored[16:]) == 1
}

// Add inserts a user.
func (s *Store) Add(ctx context.Context, u User, password string) error {
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO users (id, name, roles, password_hash) VALUES (?, ?, ?, ?)`,
		u.ID, u.Name, strings.Join(u.Roles, ","), hash)
	return err
}

// SetRoles changes a user's roles.
func (s *Store) SetRoles(ctx context.Context, id string, roles []string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE users SET roles = ? WHERE id = ?`, strings.Join(roles, ","), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return jwtx.ErrUserNotFound
	}
	return nil
}

// Delete removes a user.
func (s *Store) Delete(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
	return err
}

// UserBySubject is the UserLoader: one query by primary key.
func (s *Store) UserBySubject(ctx context.Context, id string) (User, error) {
	s.queries.Add(1)
	var u User
	var roles string
	err := s.db.QueryRowContext(ctx, `SELECT id, name, roles FROM users WHERE id = ?`, id).Scan(&u.ID, &u.Name, &roles)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, jwtx.ErrUserNotFound
	}
	if err != nil {
		return User{}, err
	}
	u.Roles = strings.Split(roles, ",")
	return u, nil
}

// login checks a password against the stored hash in constant time.
func (s *Store) login(ctx context.Context, name, password string) (User, error) {
	var u User
	var roles string
	var hash []byte
	err := s.db.QueryRowContext(ctx, `SELECT id, name, roles, password_hash FROM users WHERE name = ?`, name).Scan(&u.ID, &u.Name, &roles, &hash)
	if err != nil {
		hash = make([]byte, 48) // an unknown name costs a hash too, like a wrong password
	}
	if !passwordMatches(hash, password) || err != nil {
		return User{}, errors.New("bad username or password")
	}
	u.Roles = strings.Split(roles, ",")
	return u, nil
}

// app is the demo API.
type app struct {
	store *Store
	cache *jwtx.UserCache[User]
	iss   *jwtx.Issuer[User, Claims]
	auth  *httpx.Auth[User, Claims]
}

func newApp(store *Store, now func() time.Time) (http.Handler, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	key, err := jwtx.NewKey(jwtx.ES256, priv, jwtx.WithKeyID("sqlite-users"))
	if err != nil {
		return nil, err
	}
	clock := jwtx.ClockFunc(now)
	a := &app{store: store}
	a.cache, err = jwtx.NewUserCache(store.UserBySubject, jwtx.WithClock(clock), jwtx.WithCacheTTL(time.Minute))
	if err != nil {
		return nil, err
	}
	a.iss, err = jwtx.NewIssuer[User, Claims](key, jwtx.WithClock(clock),
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }))
	if err != nil {
		return nil, err
	}
	ver, err := jwtx.NewVerifier[User, Claims](key.Public(), jwtx.WithClock(clock), jwtx.WithUserLoader(a.cache.Load))
	if err != nil {
		return nil, err
	}
	a.auth, err = httpx.New(ver, httpx.WithLazyUser(true),
		httpx.WithReasonHandler(httpx.ReasonUserMissing, func(w http.ResponseWriter, _ *http.Request, err error) {
			var ue *jwtx.UserError
			errors.As(err, &ue)
			httpx.WriteJSON(w, http.StatusNotFound, map[string]string{"msg": "User " + ue.Subject + " not found"})
		}))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", a.login)
	mux.Handle("GET /hello", a.auth.Required(http.HandlerFunc(a.hello)))
	mux.Handle("GET /me", a.auth.Required(http.HandlerFunc(a.me)))
	mux.Handle("PUT /users/{id}/roles", a.auth.Required(http.HandlerFunc(a.setRoles)))
	mux.Handle("DELETE /users/{id}", a.auth.Required(http.HandlerFunc(a.deleteUser)))
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]int64{"queries": a.store.Queries()})
	})
	return mux, nil
}

func (a *app) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "bad request"})
		return
	}
	u, err := a.store.login(r.Context(), in.Username, in.Password)
	if err != nil {
		httpx.WriteJSON(w, http.StatusUnauthorized, map[string]string{"msg": "bad username or password"})
		return
	}
	tok, err := a.iss.Access(r.Context(), u, jwtx.AsFresh(true))
	if err != nil {
		httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"access_token": tok.Raw})
}

// hello needs only the claims: it never touches the database.
func (a *app) hello(w http.ResponseWriter, r *http.Request) {
	c, _ := jwtx.From[Claims](r.Context())
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"hello": c.Subject, "roles": c.Roles})
}

// me needs the user: the first request per TTL loads it, the rest hit the
// cache.
func (a *app) me(w http.ResponseWriter, r *http.Request) {
	u, err := jwtx.UserFromContext[User](r.Context())
	var ue *jwtx.UserError
	switch {
	case errors.As(err, &ue) && errors.Is(err, jwtx.ErrUserNotFound):
		httpx.WriteJSON(w, http.StatusNotFound, map[string]string{"msg": "User " + ue.Subject + " not found"})
	case err != nil:
		httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
	default:
		httpx.WriteJSON(w, http.StatusOK, u)
	}
}

func isAdmin(r *http.Request) bool {
	c, _ := jwtx.From[Claims](r.Context())
	return slices.Contains(c.Roles, "admin")
}

// setRoles changes a user's roles and drops the cached copy.
func (a *app) setRoles(w http.ResponseWriter, r *http.Request) {
	if !isAdmin(r) {
		httpx.WriteJSON(w, http.StatusForbidden, map[string]string{"msg": "admins only"})
		return
	}
	var roles []string
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&roles); err != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, map[string]string{"msg": "bad request"})
		return
	}
	id := r.PathValue("id")
	if err := a.store.SetRoles(r.Context(), id, roles); err != nil {
		httpx.WriteJSON(w, http.StatusNotFound, map[string]string{"msg": "User " + id + " not found"})
		return
	}
	a.cache.Invalidate(id)
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"id": id, "roles": roles})
}

func (a *app) deleteUser(w http.ResponseWriter, r *http.Request) {
	if !isAdmin(r) {
		httpx.WriteJSON(w, http.StatusForbidden, map[string]string{"msg": "admins only"})
		return
	}
	id := r.PathValue("id")
	if err := a.store.Delete(r.Context(), id); err != nil {
		httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
		return
	}
	a.cache.Invalidate(id)
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"deleted": id})
}

// seed fills an empty store with the demo users.
func seed(ctx context.Context, s *Store) error {
	for _, u := range []struct {
		user     User
		password string
	}{
		{User{ID: "u-1", Name: "alice", Roles: []string{"admin", "user"}}, "wonderland"},
		{User{ID: "u-2", Name: "bob", Roles: []string{"user"}}, "builder"},
	} {
		if err := s.Add(ctx, u.user, u.password); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "loopback address to listen on")
	dir := flag.String("dir", "", "directory for users.db (default: a new temporary directory)")
	flag.Parse()
	if err := run(*addr, *dir); err != nil {
		log.Fatal(err)
	}
}

func run(addr, dir string) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "sqlite-users-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	store, err := OpenStore(filepath.Join(dir, "users.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	if err := seed(context.Background(), store); err != nil {
		return err
	}
	h, err := newApp(store, time.Now)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("serving on http://%s; users alice/wonderland (admin) and bob/builder\n", ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	return srv.Serve(ln)
}
