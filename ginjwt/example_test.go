package ginjwt_test

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/typedjwt/typedjwt/ginjwt"
	"github.com/typedjwt/typedjwt/jwtx"
)

// exampleKey is a fixed HS256 key for the examples. Real secrets come from
// a secret store and are at least 32 random bytes.
func exampleKey() *jwtx.Key {
	key, err := jwtx.NewKey(jwtx.HS256, []byte("example-secret-of-at-least-32-bytes!"))
	if err != nil {
		panic(err)
	}
	return key
}

// exampleClock is a fixed clock, so that the examples' tokens are the same
// in every run.
func exampleClock() jwtx.Option {
	return jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
}

// exampleServe runs one request through h and prints the answer.
func exampleServe(h http.Handler, method, target, body, token string) {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
}

// A route that needs a token, read back with the typed accessors.
func ExampleAuth_Required() {
	gin.SetMode(gin.ReleaseMode)
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](exampleKey(), exampleClock())
	if err != nil {
		panic(err)
	}
	auth, err := ginjwt.New(ver)
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.GET("/me", auth.Required(), func(c *gin.Context) {
		claims, _ := ginjwt.From[jwtx.RegisteredClaims](c) // works without ContextWithFallback
		user, _ := ginjwt.UserFrom[string](c)
		c.JSON(http.StatusOK, gin.H{"sub": claims.Subject, "user": user})
	})

	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](exampleKey(), exampleClock())
	if err != nil {
		panic(err)
	}
	tok, err := iss.Access(context.Background(), "alice")
	if err != nil {
		panic(err)
	}
	exampleServe(r, "GET", "/me", "", tok.Raw)
	exampleServe(r, "GET", "/me", "", "")
	// Output:
	// 200 {"sub":"alice","user":"alice"}
	// 401 {"msg":"missing token"}
}

// The seed scenario "tokens from complex objects" on gin: the Issuer makes
// the subject and the claims from a User struct at login, and GET /me reads
// them back, typed, straight from the *gin.Context. No glue code.
func Example_complexObjects() {
	gin.SetMode(gin.ReleaseMode)

	type User struct {
		ID       string // stable: the token subject
		Name     string // the login name; it can change
		Password string // a hash in a real store
		Roles    []string
	}
	type Claims struct {
		jwtx.RegisteredClaims
		Roles []string `json:"roles"`
	}
	users := map[string]User{
		"alice": {ID: "u-1001", Name: "alice", Password: "wonderland", Roles: []string{"admin", "editor"}},
		"bob":   {ID: "u-1002", Name: "bob", Password: "builder", Roles: []string{"viewer"}},
	}

	iss, err := jwtx.NewIssuer[User, Claims](exampleKey(), exampleClock(),
		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }),
	)
	if err != nil {
		panic(err)
	}
	ver, err := jwtx.NewClaimsVerifier[Claims](exampleKey(), exampleClock())
	if err != nil {
		panic(err)
	}
	auth, err := ginjwt.New(ver)
	if err != nil {
		panic(err)
	}

	r := gin.New()
	r.POST("/login", func(c *gin.Context) {
		var in struct{ Username, Password string }
		if err := c.ShouldBindJSON(&in); err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"msg": "bad request"})
			return
		}
		u, ok := users[in.Username]
		if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(in.Password)) != 1 {
			c.JSON(http.StatusUnauthorized, gin.H{"msg": "bad username or password"})
			return
		}
		tok, err := iss.Access(c.Request.Context(), u)
		if err != nil {
			c.JSON(http.StatusInternalServerError, gin.H{"msg": "internal error"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"access_token": tok.Raw})
	})
	r.GET("/me", auth.Required(), func(c *gin.Context) {
		claims, _ := ginjwt.From[Claims](c)
		c.JSON(http.StatusOK, gin.H{"sub": claims.Subject, "roles": claims.Roles})
	})

	// Log in as alice, then call /me with her token.
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("POST", "/login", strings.NewReader(`{"username":"alice","password":"wonderland"}`)))
	var login struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &login); err != nil {
		panic(err)
	}
	fmt.Println(rec.Code, "token issued:", login.AccessToken != "")
	exampleServe(r, "GET", "/me", "", login.AccessToken)
	exampleServe(r, "POST", "/login", `{"username":"alice","password":"looking-glass"}`, "")
	exampleServe(r, "GET", "/me", "", "")
	// Output:
	// 200 token issued: true
	// 200 {"roles":["admin","editor"],"sub":"u-1001"}
	// 401 {"msg":"bad username or password"}
	// 401 {"msg":"missing token"}
}

// A handler that takes the typed claims and user as arguments, behind an
// authorization check.
func ExampleAuth_HandlerFunc() {
	gin.SetMode(gin.ReleaseMode)
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](exampleKey(), exampleClock())
	if err != nil {
		panic(err)
	}
	auth, err := ginjwt.New(ver)
	if err != nil {
		panic(err)
	}
	onlyAlice := func(_ context.Context, _ jwtx.RegisteredClaims, user string) error {
		if user != "alice" {
			return fmt.Errorf("%s is not alice", user)
		}
		return nil
	}
	r := gin.New()
	r.GET("/diary", auth.HandlerFunc(func(c *gin.Context, claims jwtx.RegisteredClaims, user string) {
		c.String(http.StatusOK, "dear diary, %s here", user)
	}, onlyAlice))

	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](exampleKey(), exampleClock())
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"alice", "bob"} {
		tok, err := iss.Access(context.Background(), name)
		if err != nil {
			panic(err)
		}
		exampleServe(r, "GET", "/diary", "", tok.Raw)
	}
	// Output:
	// 200 dear diary, alice here
	// 403 {"msg":"forbidden"}
}
