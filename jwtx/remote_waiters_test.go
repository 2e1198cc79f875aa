package jwtx_test

// RemoteKeySet: verifications that wait for a fetch caused by unknown
// kids, in a synctest bubble (fake time, in-memory endpoint).

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// remoteGauge serves requests with h and records how many it serves at
// once, at most, and how long each one lasted.
type remoteGauge struct {
	h      http.Handler
	mu     sync.Mutex
	active int
	most   int
	lasted []time.Duration
}

func (g *remoteGauge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.active++
	g.most = max(g.most, g.active)
	g.mu.Unlock()
	start := time.Now()
	g.h.ServeHTTP(w, r)
	g.mu.Lock()
	g.active--
	g.lasted = append(g.lasted, time.Since(start))
	g.mu.Unlock()
}

// peak returns the most requests served at once so far.
func (g *remoteGauge) peak() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.most
}

// durations returns how long each request served so far lasted.
func (g *remoteGauge) durations() []time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]time.Duration(nil), g.lasted...)
}

// remoteOutcome is what one verification came to: how long it took and
// which class of error it returned.
type remoteOutcome struct {
	Waited time.Duration
	Err    string
}

// Error classes of remoteOutcome.
const (
	remoteOK       = "nil"
	remoteGaveUp   = "ErrKeyNotFound wrapping context.DeadlineExceeded"
	remoteNotFound = "ErrKeyNotFound"
)

// remoteClassify names the class of err, by errors.Is. An unknown kid is
// never ErrJWKS, which would fail every request of an httpx service closed.
func remoteClassify(err error) string {
	switch {
	case err == nil:
		return remoteOK
	case errors.Is(err, jwtx.ErrJWKS):
	case errors.Is(err, jwtx.ErrKeyNotFound) && errors.Is(err, context.DeadlineExceeded):
		return remoteGaveUp
	case errors.Is(err, jwtx.ErrKeyNotFound):
		return remoteNotFound
	}
	return fmt.Sprintf("unexpected: %v", err)
}

// remoteCall is one verification: a token, and the time after which its
// context ends.
type remoteCall struct {
	tok      string
	deadline time.Duration
}

// remoteVerifyAll makes the calls at once and returns their outcomes in
// order.
func remoteVerifyAll(ctx context.Context, v *jwtx.Verifier[jwtx.NoUser, Claims], calls []remoteCall) []remoteOutcome {
	got := make([]remoteOutcome, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, c.deadline)
			defer cancel()
			start := time.Now()
			_, _, err := v.Verify(ctx, c.tok)
			got[i] = remoteOutcome{Waited: time.Since(start), Err: remoteClassify(err)}
		})
	}
	wg.Wait()
	return got
}

// remoteBubbleEnv is a RemoteKeySet built in a synctest bubble on an
// in-memory endpoint, which starts by publishing the ring's key "k1".
type remoteBubbleEnv struct {
	ring  *jwtx.KeyRing
	iss   *jwtx.Issuer[User, Claims]
	end   *remoteEndpoint
	gauge *remoteGauge
	keys  *jwtx.RemoteKeySet
	ver   *jwtx.Verifier[jwtx.NoUser, Claims]
}

// remoteBubbleSetup builds the environment; the RemoteKeySet lives until
// ctx is done.
func remoteBubbleSetup(t *testing.T, ctx context.Context, opts ...jwtx.RemoteOption) *remoteBubbleEnv {
	t.Helper()
	e := &remoteBubbleEnv{ring: ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch))}
	e.iss = ringIssuer(t, e.ring, testutil.NewClock(ringEpoch))
	e.end = &remoteEndpoint{respond: remoteJWKS(e.ring)}
	e.gauge = &remoteGauge{h: e.end}
	base := []jwtx.RemoteOption{jwtx.WithJWKSHTTPClient(&http.Client{Transport: remoteTransport{e.gauge}})}
	keys, err := jwtx.NewRemoteKeySet(ctx, "https://idp.test"+remoteJWKSPath, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewRemoteKeySet: %v", err)
	}
	e.keys = keys
	e.ver = ringVerifier(t, keys, testutil.NewClock(ringEpoch))
	return e
}

