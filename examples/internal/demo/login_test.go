package demo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
)

// answer is what the login tests compare: the status and the JSON body.
type answer struct {
	Status int
	Body   map[string]any
}

// post serves POST /login with body on h and returns the answer.
func post(t *testing.T, h http.Handler, body string) answer {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body)))
	a := answer{Status: rec.Code}
	if err := json.Unmarshal(rec.Body.Bytes(), &a.Body); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", rec.Body, err)
	}
	return a
}

// issued is the time of the tokens the tests' issue functions make.
func issued() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC) }

// testToken returns the token the tests' issue functions make for u with
// the label label, which lives 15 minutes.
func testToken(u user, label string) jwtx.Token {
	return jwtx.Token{Raw: "token-for-" + u.ID + label, IssuedAt: issued(), ExpiresAt: issued().Add(15 * time.Minute)}
}

// errIssue is the error of an issue function that fails.
var errIssue = errors.New("cannot issue")

// loggedIn is the answer to a login that got the token raw.
func loggedIn(raw string) answer {
	return answer{http.StatusOK, map[string]any{"access_token": raw, "token_type": "Bearer", "expires_in": 900.0}}
}

// The answers to logins that fail.
func badRequest() answer { return answer{http.StatusBadRequest, map[string]any{"msg": "bad request"}} }
func unauthorized() answer {
	return answer{http.StatusUnauthorized, map[string]any{"msg": "bad username or password"}}
}
func internal() answer {
	return answer{http.StatusInternalServerError, map[string]any{"msg": "internal error"}}
}

func TestLogin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		body       string
		issueErr   error    // what issue returns
		want       answer   // the answer
		wantIssued []string // the IDs of the users issue was called for
	}{
		{
			name:       "alice",
			body:       `{"username": "alice", "password": "wonderland"}`,
			want:       loggedIn("token-for-u-1001"),
			wantIssued: []string{"u-1001"},
		},
		{
			name:       "bob",
			body:       `{"username": "bob", "password": "builder"}`,
			want:       loggedIn("token-for-u-1002"),
			wantIssued: []string{"u-1002"},
		},
		{
			name:       "unknown fields are ignored",
			body:       `{"username": "alice", "password": "wonderland", "device": "laptop"}`,
			want:       loggedIn("token-for-u-1001"),
			wantIssued: []string{"u-1001"},
		},
		{name: "wrong password", body: `{"username": "alice", "password": "looking-glass"}`, want: unauthorized()},
		{name: "unknown user", body: `{"username": "mallory", "password": "wonderland"}`, want: unauthorized()},
		{name: "no password", body: `{"username": "alice"}`, want: unauthorized()},
		{name: "null", body: `null`, want: unauthorized()},
		{name: "not JSON", body: `username=alice&password=wonderland`, want: badRequest()},
		{name: "empty", body: ``, want: badRequest()},
		{name: "not an object", body: `["alice", "wonderland"]`, want: badRequest()},
		{name: "a number for a name", body: `{"username": 1, "password": "wonderland"}`, want: badRequest()},
		{
			name: "over 4 KiB",
			body: `{"username": "alice", "password": "wonderland", "pad": "` + strings.Repeat("x", 4<<10) + `"}`,
			want: badRequest(),
		},
		{
			name:       "issue fails",
			body:       `{"username": "alice", "password": "wonderland"}`,
			issueErr:   errIssue,
			want:       internal(),
			wantIssued: []string{"u-1001"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var gotIssued []string
			h := Login(newTestUsers(t), func(ctx context.Context, u user) (jwtx.Token, error) {
				gotIssued = append(gotIssued, u.ID)
				if tc.issueErr != nil {
					return jwtx.Token{}, tc.issueErr
				}
				return testToken(u, ""), nil
			})
			if diff := cmp.Diff(tc.want, post(t, h, tc.body)); diff != "" {
				t.Errorf("POST /login %s mismatch (-want +got):\n%s", tc.body, diff)
			}
			if diff := cmp.Diff(tc.wantIssued, gotIssued, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("users issued for (-want +got):\n%s", diff)
			}
		})
	}
}

// deviceLogin is a login request with a device label of at most 8 bytes.
type deviceLogin struct {
	Credentials
	Device string `json:"device"`
}

// Validate refuses a device label longer than 8 bytes.
func (in deviceLogin) Validate() error {
	if len(in.Device) > 8 {
		return errors.New("device label too long")
	}
	return nil
}

// LoginWith reads the fields of the request beyond the credentials and
// refuses those the request's Validate method refuses, before the password
// is checked.
func TestLoginWith(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		body       string
		want       answer
		wantIssued []deviceLogin // the requests issue was called with
	}{
		{
			name: "with a device",
			body: `{"username": "alice", "password": "wonderland", "device": "laptop"}`,
			want: loggedIn("token-for-u-1001/laptop"),
			wantIssued: []deviceLogin{{
				Credentials: Credentials{Username: "alice", Password: "wonderland"},
				Device:      "laptop",
			}},
		},
		{
			name:       "without",
			body:       `{"username": "bob", "password": "builder"}`,
			want:       loggedIn("token-for-u-1002/"),
			wantIssued: []deviceLogin{{Credentials: Credentials{Username: "bob", Password: "builder"}}},
		},
		{
			name: "device label too long",
			body: `{"username": "alice", "password": "wonderland", "device": "a-long-label"}`,
			want: badRequest(),
		},
		{
			// Validate runs first: a bad request says nothing of the password.
			name: "device label too long, wrong password",
			body: `{"username": "alice", "password": "looking-glass", "device": "a-long-label"}`,
			want: badRequest(),
		},
		{
			name: "wrong password",
			body: `{"username": "alice", "password": "looking-glass", "device": "laptop"}`,
			want: unauthorized(),
		},
		{name: "not JSON", body: `{"username": "alice"`, want: badRequest()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var gotIssued []deviceLogin
			h := LoginWith(newTestUsers(t), func(ctx context.Context, u user, in deviceLogin) (jwtx.Token, error) {
				gotIssued = append(gotIssued, in)
				return testToken(u, "/"+in.Device), nil
			})
			if diff := cmp.Diff(tc.want, post(t, h, tc.body)); diff != "" {
				t.Errorf("POST /login %s mismatch (-want +got):\n%s", tc.body, diff)
			}
			if diff := cmp.Diff(tc.wantIssued, gotIssued, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("requests issued for (-want +got):\n%s", diff)
			}
		})
	}
}
