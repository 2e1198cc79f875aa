package redisstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/redis/go-redis/v9"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
	"github.com/typedjwt/typedjwt/redisstore"
)

// outage is an application whose revocation and rotation store is Redis:
// an Issuer, a Verifier checking revocations, and an httpx refresh
// endpoint with rotation and a protected route, all on one Store, in front
// of a redis-server that the test can kill and restart.
type outage struct {
	srv   *redisServer
	clock *testutil.Clock
	store *redisstore.Store
	iss   *jwtx.Issuer[string, jwtx.RegisteredClaims]
	ver   *jwtx.Verifier[string, jwtx.RegisteredClaims]
	mux   *http.ServeMux
}

func newOutage(t *testing.T) *outage {
	t.Helper()
	srv := startRedis(t)
	// Settings for a store on the request path: one command retry and one
	// dial attempt (the go-redis defaults are 3 retries and 5 dial attempts
	// with back-off), so that a request fails fast while Redis is down. The
	// pool is larger than the number of dials the test sees fail: after
	// PoolSize failed dials, go-redis stops dialling and probes the server
	// once a second, which would delay recovery by up to a second.
	client := redis.NewClient(&redis.Options{
		Addr: srv.Addr(), MaxRetries: 1, DialerRetries: 1, DialTimeout: time.Second, PoolSize: 64,
	})
	t.Cleanup(func() { _ = client.Close() })
	return newOutageOn(t, srv, client)
}

// newOutageOn is newOutage on a client of srv, with store options.
func newOutageOn(t *testing.T, srv *redisServer, client *redis.Client, opts ...redisstore.Option) *outage {
	t.Helper()
	clock := testutil.NewClock(time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC))
	store := newStore(t, client, append([]redisstore.Option{redisstore.WithClock(clock)}, opts...)...)
	key, err := jwtx.NewKey(jwtx.HS256, []byte("redisstore-test-secret-32-bytes!!"))
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, jwtx.WithClock(clock), jwtx.WithRotation(store))
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewVerifier[string, jwtx.RegisteredClaims](key, jwtx.WithClock(clock), jwtx.WithRevocation(store),
		jwtx.WithUserLoader(func(_ context.Context, sub string) (string, error) { return sub, nil }))
	if err != nil {
		t.Fatal(err)
	}
	auth, err := httpx.New(ver, httpx.WithRotation(store), httpx.WithRevoker(store), httpx.WithLocations(httpx.FromHeader))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /refresh", auth.RefreshHandler(iss))
	mux.Handle("GET /me", auth.Required(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"msg": "hello"})
	})))
	return &outage{srv: srv, clock: clock, store: store, iss: iss, ver: ver, mux: mux}
}

// login issues a token pair of a new family.
func (o *outage) login(t *testing.T) jwtx.TokenPair {
	t.Helper()
	pair, err := o.iss.Pair(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	return pair
}

// call sends a request with a bearer token and returns the status and
// the decoded body.
func (o *outage) call(t *testing.T, method, path, token string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	o.mux.ServeHTTP(rec, req)
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s %s: body %q: %v", method, path, rec.Body.String(), err)
	}
	return rec.Code, body
}

// TestRedisDownFailsClosed kills redis-server mid-test: every store call
// fails, and no token gets through, valid or not.
func TestRedisDownFailsClosed(t *testing.T) {
	t.Parallel()
	o := newOutage(t)
	ctx := t.Context()
	login := o.login(t)
	if _, _, err := o.ver.Verify(ctx, login.Access.Raw); err != nil {
		t.Fatalf("Verify with Redis up: %v", err)
	}
	if code, body := o.call(t, "POST", "/refresh", login.Refresh.Raw); code != http.StatusOK {
		t.Fatalf("refresh with Redis up: %d %v", code, body)
	}
	fresh := o.login(t)

	o.srv.Stop()

	t.Run("store", func(t *testing.T) {
		info := fresh.Access.Info()
		for _, tc := range []struct {
			name string
			call func(context.Context) error
		}{
			{name: "Revoked", call: func(ctx context.Context) error {
				revoked, err := o.store.Revoked(ctx, info)
				if revoked {
					return errors.New("Revoked answered true with an error")
				}
				return err
			}},
			{name: "Revoke", call: func(ctx context.Context) error { return o.store.Revoke(ctx, info) }},
			{name: "RevokeSubject", call: func(ctx context.Context) error { return o.store.RevokeSubject(ctx, "alice", time.Now()) }},
			{name: "Rotate", call: func(ctx context.Context) error {
				return o.store.Rotate(ctx, fresh.Refresh.Family, fresh.Refresh.ID, "next", fresh.Refresh.ExpiresAt)
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				err := tc.call(t.Context())
				if err == nil || errors.Is(err, jwtx.ErrReused) || errors.Is(err, jwtx.ErrRevoked) {
					t.Errorf("%s with Redis down = %v, want a Redis error", tc.name, err)
				}
			})
		}
	})

	t.Run("verifier", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			verify func(context.Context, string) (jwtx.RegisteredClaims, string, error)
			token  string
		}{
			{name: "valid access token", verify: o.ver.Verify, token: fresh.Access.Raw},
			{name: "valid refresh token", verify: o.ver.VerifyRefresh, token: fresh.Refresh.Raw},
			{name: "verified before the outage", verify: o.ver.Verify, token: login.Access.Raw},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				claims, user, err := tc.verify(t.Context(), tc.token)
				if diff := cmp.Diff(jwtx.ErrRevocationUnavailable, err, cmpopts.EquateErrors()); diff != "" {
					t.Errorf("error mismatch (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(jwtx.RegisteredClaims{}, claims); diff != "" || user != "" {
					t.Errorf("user %q and claims (-want +got):\n%s", user, diff)
				}
			})
		}
	})

	t.Run("http", func(t *testing.T) {
		for _, tc := range []struct {
			name, method, path, token string
		}{
			{name: "protected route", method: "GET", path: "/me", token: fresh.Access.Raw},
			{name: "refresh", method: "POST", path: "/refresh", token: fresh.Refresh.Raw},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				code, body := o.call(t, tc.method, tc.path, tc.token)
				if code != http.StatusServiceUnavailable || body["access_token"] != nil || body["refresh_token"] != nil {
					t.Errorf("%s %s with Redis down: %d %v, want 503 and no token", tc.method, tc.path, code, body)
				}
			})
		}
	})
}

