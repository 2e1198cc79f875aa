package jwtx_test

// RemoteKeySet background refreshes, tested deterministically with
// testing/synctest, and Close.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// The background refresh runs on jwx's real timers, so it is tested in a
// synctest bubble, where time is fake and only moves when every goroutine
// is blocked: the sleeps below take no wall-clock time. The endpoint is in
// memory (remoteTransport), because network I/O would keep the bubble from
// being idle.
func TestRemoteKeySetIntervalRefresh(t *testing.T) {
	t.Parallel()
	for _, interval := range []time.Duration{time.Second, time.Minute, 15 * time.Minute, 20 * time.Minute, time.Hour} {
		t.Run(interval.String(), func(t *testing.T) {
			t.Parallel()
			remoteBubble(t, func(t *testing.T, ctx context.Context) {
				ring := ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch))
				iss := ringIssuer(t, ring, testutil.NewClock(ringEpoch))
				end := &remoteEndpoint{respond: remoteJWKS(ring)}
				var errs remoteErrors
				keys, err := jwtx.NewRemoteKeySet(ctx, "https://idp.test"+remoteJWKSPath,
					jwtx.WithJWKSHTTPClient(&http.Client{Transport: remoteTransport{end}}),
					jwtx.WithJWKSRefreshInterval(interval),
					jwtx.WithJWKSErrorHandler(errs.handle))
				if err != nil {
					t.Fatalf("NewRemoteKeySet: %v", err)
				}
				start := time.Now()
				v := ringVerifier(t, keys, testutil.NewClock(ringEpoch))
				tok1 := ringToken(t, iss)
				check := func(step string, wantFetches int64, wantLen int) {
					t.Helper()
					synctest.Wait()
					if got := end.count(); got != wantFetches {
						t.Errorf("%s: JWKS fetches = %d, want %d", step, got, wantFetches)
					}
					if got := keys.Keys().Len(); got != wantLen {
						t.Errorf("%s: Keys().Len() = %d, want %d", step, got, wantLen)
					}
				}
				check("at start", 1, 1)

				// A rotation is picked up by the next background refresh,
				// not before.
				ringRotate(t, ring, ringES256(t, "k2"), 24*time.Hour)
				time.Sleep(interval - time.Second)
				check("interval-1s", 1, 1)
				time.Sleep(time.Second)
				check("interval", 2, 2)
				tok2 := ringToken(t, iss)
				for _, tok := range []string{tok1, tok2} {
					if err := ringVerify(v, tok); err != nil {
						t.Errorf("Verify() = %v, want nil", err)
					}
				}
				check("after verifying known kids", 2, 2)
				refreshed := time.Now()

				// The endpoint fails: reported, keys kept.
				end.set(remoteBody(http.StatusServiceUnavailable, "text/plain", nil))
				time.Sleep(interval)
				check("endpoint down", 3, 2)
				lastOK, err := keys.Health()
				if !errors.Is(err, jwtx.ErrJWKS) || !lastOK.Equal(refreshed) {
					t.Errorf("Health() = %v, %v; want %v, an error wrapping %v", lastOK, err, refreshed, jwtx.ErrJWKS)
				}
				remoteCheckReported(t, &errs, 0, 1)
				for _, tok := range []string{tok1, tok2} {
					if err := ringVerify(v, tok); err != nil {
						t.Errorf("Verify() while the endpoint is down = %v, want nil", err)
					}
				}

				// It recovers at the next interval.
				end.set(remoteJWKS(ring))
				time.Sleep(interval)
				check("endpoint back", 4, 2)
				if lastOK, err := keys.Health(); err != nil || !lastOK.Equal(start.Add(3*interval)) {
					t.Errorf("Health() = %v, %v; want %v, nil", lastOK, err, start.Add(3*interval))
				}
			})
		})
	}
}

// A RemoteKeySet that could not be built leaves nothing running: its
// endpoint is not fetched again in the background.
func TestRemoteKeySetFailedStartStopsFetching(t *testing.T) {
	t.Parallel()
	remoteBubble(t, func(t *testing.T, ctx context.Context) {
		end := &remoteEndpoint{respond: remoteBody(http.StatusInternalServerError, "text/plain", nil)}
		_, err := jwtx.NewRemoteKeySet(ctx, "https://idp.test"+remoteJWKSPath,
			jwtx.WithJWKSHTTPClient(&http.Client{Transport: remoteTransport{end}}))
		if !errors.Is(err, jwtx.ErrJWKS) {
			t.Fatalf("NewRemoteKeySet() error = %v, want %v", err, jwtx.ErrJWKS)
		}
		time.Sleep(3 * jwtx.DefaultJWKSRefreshInterval)
		synctest.Wait()
		if got := end.count(); got != 1 {
			t.Errorf("JWKS fetches after a failed start = %d, want 1", got)
		}
	})
}

