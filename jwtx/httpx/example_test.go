package httpx_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// exampleSecret is a fixed HS256 secret for the examples. Real secrets come
// from a secret store and are at least 32 random bytes.
const exampleSecret = "example-secret-of-at-least-32-bytes!"

// exampleSetup builds the Issuer and Verifier of the examples: a fixed key,
// a fixed clock, and a user store holding alice.
func exampleSetup() (*jwtx.Issuer[User, Claims], *jwtx.Verifier[User, Claims]) {
	key, err := jwtx.NewKey(jwtx.HS256, []byte(exampleSecret))
	if err != nil {
		panic(err)
	}
	clock := jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
	iss, err := jwtx.NewIssuer[User, Claims](key, clock,
		jwtx.WithCSRF(true),
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
	)
	if err != nil {
		panic(err)
	}
	users := map[string]User{"alice": {ID: "alice", Name: "Alice", Roles: []string{"admin"}}}
	ver, err := jwtx.NewVerifier[User, Claims](key, clock,
		jwtx.WithUserLoader(func(_ context.Context, sub string) (User, error) {
			u, ok := users[sub]
			if !ok {
				return User{}, jwtx.ErrUserNotFound
			}
			return u, nil
		}),
	)
	if err != nil {
		panic(err)
	}
	return iss, ver
}

// exampleAlice is the user the examples log in.
func exampleAlice() User { return User{ID: "alice", Name: "Alice", Roles: []string{"admin"}} }

// printResponse prints the status, the WWW-Authenticate challenge if any,
// and the body.
func printResponse(rec *httptest.ResponseRecorder) {
	if ch := rec.Header().Get("WWW-Authenticate"); ch != "" {
		fmt.Println(rec.Code, ch)
	} else {
		fmt.Println(rec.Code)
	}
	fmt.Println(strings.TrimSpace(rec.Body.String()))
}

// A protected route: no token, a valid token, a bad token.
func ExampleAuth_Required() {
	iss, ver := exampleSetup()
	auth, err := httpx.New(ver)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /me", auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		claims, _ := jwtx.From[Claims](r.Context())
		user, _ := jwtx.UserFrom[User](r.Context())
		fmt.Fprintf(w, "hello %s, roles %v\n", user.Name, claims.Roles)
	})))

	tok, err := iss.Access(context.Background(), exampleAlice())
	if err != nil {
		panic(err)
	}
	for _, authorization := range []string{"", "Bearer " + tok.Raw, "Bearer not.a.token"} {
		r := httptest.NewRequest(http.MethodGet, "/me", nil)
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		printResponse(rec)
	}
	// Output:
	// 401 Bearer realm="api"
	// {"msg":"missing token"}
	// 200
	// hello Alice, roles [admin]
	// 401 Bearer realm="api", error="invalid_token", error_description="invalid token"
	// {"msg":"invalid token"}
}

// exampleCORS is a minimal CORS middleware for one trusted origin. It
// answers that origin's preflights itself, so that they never reach the
// guard behind it, and adds the CORS headers to that origin's other
// requests, which the guard then authenticates as usual. A CORS package
// does the same; what matters is that it sits in front of the guard.
func exampleCORS(origin string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		if r.Header.Get("Origin") != origin {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// CORS goes in front of the guard: the CORS middleware answers the
// preflights of the origins it trusts, and the guard authenticates every
// request that reaches it, an OPTIONS request from anywhere else included.
func ExampleAuth_Required_cors() {
	iss, ver := exampleSetup()
	auth, err := httpx.New(ver)
	if err != nil {
		panic(err)
	}
	me := auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, _ := jwtx.UserFrom[User](r.Context())
		fmt.Fprintf(w, "hello %s\n", user.Name)
	}))
	mux := http.NewServeMux()
	mux.Handle("/me", exampleCORS("https://app.example", me))

	tok, err := iss.Access(context.Background(), exampleAlice())
	if err != nil {
		panic(err)
	}
	send := func(method, origin, token string) {
		r := httptest.NewRequest(method, "/me", nil)
		r.Header.Set("Origin", origin)
		if method == http.MethodOptions {
			r.Header.Set("Access-Control-Request-Method", http.MethodGet)
			r.Header.Set("Access-Control-Request-Headers", "authorization")
		}
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		fmt.Printf("%s from %s: %d, allowed origin %q\n", method, origin, rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
		if body := strings.TrimSpace(rec.Body.String()); body != "" {
			fmt.Println(body)
		}
	}
	send(http.MethodOptions, "https://app.example", "")
	send(http.MethodGet, "https://app.example", tok.Raw)
	send(http.MethodOptions, "https://evil.example", "")
	// Output:
	// OPTIONS from https://app.example: 204, allowed origin "https://app.example"
	// GET from https://app.example: 200, allowed origin "https://app.example"
	// hello Alice
	// OPTIONS from https://evil.example: 401, allowed origin ""
	// {"msg":"missing token"}
}