// TestRedisRestartRecovers kills redis-server and starts a new one on the
// same port: the same Store, on the same client, works again at once.
func TestRedisRestartRecovers(t *testing.T) {
	t.Parallel()
	o := newOutage(t)
	ctx := t.Context()
	before := o.login(t)
	o.srv.Stop()
	if _, _, err := o.ver.Verify(ctx, before.Access.Raw); !errors.Is(err, jwtx.ErrRevocationUnavailable) {
		t.Fatalf("Verify with Redis down = %v, want ErrRevocationUnavailable", err)
	}
	o.srv.Start(t)

	// The first call after the restart reaches the new server.
	after := o.login(t)
	if _, _, err := o.ver.Verify(ctx, after.Access.Raw); err != nil {
		t.Fatalf("Verify after the restart: %v", err)
	}
	// Rotation works: the new server has no scripts cached, and the store
	// loads them again.
	code, body := o.call(t, "POST", "/refresh", after.Refresh.Raw)
	if code != http.StatusOK {
		t.Fatalf("refresh after the restart: %d %v", code, body)
	}
	if code, body := o.call(t, "POST", "/refresh", after.Refresh.Raw); code != http.StatusUnauthorized {
		t.Errorf("replayed refresh after the restart: %d %v, want 401", code, body)
	}
	if err := o.store.Revoke(ctx, after.Access.Info()); err != nil {
		t.Fatalf("Revoke after the restart: %v", err)
	}
	if _, _, err := o.ver.Verify(ctx, after.Access.Raw); !errors.Is(err, jwtx.ErrRevoked) {
		t.Errorf("Verify of a token revoked after the restart = %v, want ErrRevoked", err)
	}
}

// TestRedisRestartedEmptyRevivesRevokedTokens reproduces a Redis without
// persistence restarting empty: every revocation was forgotten, and
// revoked tokens were accepted again. The store sees the data-loss marker
// gone and refuses every token issued before the loss, revoked or not,
// until they expire or the operator lifts the cutoff (ForgiveLoss).
func TestRedisRestartedEmptyRevivesRevokedTokens(t *testing.T) {
	t.Parallel()
	o := newOutage(t)
	ctx := t.Context()
	revoked, live := o.login(t), o.login(t)
	if err := o.store.Revoke(ctx, revoked.Access.Info()); err != nil {
		t.Fatal(err)
	}
	o.clock.Advance(time.Minute)
	o.srv.Stop()
	o.srv.Start(t) // empty: the test server keeps nothing on disk

	for name, tok := range map[string]jwtx.Token{
		"revoked access": revoked.Access, "revoked refresh": revoked.Refresh,
		"live access": live.Access, "live refresh": live.Refresh,
	} {
		want := jwtx.ExpectAccess
		if tok.Type == jwtx.Refresh {
			want = jwtx.ExpectRefresh
		}
		if _, _, err := o.ver.VerifyClaims(ctx, tok.Raw, want); !errors.Is(err, jwtx.ErrRevoked) {
			t.Errorf("%s issued before the loss: %v, want ErrRevoked", name, err)
		}
	}
	if code, body := o.call(t, "POST", "/refresh", live.Refresh.Raw); code != http.StatusUnauthorized {
		t.Errorf("refresh with a token from before the loss: %d %v, want 401", code, body)
	}
	after := o.login(t)
	if _, _, err := o.ver.Verify(ctx, after.Access.Raw); err != nil {
		t.Errorf("token issued after the loss: %v", err)
	}
	if code, body := o.call(t, "POST", "/refresh", after.Refresh.Raw); code != http.StatusOK {
		t.Errorf("refresh with a token from after the loss: %d %v, want 200", code, body)
	}
	// The operator lifts the cutoff: tokens from before the loss are
	// accepted again, the forgotten revocation included.
	if err := o.store.ForgiveLoss(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := o.ver.Verify(ctx, live.Access.Raw); err != nil {
		t.Errorf("token from before the loss after ForgiveLoss: %v", err)
	}
}
