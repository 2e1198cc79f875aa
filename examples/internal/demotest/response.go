package demotest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Response is what the examples' tests compare: the status and the JSON
// body of an answer.
type Response struct {
	Status int
	Body   map[string]any
}

// Do serves r with h and returns the answer. The values that differ on
// every login, the tokens (access_token, reports_token) and the token ID
// (jti), read "<access_token>", "<reports_token>" and "<jti>" instead when
// they are non-empty strings, so that tests can compare bodies as a whole.
// Do fails the test if the body is not a JSON object.
func Do(tb testing.TB, h http.Handler, r *http.Request) Response {
	tb.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	resp := Response{Status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp.Body); err != nil {
		tb.Fatalf("demotest: %s %s: body %q is not a JSON object: %v", r.Method, r.URL, rec.Body, err)
	}
	for _, k := range []string{"access_token", "reports_token", "jti"} {
		if s, ok := resp.Body[k].(string); ok && s != "" {
			resp.Body[k] = "<" + k + ">"
		}
	}
	return resp
}
