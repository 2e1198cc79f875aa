package demotest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// LoginRequest returns a request for POST /login whose body is the JSON
// object of fields, such as {"username": "alice", "password": "wonderland"}.
func LoginRequest(fields map[string]string) *http.Request {
	body, _ := json.Marshal(fields) // a map of strings always marshals
	return httptest.NewRequest(http.MethodPost, "/login", bytes.NewReader(body))
}

// LogIn serves the login request r with h and decodes the JSON body of the
// answer into v, such as a pointer to a struct of the tokens. It fails the
// test unless the answer is 200 OK with a body that decodes into v.
func LogIn(tb testing.TB, h http.Handler, r *http.Request, v any) {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if err := json.Unmarshal(rec.Body.Bytes(), v); rec.Code != http.StatusOK || err != nil {
		tb.Fatalf("demotest: login: status %d, body %q", rec.Code, rec.Body)
	}
}

// AccessToken serves the login request r with h and returns the access
// token of the answer. It fails the test unless the answer is 200 OK with
// an access_token.
func AccessToken(tb testing.TB, h http.Handler, r *http.Request) string {
	tb.Helper()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	LogIn(tb, h, r, &body)
	if body.AccessToken == "" {
		tb.Fatalf("demotest: login: no access_token")
	}
	return body.AccessToken
}
