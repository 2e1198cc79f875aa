package demo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
)

// The errors of the steps of ServeAPI that fail in tests.
var (
	errUsers = errors.New("no users")
	errAPI   = errors.New("no API")
)

// ServeAPI goes through its steps in order, stops at the first that fails,
// and otherwise serves the API until its context is done.
func TestServeAPI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		addr      string
		alg       jwtx.Algorithm
		usersErr  error    // what the users function returns
		apiErr    error    // what the api function returns
		wantSteps []string // the steps ServeAPI called back
		wantBody  string   // the answer of the API to GET /; "" if it never served
		wantErr   error
	}{
		{
			name:      "HS256",
			addr:      "127.0.0.1:0",
			alg:       jwtx.HS256,
			wantSteps: []string{"users 600000", "api HS256", "ready"},
			wantBody:  "alice, signed with HS256",
		},
		{
			name:      "ES256 on localhost",
			addr:      "localhost:0",
			alg:       jwtx.ES256,
			wantSteps: []string{"users 600000", "api ES256", "ready"},
			wantBody:  "alice, signed with ES256",
		},
		{name: "not loopback", addr: "0.0.0.0:0", alg: jwtx.HS256, wantErr: ErrNotLoopback},
		{name: "no key", addr: "127.0.0.1:0", alg: jwtx.RS256, wantErr: cmpopts.AnyError},
		{
			name:      "users fail",
			addr:      "127.0.0.1:0",
			alg:       jwtx.HS256,
			usersErr:  errUsers,
			wantSteps: []string{"users 600000"},
			wantErr:   errUsers,
		},
		{
			name:      "API fails",
			addr:      "127.0.0.1:0",
			alg:       jwtx.HS256,
			apiErr:    errAPI,
			wantSteps: []string{"users 600000", "api HS256"},
			wantErr:   errAPI,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var steps []string
			users := func(iter int) (*Users[user], error) {
				steps = append(steps, fmt.Sprint("users ", iter))
				if tc.usersErr != nil {
					return nil, tc.usersErr
				}
				// Hash with testIterations rather than iter, to run fast.
				return NewUsers(testIterations, userKeys, []Account[user]{{User: alice(), Password: "wonderland"}})
			}
			api := func(key *jwtx.Key, clock jwtx.Clock, us *Users[user]) (http.Handler, error) {
				steps = append(steps, fmt.Sprint("api ", key.Algorithm()))
				if tc.apiErr != nil {
					return nil, tc.apiErr
				}
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					u, err := us.Load(r.Context(), "u-1001")
					if err != nil || clock.Now().IsZero() {
						http.Error(w, "no alice or no clock", http.StatusInternalServerError)
						return
					}
					fmt.Fprintf(w, "%s, signed with %s", u.Name, key.Algorithm())
				}), nil
			}
			type result struct {
				Body string
				Err  error
			}
			got := make(chan result, 1)
			ready := func(base string) {
				steps = append(steps, "ready")
				// The API is served once ready returns.
				go func() {
					body, err := get(base + "/")
					got <- result{body, err}
					cancel()
				}()
			}
			err := ServeAPI(ctx, tc.addr, tc.alg, users, api, ready)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("ServeAPI error mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantSteps, steps); diff != "" {
				t.Errorf("ServeAPI steps (-want +got):\n%s", diff)
			}
			var gotResult result
			select {
			case gotResult = <-got: // sent before ServeAPI's context ended
			default:
			}
			if diff := cmp.Diff(result{Body: tc.wantBody}, gotResult, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("GET / mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
