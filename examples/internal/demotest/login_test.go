package demotest

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoginRequest(t *testing.T) {
	t.Parallel()
	type request struct {
		Method, Path string
		Body         map[string]string
	}
	for _, tc := range []struct {
		name   string
		fields map[string]string
	}{
		{name: "credentials", fields: map[string]string{"username": "alice", "password": "wonderland"}},
		{name: "more fields", fields: map[string]string{"username": "alice", "password": "wonderland", "promo": ""}},
		{name: "none", fields: map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := LoginRequest(tc.fields)
			got := request{Method: r.Method, Path: r.URL.Path}
			b, err := io.ReadAll(r.Body)
			if err != nil {
				t.Fatalf("reading the body: %v", err)
			}
			if err := json.Unmarshal(b, &got.Body); err != nil {
				t.Fatalf("body %q is not a JSON object: %v", b, err)
			}
			if diff := cmp.Diff(request{Method: http.MethodPost, Path: "/login", Body: tc.fields}, got); diff != "" {
				t.Errorf("LoginRequest mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// LogIn decodes a successful login's answer, and AccessToken returns its
// access token; both fail the test on any other answer.
func TestLogIn(t *testing.T) {
	t.Parallel()
	type tokens struct {
		Access  string `json:"access_token"`
		Reports string `json:"reports_token"`
	}
	type result struct {
		LogIn       tokens
		LogInFatal  bool
		AccessToken string
		AccessFatal bool
	}
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   result
	}{
		{
			name:   "one token",
			status: http.StatusOK,
			body:   `{"access_token": "a.b.c", "token_type": "Bearer", "expires_in": 900}`,
			want:   result{LogIn: tokens{Access: "a.b.c"}, AccessToken: "a.b.c"},
		},
		{
			name:   "two tokens",
			status: http.StatusOK,
			body:   `{"access_token": "a.b.c", "reports_token": "d.e.f"}`,
			want:   result{LogIn: tokens{Access: "a.b.c", Reports: "d.e.f"}, AccessToken: "a.b.c"},
		},
		{
			name:   "no access token",
			status: http.StatusOK,
			body:   `{"token_type": "Bearer"}`,
			want:   result{AccessFatal: true},
		},
		{
			name:   "refused",
			status: http.StatusUnauthorized,
			body:   `{"msg": "bad username or password"}`,
			want:   result{LogInFatal: true, AccessFatal: true},
		},
		{
			name:   "not JSON",
			status: http.StatusOK,
			body:   `access_token=a.b.c`,
			want:   result{LogInFatal: true, AccessFatal: true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := answering(tc.status, tc.body)
			req := func() *http.Request {
				return LoginRequest(map[string]string{"username": "alice", "password": "wonderland"})
			}
			var got result
			got.LogInFatal = fatal(t, func(tb testing.TB) { LogIn(tb, h, req(), &got.LogIn) })
			got.AccessFatal = fatal(t, func(tb testing.TB) { got.AccessToken = AccessToken(tb, h, req()) })
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("LogIn and AccessToken mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
