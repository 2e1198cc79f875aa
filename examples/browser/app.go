package main

import (
	"crypto/rand"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// Claims are the typed claims: only the registered ones (sub, type, jti,
// fresh, csrf, fam, ...). The user comes from the store.
type Claims struct {
	jwtx.RegisteredClaims
}

// freshFor is how long after a password check the access token may change
// the password: a refresh gives a token that is not fresh, so after that
// the user has to log in again.
const freshFor = 5 * time.Minute

// refreshPath is the refresh route, and the path of the refresh cookie, so
// that the browser sends the refresh token there and nowhere else.
const refreshPath = "/api/refresh"

// indexHTML is the page, a template for the CSP nonce and the names of the
// CSRF cookies.
//
//go:embed index.html
var indexHTML string

// app holds what the handlers share.
type app struct {
	users   *userStore
	notes   *noteStore
	iss     *jwtx.Issuer[User, Claims]
	auth    *httpx.Auth[User, Claims]
	cookies httpx.Cookies // resolved: the names the page reads
	page    *template.Template
}

// newServer returns the application: the page at / and the JSON API under
// /api/. Tokens are signed with key and timed by clock; they travel only in
// cookies with the secure defaults (__Host-/__Secure- names, Secure,
// HttpOnly, SameSite=Lax), so the server must be reached over HTTPS.
func newServer(key *jwtx.Key, clock jwtx.Clock, users *userStore) (http.Handler, error) {
	clk := jwtx.WithClock(clock)
	// Revocations (logout) and refresh-token families (rotation with reuse
	// detection) live in memory, for as long as a refresh token lives.
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(clock))
	if err != nil {
		return nil, err
	}
	iss, err := jwtx.NewIssuer[User, Claims](key, clk,
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
		jwtx.WithCSRF(true),      // each token carries the value the page echoes in X-CSRF-Token
		jwtx.WithRotation(store), // the tokens of one login share a family, started in the store
	)
	if err != nil {
		return nil, err
	}
	ver, err := jwtx.NewVerifier[User, Claims](key, clk, jwtx.WithUserLoader(users.load), jwtx.WithRevocation(store))
	if err != nil {
		return nil, err
	}
	// The zero Cookies is secure; only the refresh cookie's path changes,
	// to the refresh route.
	cookies, err := httpx.Cookies{RefreshPath: refreshPath}.Resolve()
	if err != nil {
		return nil, err
	}
	auth, err := httpx.New(ver,
		httpx.WithLocations(httpx.FromCookie),
		httpx.WithCookies(cookies),
		httpx.WithRevoker(store),
		httpx.WithRotation(store),
	)
	if err != nil {
		return nil, err
	}
	page, err := template.New("index.html").Parse(indexHTML)
	if err != nil {
		return nil, err
	}
	a := &app{users: users, notes: newNoteStore(), iss: iss, auth: auth, cookies: cookies, page: page}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.index)
	mux.HandleFunc("POST /api/login", a.login)
	mux.Handle("GET /api/me", auth.Required(http.HandlerFunc(a.me)))
	mux.Handle("GET /api/notes", auth.Required(http.HandlerFunc(a.listNotes)))
	mux.Handle("POST /api/notes", auth.Required(http.HandlerFunc(a.addNote))) // a cookie POST: CSRF applies
	mux.Handle("POST "+refreshPath, auth.RefreshHandler(iss))                 // cookies in, cookies out
	mux.Handle("POST /api/password", auth.Fresh(http.HandlerFunc(a.changePassword)))
	mux.Handle("POST /api/logout", auth.LogoutHandler())
	// Cross-origin POSTs are refused before they reach a handler (Fetch
	// metadata, Go 1.25): the CSRF token guards the routes that need a
	// session, this guards login and logout too.
	return http.NewCrossOriginProtection().Handler(mux), nil
}

