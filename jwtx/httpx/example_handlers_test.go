package httpx_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// A refusal answered one reason's way: a user that is gone gets 404 with
// its id, read from the verified claims the handler's request carries.
func ExampleWithReasonHandler() {
	iss, ver := exampleSetup()
	auth, err := httpx.New(ver, httpx.WithReasonHandler(httpx.ReasonUserMissing, func(w http.ResponseWriter, r *http.Request, _ error) {
		c, _ := jwtx.From[Claims](r.Context())
		httpx.WriteJSON(w, http.StatusNotFound, map[string]string{"msg": "User " + c.Subject + " not found"})
	}))
	if err != nil {
		panic(err)
	}
	me := auth.Required(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))

	bob, err := iss.Access(context.Background(), User{ID: "bob"}) // not in the user store
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+bob.Raw)
	rec := httptest.NewRecorder()
	me.ServeHTTP(rec, req)
	printResponse(rec)
	// Output:
	// 404
	// {"msg":"User bob not found"}
}

// Every refusal answered one way, FastAPI's {"detail": ...}, from the
// reason table; an expired token's subject comes from its *jwtx.TokenError.
func ExampleWithErrorHandler() {
	_, ver := exampleSetup()
	auth, err := httpx.New(ver, httpx.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
		reason := httpx.ReasonOf(err)
		detail := reason.Message()
		var te *jwtx.TokenError
		if reason == httpx.ReasonExpired && errors.As(err, &te) {
			detail = "token of " + te.Token.Subject + " expired"
		}
		httpx.WriteJSON(w, reason.Status(), map[string]string{"detail": detail})
	}))
	if err != nil {
		panic(err)
	}
	me := auth.Required(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	for _, header := range []string{"", "Bearer not.a.token"} {
		req := httptest.NewRequest("GET", "/me", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		rec := httptest.NewRecorder()
		me.ServeHTTP(rec, req)
		printResponse(rec)
	}
	// Output:
	// 401
	// {"detail":"missing token"}
	// 401
	// {"detail":"invalid token"}
}

// A handler that takes the typed claims and user as arguments, with an
// authorization check: no context lookups, no type assertions.
func ExampleAuth_HandlerFunc() {
	iss, ver := exampleSetup()
	auth, err := httpx.New(ver)
	if err != nil {
		panic(err)
	}
	isAdmin := func(_ context.Context, c Claims, _ User) error {
		if !slices.Contains(c.Roles, "admin") {
			return errors.New("not an admin")
		}
		return nil
	}
	h := auth.HandlerFunc(func(w http.ResponseWriter, _ *http.Request, c Claims, u User) {
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"hello": u.Name, "roles": c.Roles})
	}, isAdmin)

	tok, err := iss.Access(context.Background(), exampleAlice())
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest("GET", "/admin", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Raw)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	printResponse(rec)
	// Output:
	// 200
	// {"hello":"Alice","roles":["admin"]}
}

// A route for admins: a valid token whose check fails gets 403.
func ExampleAuth_Authorize() {
	iss, ver := exampleSetup()
	auth, err := httpx.New(ver)
	if err != nil {
		panic(err)
	}
	isAuditor := func(_ context.Context, c Claims, _ User) error {
		if !slices.Contains(c.Roles, "auditor") {
			return errors.New("auditors only")
		}
		return nil
	}
	audit := auth.Authorize(isAuditor)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))

	tok, err := iss.Access(context.Background(), exampleAlice()) // an admin, not an auditor
	if err != nil {
		panic(err)
	}
	req := httptest.NewRequest("GET", "/audit", nil)
	req.Header.Set("Authorization", "Bearer "+tok.Raw)
	rec := httptest.NewRecorder()
	audit.ServeHTTP(rec, req)
	printResponse(rec)
	// Output:
	// 403 Bearer realm="api", error="insufficient_scope", error_description="forbidden"
	// {"msg":"forbidden"}
}