// An optional route serves guests and users alike; a bad token is still
// refused.
func ExampleAuth_Optional() {
	iss, ver := exampleSetup()
	auth, err := httpx.New(ver)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /feed", auth.Optional(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, ok := jwtx.UserFrom[User](r.Context()); ok {
			fmt.Fprintf(w, "feed for %s\n", user.Name)
			return
		}
		fmt.Fprintln(w, "public feed")
	})))

	tok, err := iss.Access(context.Background(), exampleAlice())
	if err != nil {
		panic(err)
	}
	for _, authorization := range []string{"", "Bearer " + tok.Raw, "Bearer not.a.token"} {
		r := httptest.NewRequest(http.MethodGet, "/feed", nil)
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		printResponse(rec)
	}
	// Output:
	// 200
	// public feed
	// 200
	// feed for Alice
	// 401 Bearer realm="api", error="invalid_token", error_description="invalid token"
	// {"msg":"invalid token"}
}

// A cookie login: the tokens go in HttpOnly cookies, and an unsafe request
// must echo the CSRF value that the page reads from the CSRF cookie.
func ExampleAuth_SetCookies() {
	iss, ver := exampleSetup()
	auth, err := httpx.New(ver, httpx.WithLocations(httpx.FromCookie, httpx.FromHeader))
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		// A real login checks a password first.
		pair, err := iss.Pair(r.Context(), exampleAlice(), jwtx.AsFresh(true))
		if err != nil {
			httpx.WriteJSON(w, http.StatusInternalServerError, map[string]string{"msg": "internal error"})
			return
		}
		auth.SetCookies(w, pair.Access, pair.Refresh)
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"msg": "logged in"})
	})
	mux.Handle("POST /transfer", auth.Required(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"msg": "transferred"})
	})))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/login", nil))
	cookies := rec.Result().Cookies()
	var csrf string
	for _, c := range cookies {
		fmt.Printf("%s Path=%s Max-Age=%d HttpOnly=%t Secure=%t\n", c.Name, c.Path, c.MaxAge, c.HttpOnly, c.Secure)
		if c.Name == "__Host-csrf_access_token" {
			csrf = c.Value
		}
	}

	// The browser sends the cookies whose path covers /transfer.
	transfer := func(csrfHeader string) {
		r := httptest.NewRequest(http.MethodPost, "/transfer", nil)
		for _, c := range cookies {
			if c.Path == "/" {
				r.AddCookie(c)
			}
		}
		if csrfHeader != "" {
			r.Header.Set("X-CSRF-Token", csrfHeader)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		printResponse(rec)
	}
	transfer("")
	transfer(csrf)
	// Output:
	// __Host-access_token Path=/ Max-Age=900 HttpOnly=true Secure=true
	// __Host-csrf_access_token Path=/ Max-Age=900 HttpOnly=false Secure=true
	// __Secure-refresh_token Path=/refresh Max-Age=2592000 HttpOnly=true Secure=true
	// __Host-csrf_refresh_token Path=/ Max-Age=2592000 HttpOnly=false Secure=true
	// 403
	// {"msg":"CSRF token missing or incorrect"}
	// 200
	// {"msg":"transferred"}
}

// The refresh endpoint trades a refresh token for a new access token; an
// access token is refused there.
func ExampleAuth_RefreshHandler() {
	iss, ver := exampleSetup()
	auth, err := httpx.New(ver)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /refresh", auth.RefreshHandler(iss))

	pair, err := iss.Pair(context.Background(), exampleAlice())
	if err != nil {
		panic(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/refresh", nil)
	r.Header.Set("Authorization", "Bearer "+pair.Refresh.Raw)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, r)
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		panic(err)
	}
	claims, user, err := ver.Verify(context.Background(), body.AccessToken)
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.Code, body.TokenType, body.ExpiresIn)
	fmt.Println("new access token for", user.Name, "fresh:", claims.Fresh.At(ver.Now()))

	r = httptest.NewRequest(http.MethodPost, "/refresh", nil)
	r.Header.Set("Authorization", "Bearer "+pair.Access.Raw)
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, r)
	printResponse(rec)
	// Output:
	// 200 Bearer 900
	// new access token for Alice fresh: false
	// 401 Bearer realm="api", error="invalid_token", error_description="wrong token type"
	// {"msg":"wrong token type"}
}

// One request authenticated outside a middleware chain: a server-sent
// events endpoint checks the token, then streams. Refusals get the answer
// the guards give.
func ExampleAuth_Authenticate() {
	iss, ver := exampleSetup()
	auth, err := httpx.New(ver)
	if err != nil {
		panic(err)
	}
	events := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := auth.Authenticate(w, r, httpx.Required)
		if err != nil {
			auth.Refuse(w, r, err) // 401, 403, ... exactly as auth.Required answers
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: hello %s (%s, from the %s)\n\n", res.User.Name, res.Claims.Subject, res.Location)
	})

	tok, err := iss.Access(context.Background(), exampleAlice())
	if err != nil {
		panic(err)
	}
	for _, authorization := range []string{"Bearer " + tok.Raw, ""} {
		r := httptest.NewRequest(http.MethodGet, "/events", nil)
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		events.ServeHTTP(rec, r)
		printResponse(rec)
	}
	// Output:
	// 200
	// data: hello Alice (alice, from the header)
	// 401 Bearer realm="api"
	// {"msg":"missing token"}
}
