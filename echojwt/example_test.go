package echojwt_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/typedjwt/typedjwt/echojwt"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
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
func exampleServe(h http.Handler, target, token string) {
	r := httptest.NewRequest("GET", target, nil)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if ch := rec.Header().Get("WWW-Authenticate"); ch != "" {
		fmt.Println(rec.Code, ch)
	}
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
}

// A route that needs a token. Refusals go through echo's error handler.
func ExampleAuth_Required() {
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](exampleKey(), exampleClock())
	if err != nil {
		panic(err)
	}
	auth, err := echojwt.New(ver)
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.GET("/me", func(c *echo.Context) error {
		claims, _ := echojwt.From[jwtx.RegisteredClaims](c)
		user, _ := echojwt.UserFrom[string](c)
		return c.JSON(http.StatusOK, map[string]string{"sub": claims.Subject, "user": user})
	}, auth.Required())

	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](exampleKey(), exampleClock())
	if err != nil {
		panic(err)
	}
	tok, err := iss.Access(context.Background(), "alice")
	if err != nil {
		panic(err)
	}
	exampleServe(e, "/me", tok.Raw)
	exampleServe(e, "/me", "")
	exampleServe(e, "/me", "not.a.token")
	// Output:
	// 200 {"sub":"alice","user":"alice"}
	// 401 Bearer realm="api"
	// 401 {"message":"missing token"}
	// 401 Bearer realm="api", error="invalid_token", error_description="invalid token"
	// 401 {"message":"invalid token"}
}

// An error handler of the application's own answers refusals by their
// stable reason.
func ExampleAuth_Required_errorHandler() {
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](exampleKey(), exampleClock())
	if err != nil {
		panic(err)
	}
	auth, err := echojwt.New(ver)
	if err != nil {
		panic(err)
	}
	e := echo.NewWithConfig(echo.Config{HTTPErrorHandler: func(c *echo.Context, err error) {
		code := http.StatusInternalServerError
		var sc echo.HTTPStatusCoder
		if errors.As(err, &sc) {
			code = sc.StatusCode()
		}
		_ = c.JSON(code, map[string]any{"error": httpx.ReasonOf(err)})
	}})
	e.GET("/me", func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) }, auth.Required())

	anHourAgo := jwtx.WithClock(jwtx.ClockFunc(func() time.Time { return time.Date(2026, 1, 2, 2, 4, 5, 0, time.UTC) }))
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](exampleKey(), anHourAgo)
	if err != nil {
		panic(err)
	}
	tok, err := iss.Access(context.Background(), "alice") // expired 45 minutes ago
	if err != nil {
		panic(err)
	}
	exampleServe(e, "/me", tok.Raw)
	// Output:
	// 401 Bearer realm="api", error="invalid_token", error_description="token expired"
	// 401 {"error":"expired"}
}
