package demotest

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/examples/internal/demo"
	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// user is an example's user type.
type user struct{ ID, Name string }

// newUsers returns a store of alice/wonderland, hashed with iter
// iterations.
func newUsers(iter int) (*demo.Users[user], error) {
	return demo.NewUsers(iter, func(u user) (id, name string) { return u.ID, u.Name }, []demo.Account[user]{
		{User: user{ID: "u-1001", Name: "alice"}, Password: "wonderland"},
	})
}

// NewServer builds the API from a test key, a clock at LoginTime and cheap
// users, and fails the test if it cannot.
func TestNewServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		alg       jwtx.Algorithm
		usersErr  error  // what the users function returns
		apiErr    error  // what the api function returns
		want      string // the API's answer to GET / after the clock moved a minute
		wantFatal bool
	}{
		{name: "HS256", alg: jwtx.HS256, want: "HS256, 1000 iterations, alice at 07:09:09"},
		{name: "ES256", alg: jwtx.ES256, want: "ES256, 1000 iterations, alice at 07:09:09"},
		{name: "users fail", alg: jwtx.HS256, usersErr: errors.New("no users"), wantFatal: true},
		{name: "API fails", alg: jwtx.HS256, apiErr: errors.New("no API"), wantFatal: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var iterations int
			users := func(iter int) (*demo.Users[user], error) {
				iterations = iter
				if tc.usersErr != nil {
					return nil, tc.usersErr
				}
				return newUsers(iter)
			}
			api := func(key *jwtx.Key, clock jwtx.Clock, us *demo.Users[user]) (http.Handler, error) {
				if tc.apiErr != nil {
					return nil, tc.apiErr
				}
				return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					u, ok := us.Authenticate("alice", "wonderland")
					if !ok {
						http.Error(w, "alice cannot log in", http.StatusInternalServerError)
						return
					}
					fmt.Fprintf(w, "%s, %d iterations, %s at %s", key.Algorithm(), iterations, u.Name, clock.Now().Format(time.TimeOnly))
				}), nil
			}
			var h http.Handler
			failed := fatal(t, func(tb testing.TB) {
				var clock *testutil.Clock
				h, clock = NewServer(tb, tc.alg, users, api)
				clock.Advance(time.Minute)
			})
			if failed != tc.wantFatal {
				t.Fatalf("NewServer failed the test: %t, want %t", failed, tc.wantFatal)
			}
			if tc.wantFatal {
				return
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if diff := cmp.Diff(tc.want, rec.Body.String()); diff != "" {
				t.Errorf("GET / mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