// index serves the HTML page, with a Content-Security-Policy that lets only
// its own inline script and style run: an injected script could read the
// CSRF cookie, never the HttpOnly token cookies, but it could still act
// for the user.
func (a *app) index(w http.ResponseWriter, _ *http.Request) {
	var b [16]byte
	rand.Read(b[:]) // never fails since Go 1.24
	// URL-safe base64 leaves html/template nothing to escape in the attribute.
	nonce := base64.RawURLEncoding.EncodeToString(b[:])
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+nonce+"'; style-src 'nonce-"+nonce+"'; "+
		"connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	err := a.page.Execute(w, struct {
		Nonce, AccessCSRF, RefreshCSRF string
	}{nonce, a.cookies.AccessCSRFName, a.cookies.RefreshCSRFName})
	if err != nil {
		log.Printf("page: %v", err) // the client went away
	}
}

// login checks {"username", "password"} and sets the session cookies: a
// fresh access token, a refresh token, and their CSRF cookies. The body
// never holds a token, so no script can read one.
func (a *app) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if !decode(w, r, &in) {
		return
	}
	u, ok := a.users.authenticate(in.Username, in.Password)
	if !ok {
		httpx.WriteJSON(w, http.StatusUnauthorized, message{"bad username or password"})
		return
	}
	pair, err := a.iss.Pair(r.Context(), u, jwtx.FreshFor(freshFor))
	if err != nil {
		httpx.WriteJSON(w, http.StatusInternalServerError, message{"internal error"})
		return
	}
	a.auth.SetCookies(w, pair.Access, pair.Refresh)
	httpx.WriteJSON(w, http.StatusOK, map[string]User{"user": u})
}

// me answers with the user of the session.
func (a *app) me(w http.ResponseWriter, r *http.Request) {
	u, _ := jwtx.UserFrom[User](r.Context()) // loaded before the handler runs
	httpx.WriteJSON(w, http.StatusOK, u)
}

// listNotes answers with the user's notes.
func (a *app) listNotes(w http.ResponseWriter, r *http.Request) {
	u, _ := jwtx.UserFrom[User](r.Context())
	httpx.WriteJSON(w, http.StatusOK, map[string][]string{"notes": a.notes.list(u.ID)})
}

// addNote stores {"text"} for the user: the protected, state-changing
// action. The middleware has checked the CSRF header before it runs.
func (a *app) addNote(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text string `json:"text"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Text == "" || utf8.RuneCountInString(in.Text) > maxNoteLen {
		httpx.WriteJSON(w, http.StatusBadRequest, message{fmt.Sprintf("a note has 1 to %d characters", maxNoteLen)})
		return
	}
	u, _ := jwtx.UserFrom[User](r.Context())
	if !a.notes.add(u.ID, in.Text) {
		httpx.WriteJSON(w, http.StatusConflict, message{"too many notes"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, message{"note added"})
}

// minPasswordLen is the shortest new password accepted.
const minPasswordLen = 8

// changePassword sets {"new_password"} for the user. It sits behind
// auth.Fresh: the password was checked at most freshFor ago, in this
// session, so the current password need not be asked again.
func (a *app) changePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		NewPassword string `json:"new_password"`
	}
	if !decode(w, r, &in) {
		return
	}
	if utf8.RuneCountInString(in.NewPassword) < minPasswordLen {
		httpx.WriteJSON(w, http.StatusBadRequest, message{fmt.Sprintf("a password has at least %d characters", minPasswordLen)})
		return
	}
	u, _ := jwtx.UserFrom[User](r.Context())
	if err := a.users.setPassword(u.ID, in.NewPassword); err != nil {
		httpx.WriteJSON(w, http.StatusInternalServerError, message{"internal error"})
		return
	}
	httpx.WriteJSON(w, http.StatusOK, message{"password changed"})
}

// decode reads a JSON body of at most 4 KiB into v, or answers 400 and
// returns false.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(v); err != nil {
		httpx.WriteJSON(w, http.StatusBadRequest, message{"bad request"})
		return false
	}
	return true
}

// message is the body of a short answer, shaped like httpx's errors.
type message struct {
	Msg string `json:"msg"`
}