// Fetches on demand (Refresh, unknown kids) do not add background
// fetches: however many there were, the endpoint is fetched once per
// interval in the background. Otherwise every unknown kid, each allowed by
// the rate limit, would add a fetch to every later interval, for ever.
func TestRemoteKeySetOnDemandFetchesDoNotAccumulate(t *testing.T) {
	t.Parallel()
	const interval = 15 * time.Minute
	remoteBubble(t, func(t *testing.T, ctx context.Context) {
		ring := ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch))
		end := &remoteEndpoint{respond: remoteJWKS(ring)}
		keys, err := jwtx.NewRemoteKeySet(ctx, "https://idp.test"+remoteJWKSPath,
			jwtx.WithJWKSHTTPClient(&http.Client{Transport: remoteTransport{end}}),
			jwtx.WithJWKSRefreshInterval(interval))
		if err != nil {
			t.Fatalf("NewRemoteKeySet: %v", err)
		}
		v := ringVerifier(t, keys, testutil.NewClock(ringEpoch))
		// Ten unknown kids, one per minimum refresh interval: ten fetches,
		// each allowed by the rate limit.
		for i := range 10 {
			tok := remoteSignedBy(t, remoteAttacker(t, fmt.Sprintf("random-%d", i)))
			if err := ringVerify(v, tok); !errors.Is(err, jwtx.ErrKeyNotFound) {
				t.Fatalf("Verify(unknown kid) = %v, want %v", err, jwtx.ErrKeyNotFound)
			}
			time.Sleep(jwtx.DefaultJWKSMinRefreshInterval)
		}
		if err := keys.Refresh(ctx); err != nil {
			t.Fatalf("Refresh() = %v", err)
		}
		synctest.Wait()
		if got := end.count(); got != 12 {
			t.Fatalf("JWKS fetches after 10 unknown kids and a Refresh = %d, want 12", got)
		}
		// From now on: one background fetch per interval.
		time.Sleep(4 * interval)
		synctest.Wait()
		if got := end.count() - 12; got != 4 {
			t.Errorf("background fetches in 4 intervals = %d, want 4", got)
		}
	})
}

// Close stops the background refreshes; the keys stay in use and, as
// documented, a token with an unknown kid can still cause a fetch.
func TestRemoteKeySetClose(t *testing.T) {
	t.Parallel()
	const interval = 15 * time.Minute
	remoteBubble(t, func(t *testing.T, ctx context.Context) {
		ring := ringNew(t, ringES256(t, "k1"), testutil.NewClock(ringEpoch))
		iss := ringIssuer(t, ring, testutil.NewClock(ringEpoch))
		end := &remoteEndpoint{respond: remoteJWKS(ring)}
		keys, err := jwtx.NewRemoteKeySet(ctx, "https://idp.test"+remoteJWKSPath,
			jwtx.WithJWKSHTTPClient(&http.Client{Transport: remoteTransport{end}}),
			jwtx.WithJWKSRefreshInterval(interval))
		if err != nil {
			t.Fatalf("NewRemoteKeySet: %v", err)
		}
		v := ringVerifier(t, keys, testutil.NewClock(ringEpoch))
		tok1 := ringToken(t, iss)
		keys.Close()
		time.Sleep(3 * interval)
		synctest.Wait()
		if got := end.count(); got != 1 {
			t.Errorf("JWKS fetches after Close = %d, want 1", got)
		}
		if err := ringVerify(v, tok1); err != nil {
			t.Errorf("Verify() after Close = %v, want nil", err)
		}

		ringRotate(t, ring, ringES256(t, "k2"), time.Hour)
		if err := ringVerify(v, ringToken(t, iss)); err != nil {
			t.Errorf("Verify(new kid) after Close = %v, want nil", err)
		}
		if got := end.count(); got != 2 {
			t.Errorf("JWKS fetches for an unknown kid after Close = %d, want 2", got)
		}
	})
}