// rotate makes "k2" the ring's active key; tokens issued from now on name
// a kid the RemoteKeySet does not know yet.
func (e *remoteBubbleEnv) rotate(t *testing.T) {
	t.Helper()
	ringRotate(t, e.ring, ringES256(t, "k2"), time.Hour)
}

// remoteSlow answers after d with the keys src published when the request
// came, or not at all if the client gives up first.
func remoteSlow(d time.Duration, src jwtx.PublicKeySource) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		doc, err := src.PublicJWKS()
		if err != nil {
			http.Error(w, "no keys", http.StatusInternalServerError)
			return
		}
		select {
		case <-time.After(d):
			remoteBody(http.StatusOK, "application/jwk-set+json", doc)(w, r)
		case <-r.Context().Done():
		}
	}
}

// TestUnknownKIDWaitersHonourTheirContext reproduces a finding: tokens with
// unknown kids waited for the refresh lock whatever their deadline, and
// with a minimum refresh interval below the fetch timeout each waiter
// started its own fetch in turn, so the k-th waited about k timeouts.
//
// Now every verification returns by its own deadline with ErrKeyNotFound
// wrapping the context's error; one fetch runs at a time, the waiters
// join it, and their giving up does not cut it short; the minimum refresh
// interval counts from the end of the last fetch, failed or not.
func TestUnknownKIDWaitersHonourTheirContext(t *testing.T) {
	t.Parallel()
	const (
		timeout    = 10 * time.Second
		minRefresh = 5 * time.Second // below the timeout, as in the finding
		deadline   = time.Second     // of each verification
		waiters    = 100
	)
	remoteBubble(t, func(t *testing.T, ctx context.Context) {
		e := remoteBubbleSetup(t, ctx, jwtx.WithJWKSTimeout(timeout), jwtx.WithJWKSMinRefreshInterval(minRefresh))

		// From now on the endpoint hangs until the client gives up.
		e.end.set(remoteBlock(nil))
		hung := time.Now()
		for i, st := range []struct {
			name        string
			at          time.Duration // since the endpoint began to hang
			before      func()
			want        remoteOutcome // of every verification
			wantFetches int64         // requests received by the end of the step
		}{
			{
				name:        "waiters give up at their deadline while the fetch hangs",
				want:        remoteOutcome{Waited: deadline, Err: remoteGaveUp},
				wantFetches: 2,
			},
			{
				name:        "waiters that come during the fetch join it",
				at:          timeout / 2,
				want:        remoteOutcome{Waited: deadline, Err: remoteGaveUp},
				wantFetches: 2,
			},
			{
				name:        "the failed fetch is not repeated within the minimum interval from its end",
				at:          timeout + minRefresh - time.Second,
				want:        remoteOutcome{Err: remoteNotFound},
				wantFetches: 2,
			},
			{
				name: "one fetch once the minimum interval from its end has passed",
				at:   timeout + minRefresh,
				before: func() {
					e.rotate(t)
					e.end.set(remoteJWKS(e.ring))
				},
				want:        remoteOutcome{Err: remoteNotFound},
				wantFetches: 3,
			},
		} {
			time.Sleep(time.Until(hung.Add(st.at)))
			if st.before != nil {
				st.before()
			}
			calls := make([]remoteCall, waiters)
			for j := range calls {
				calls[j] = remoteCall{tok: remoteSignedBy(t, remoteAttacker(t, fmt.Sprintf("unknown-%d-%d", i, j))), deadline: deadline}
			}
			got := map[remoteOutcome]int{}
			for _, o := range remoteVerifyAll(ctx, e.ver, calls) {
				got[o]++
			}
			if diff := cmp.Diff(map[remoteOutcome]int{st.want: waiters}, got); diff != "" {
				t.Errorf("%s: outcomes of %d verifications (-want +got):\n%s", st.name, waiters, diff)
			}
			if got := e.end.count(); got != st.wantFetches {
				t.Errorf("%s: JWKS fetches = %d, want %d", st.name, got, st.wantFetches)
			}
		}

		synctest.Wait()
		if got := e.gauge.peak(); got != 1 {
			t.Errorf("fetches in flight at once = %d, want 1", got)
		}
		// The start, the hanging fetch (run to its own timeout, though
		// every waiter gave up long before), the fetch after recovery.
		if diff := cmp.Diff([]time.Duration{0, timeout, 0}, e.gauge.durations()); diff != "" {
			t.Errorf("durations of the fetches (-want +got):\n%s", diff)
		}
		// The fetch after recovery brought the rotated key.
		if err := ringVerify(e.ver, ringToken(t, e.iss)); err != nil {
			t.Errorf("Verify(k2 token) = %v, want nil", err)
		}
		if lastOK, err := e.keys.Health(); err != nil || !lastOK.Equal(hung.Add(timeout+minRefresh)) {
			t.Errorf("Health() = %v, %v; want %v, nil", lastOK, err, hung.Add(timeout+minRefresh))
		}
		if got := e.end.count(); got != 3 {
			t.Errorf("JWKS fetches = %d, want 3", got)
		}
	})
}

