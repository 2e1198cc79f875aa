package jwtx_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestRemoteKeySetMaxStale keeps verifying with the last good keys while
// the endpoint is down, up to WithJWKSMaxStale, then fails closed, and
// recovers with the next successful fetch.
func TestRemoteKeySetMaxStale(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwtx.NewKey(jwtx.ES256, priv, jwtx.WithKeyID("stale-1"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := key.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		w.Write(doc)
	}))
	defer srv.Close()
	clock := testutil.NewClock(issuedAt)
	remote, err := jwtx.NewRemoteKeySet(ctx, srv.URL, jwtx.WithJWKSAllowHTTP(true), jwtx.WithClock(clock), jwtx.WithJWKSMaxStale(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer remote.Close()
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, jwtx.WithClock(clock), jwtx.WithAccessTTL(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewClaimsVerifier[jwtx.RegisteredClaims](remote, jwtx.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := iss.Access(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	verify := func() error { _, _, err := ver.Verify(ctx, tok.Raw); return err }

	down.Store(true)
	if err := remote.Refresh(ctx); !errors.Is(err, jwtx.ErrJWKS) {
		t.Fatalf("Refresh with the endpoint down = %v, want ErrJWKS", err)
	}
	clock.Advance(time.Hour)
	if err := verify(); err != nil {
		t.Fatalf("within the staleness bound: %v", err)
	}
	clock.Advance(time.Second)
	if err := verify(); !errors.Is(err, jwtx.ErrJWKS) {
		t.Fatalf("past the staleness bound = %v, want ErrJWKS", err)
	}
	down.Store(false)
	if err := remote.Refresh(ctx); err != nil {
		t.Fatalf("Refresh with the endpoint back: %v", err)
	}
	if err := verify(); err != nil {
		t.Errorf("after a successful fetch: %v", err)
	}
	if _, err := jwtx.NewRemoteKeySet(ctx, srv.URL, jwtx.WithJWKSAllowHTTP(true), jwtx.WithJWKSMaxStale(-time.Second)); !errors.Is(err, jwtx.ErrConfig) {
		t.Errorf("negative staleness = %v, want ErrConfig", err)
	}
}
