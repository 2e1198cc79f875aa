package httpx_test

// The revocation stores of these tests.

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// memStore is a revocation store keyed by jti: a jwtx.Revoker and a
// jwtx.RevocationChecker. checkErr and revokeErr make it fail, which
// jwtx.MemoryStore cannot, and tests put revocations in it directly; the
// tests that need a real store use storeEnv.
type memStore struct {
	mu        sync.Mutex
	revoked   map[string]jwtx.TokenInfo
	checkErr  error
	revokeErr error
}

func newMemStore() *memStore { return &memStore{revoked: map[string]jwtx.TokenInfo{}} }

func (s *memStore) Revoke(_ context.Context, info jwtx.TokenInfo) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revokeErr != nil {
		return s.revokeErr
	}
	s.revoked[info.ID] = info
	return nil
}

func (s *memStore) Revoked(_ context.Context, info jwtx.TokenInfo) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.checkErr != nil {
		return false, s.checkErr
	}
	_, ok := s.revoked[info.ID]
	return ok, nil
}

// has reports whether the jti is revoked.
func (s *memStore) has(jti string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.revoked[jti]
	return ok
}

// Compile-time checks that memStore is both kinds of store.
var (
	_ jwtx.Revoker           = (*memStore)(nil)
	_ jwtx.RevocationChecker = (*memStore)(nil)
)

// storeEnv is a testutil environment whose Issuer puts a csrf claim in
// every token, and whose Verifier asks store, which reads the
// environment's clock, about revocations.
type storeEnv struct {
	*testutil.Env[string, jwtx.RegisteredClaims]
	store *jwtx.MemoryStore
}

// newStoreEnv builds a storeEnv; opts go to the Issuer.
func newStoreEnv(tb testing.TB, opts ...jwtx.IssuerOption) *storeEnv {
	tb.Helper()
	clock := testutil.NewClock(time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC))
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(clock))
	if err != nil {
		tb.Fatalf("NewMemoryStore: %v", err)
	}
	return &storeEnv{
		Env: testutil.NewEnv[string, jwtx.RegisteredClaims](tb, testutil.WithClock(clock),
			testutil.WithIssuerOptions(append([]jwtx.IssuerOption{jwtx.WithCSRF(true)}, opts...)...),
			testutil.WithVerifierOptions(jwtx.WithRevocation(store)),
		),
		store: store,
	}
}

// auth builds an Auth on the environment's Verifier that revokes in its
// store at logout.
func (se *storeEnv) auth(tb testing.TB, opts ...httpx.Option) *httpx.Auth[string, jwtx.RegisteredClaims] {
	tb.Helper()
	return se.Auth(tb, append([]httpx.Option{httpx.WithRevoker(se.store)}, opts...)...)
}

// revoked reports whether the store refuses tok, a token of the wanted
// kind that verifies otherwise.
func (se *storeEnv) revoked(tb testing.TB, tok string, want jwtx.Expect) bool {
	tb.Helper()
	ctx := context.Background()
	_, _, err := se.Verifier.VerifyClaims(ctx, tok, want)
	var te *jwtx.TokenError
	switch {
	case err == nil:
		return false
	case errors.Is(err, jwtx.ErrRevoked):
		return true
	case errors.Is(err, jwtx.ErrExpired) && errors.As(err, &te):
		revoked, err := se.store.Revoked(ctx, te.Token)
		if err != nil {
			tb.Fatalf("Revoked: %v", err)
		}
		return revoked
	}
	tb.Fatalf("VerifyClaims: %v", err)
	return false
}