// Whoever waits for a fetch (a token with an unknown kid, Refresh, the
// background refresh) joins the one in progress, waits only as long as its
// own context allows, and leaves the fetch running for the others.
func TestRemoteKeySetSharedFetch(t *testing.T) {
	t.Parallel()
	const timeout = 10 * time.Second
	for _, tc := range []struct {
		name string
		opts []jwtx.RemoteOption
		run  func(t *testing.T, ctx context.Context, e *remoteBubbleEnv)
		// how long each request to the endpoint lasted, the start's first
		wantDurations []time.Duration
	}{
		{
			name: "a waiter that gives up leaves the fetch to another",
			run: func(t *testing.T, ctx context.Context, e *remoteBubbleEnv) {
				e.rotate(t)
				e.end.set(remoteSlow(3*time.Second, e.ring))
				tok := ringToken(t, e.iss)
				got := remoteVerifyAll(ctx, e.ver, []remoteCall{{tok, time.Second}, {tok, 5 * time.Second}})
				want := []remoteOutcome{{Waited: time.Second, Err: remoteGaveUp}, {Waited: 3 * time.Second, Err: remoteOK}}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("outcomes (-want +got):\n%s", diff)
				}
			},
			wantDurations: []time.Duration{0, 3 * time.Second},
		},
		{
			name: "Refresh gives up at its deadline and the fetch goes on",
			run: func(t *testing.T, ctx context.Context, e *remoteBubbleEnv) {
				e.end.set(remoteBlock(nil))
				rctx, cancel := context.WithTimeout(ctx, time.Second)
				defer cancel()
				start := time.Now()
				err := e.keys.Refresh(rctx)
				if !errors.Is(err, jwtx.ErrJWKS) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Refresh() = %v, want an error wrapping %v and %v", err, jwtx.ErrJWKS, context.DeadlineExceeded)
				}
				if waited := time.Since(start); waited != time.Second {
					t.Errorf("Refresh() returned after %v, want %v", waited, time.Second)
				}
				if _, err := e.keys.Health(); err != nil {
					t.Errorf("Health() while the fetch runs = %v, want nil", err)
				}
				time.Sleep(timeout)
				synctest.Wait()
				if _, err := e.keys.Health(); !errors.Is(err, jwtx.ErrJWKS) {
					t.Errorf("Health() after the fetch timed out = %v, want an error wrapping %v", err, jwtx.ErrJWKS)
				}
			},
			wantDurations: []time.Duration{0, timeout},
		},
		{
			name: "Refresh waits for the fetch in progress, then fetches again",
			run: func(t *testing.T, ctx context.Context, e *remoteBubbleEnv) {
				e.end.set(remoteSlow(3*time.Second, e.ring))
				unknown := remoteSignedBy(t, remoteAttacker(t, "unknown"))
				var wg sync.WaitGroup
				wg.Go(func() {
					got := remoteVerifyAll(ctx, e.ver, []remoteCall{{unknown, time.Minute}})
					if diff := cmp.Diff([]remoteOutcome{{Waited: 3 * time.Second, Err: remoteNotFound}}, got); diff != "" {
						t.Errorf("outcome of the unknown kid (-want +got):\n%s", diff)
					}
				})
				// The fetch in progress has the old set: Refresh waits for
				// one that starts after the rotation.
				time.Sleep(time.Second)
				e.rotate(t)
				start := time.Now()
				if err := e.keys.Refresh(ctx); err != nil {
					t.Errorf("Refresh() = %v, want nil", err)
				}
				if waited := time.Since(start); waited != 5*time.Second {
					t.Errorf("Refresh() returned after %v, want %v", waited, 5*time.Second)
				}
				wg.Wait()
				if err := ringVerify(e.ver, ringToken(t, e.iss)); err != nil {
					t.Errorf("Verify(k2 token) after Refresh = %v, want nil", err)
				}
			},
			wantDurations: []time.Duration{0, 3 * time.Second, 3 * time.Second},
		},
		{
			name: "the background refresh joins the fetch in progress and counts its interval from its end",
			opts: []jwtx.RemoteOption{jwtx.WithJWKSRefreshInterval(2 * time.Second)},
			run: func(t *testing.T, ctx context.Context, e *remoteBubbleEnv) {
				e.end.set(remoteBlock(nil))
				unknown := remoteSignedBy(t, remoteAttacker(t, "unknown"))
				start := time.Now()
				got := remoteVerifyAll(ctx, e.ver, []remoteCall{{unknown, time.Second}})
				if diff := cmp.Diff([]remoteOutcome{{Waited: time.Second, Err: remoteGaveUp}}, got); diff != "" {
					t.Errorf("outcome of the unknown kid (-want +got):\n%s", diff)
				}
				// The background refresh was due at 2s, during the fetch;
				// the next is due 2s after that fetch ended.
				for _, step := range []struct {
					name string
					at   time.Duration
					want int64
				}{
					{name: "when the fetch ended", at: timeout, want: 2},
					{name: "just before the interval from its end", at: timeout + 2*time.Second - 1, want: 2},
					{name: "at the interval from its end", at: timeout + 2*time.Second, want: 3},
				} {
					time.Sleep(time.Until(start.Add(step.at)))
					synctest.Wait()
					if got := e.end.count(); got != step.want {
						t.Errorf("JWKS fetches %s = %d, want %d", step.name, got, step.want)
					}
					e.end.set(remoteJWKS(e.ring))
				}
			},
			wantDurations: []time.Duration{0, timeout, 0},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			remoteBubble(t, func(t *testing.T, ctx context.Context) {
				opts := append([]jwtx.RemoteOption{jwtx.WithJWKSTimeout(timeout)}, tc.opts...)
				e := remoteBubbleSetup(t, ctx, opts...)
				tc.run(t, ctx, e)
				synctest.Wait()
				if got := e.gauge.peak(); got != 1 {
					t.Errorf("fetches in flight at once = %d, want 1", got)
				}
				if diff := cmp.Diff(tc.wantDurations, e.gauge.durations()); diff != "" {
					t.Errorf("durations of the fetches (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// Close stops the background refreshes and cancels the fetch in progress,
// whose waiters return at once; the bubble ends, so nothing is left
// running, though the RemoteKeySet's context never ends.
func TestRemoteKeySetCloseCancelsTheFetch(t *testing.T) {
	t.Parallel()
	const interval = time.Minute
	synctest.Test(t, func(t *testing.T) {
		e := remoteBubbleSetup(t, context.Background(), jwtx.WithJWKSRefreshInterval(interval))
		e.end.set(remoteBlock(nil))
		unknown := remoteSignedBy(t, remoteAttacker(t, "unknown"))
		var wg sync.WaitGroup
		wg.Go(func() {
			got := remoteVerifyAll(context.Background(), e.ver, []remoteCall{{unknown, time.Hour}})
			if diff := cmp.Diff([]remoteOutcome{{Waited: time.Second, Err: remoteNotFound}}, got); diff != "" {
				t.Errorf("outcome of the unknown kid (-want +got):\n%s", diff)
			}
		})
		time.Sleep(time.Second)
		e.keys.Close()
		wg.Wait()
		if _, err := e.keys.Health(); !errors.Is(err, jwtx.ErrJWKS) || !errors.Is(err, context.Canceled) {
			t.Errorf("Health() after Close = %v, want an error wrapping %v and %v", err, jwtx.ErrJWKS, context.Canceled)
		}
		time.Sleep(10 * interval)
		synctest.Wait()
		if diff := cmp.Diff([]time.Duration{0, time.Second}, e.gauge.durations()); diff != "" {
			t.Errorf("durations of the fetches (-want +got):\n%s", diff)
		}
	})
}
