package jwtx_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

func TestMemoryStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t0 := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	tok := func(id, sub string, iat time.Time) jwtx.TokenInfo {
		return jwtx.TokenInfo{ID: id, Subject: sub, IssuedAt: iat, ExpiresAt: iat.Add(time.Hour)}
	}
	for _, tc := range []struct {
		name    string
		prepare func(*jwtx.MemoryStore) error
		ask     jwtx.TokenInfo
		want    bool
	}{
		{name: "nothing revoked", prepare: func(*jwtx.MemoryStore) error { return nil }, ask: tok("a", "alice", t0)},
		{name: "revoked id", prepare: func(s *jwtx.MemoryStore) error { return s.Revoke(ctx, tok("a", "alice", t0)) }, ask: tok("a", "alice", t0), want: true},
		{name: "other id", prepare: func(s *jwtx.MemoryStore) error { return s.Revoke(ctx, tok("a", "alice", t0)) }, ask: tok("b", "alice", t0)},
		{name: "subject cutoff covers older tokens", prepare: func(s *jwtx.MemoryStore) error { return s.RevokeSubject(ctx, "alice", t0) }, ask: tok("c", "alice", t0.Add(-time.Minute)), want: true},
		{name: "subject cutoff is inclusive", prepare: func(s *jwtx.MemoryStore) error { return s.RevokeSubject(ctx, "alice", t0) }, ask: tok("c", "alice", t0), want: true},
		{name: "newer token survives the cutoff", prepare: func(s *jwtx.MemoryStore) error { return s.RevokeSubject(ctx, "alice", t0) }, ask: tok("d", "alice", t0.Add(time.Second))},
		{name: "cutoff never moves back", prepare: func(s *jwtx.MemoryStore) error {
			return errors.Join(s.RevokeSubject(ctx, "alice", t0), s.RevokeSubject(ctx, "alice", t0.Add(-time.Hour)))
		}, ask: tok("e", "alice", t0.Add(-time.Minute)), want: true},
		{name: "other subject", prepare: func(s *jwtx.MemoryStore) error { return s.RevokeSubject(ctx, "alice", t0) }, ask: tok("f", "bob", t0.Add(-time.Minute))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := jwtx.NewMemoryStore(0, 24*time.Hour, clockAt(t0))
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.prepare(s); err != nil {
				t.Fatalf("prepare: %v", err)
			}
			got, err := s.Revoked(ctx, tc.ask)
			if err != nil || got != tc.want {
				t.Errorf("Revoked = %v, %v; want %v, nil", got, err, tc.want)
			}
		})
	}
}

func TestMemoryStoreBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	clock := jwtx.ClockFunc(func() time.Time { return now })
	s, err := jwtx.NewMemoryStore(2, time.Hour, clock)
	if err != nil {
		t.Fatal(err)
	}
	short := jwtx.TokenInfo{ID: "short", ExpiresAt: now.Add(time.Minute)}
	long := jwtx.TokenInfo{ID: "long", ExpiresAt: now.Add(time.Hour)}
	if err := errors.Join(s.Revoke(ctx, short), s.Revoke(ctx, long)); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(ctx, jwtx.TokenInfo{ID: "third", ExpiresAt: now.Add(time.Hour)}); !errors.Is(err, jwtx.ErrStoreFull) {
		t.Fatalf("Revoke when full = %v, want ErrStoreFull", err)
	}
	if revoked, _ := s.Revoked(ctx, long); !revoked {
		t.Fatal("a live revocation was dropped to make room")
	}
	now = now.Add(2 * time.Minute) // short has expired: its entry can go
	if err := s.Revoke(ctx, jwtx.TokenInfo{ID: "third", ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatalf("Revoke after expiry: %v", err)
	}
	if s.Len() != 2 {
		t.Errorf("Len = %d, want 2", s.Len())
	}
	if err := s.Revoke(ctx, jwtx.TokenInfo{ID: "past", ExpiresAt: now.Add(-time.Second)}); err != nil || s.Len() != 2 {
		t.Errorf("revoking an expired token stored it: %v, Len %d", err, s.Len())
	}
	if err := s.Revoke(ctx, jwtx.TokenInfo{}); !errors.Is(err, jwtx.ErrMissingClaim) {
		t.Errorf("Revoke without jti = %v, want ErrMissingClaim", err)
	}
	if _, err := jwtx.NewMemoryStore(-1, time.Hour, nil); !errors.Is(err, jwtx.ErrConfig) {
		t.Errorf("NewMemoryStore(-1) = %v, want ErrConfig", err)
	}
}

// TestMemoryStoreWithVerifier revokes an issued token through the verifier's
// store and checks that it is refused, concurrently with other checks.
func TestMemoryStoreWithVerifier(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := hsKey(t)
	store, err := jwtx.NewMemoryStore(0, 24*time.Hour, clockAt(issuedAt))
	if err != nil {
		t.Fatal(err)
	}
	iss := newIssuer(t)
	ver, err := jwtx.NewClaimsVerifier[Claims](key, jwtx.WithClock(clockAt(issuedAt)), jwtx.WithRevocation(store))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			tok, err := iss.Access(ctx, alice)
			if err != nil {
				t.Error(err)
				return
			}
			c, _, err := ver.Verify(ctx, tok.Raw)
			if err != nil {
				t.Errorf("Verify before revocation: %v", err)
				return
			}
			if err := store.Revoke(ctx, c.Info()); err != nil {
				t.Error(err)
			}
			if _, _, err := ver.Verify(ctx, tok.Raw); !errors.Is(err, jwtx.ErrRevoked) {
				t.Errorf("Verify after revocation = %v, want ErrRevoked", err)
			}
		})
	}
	wg.Wait()
}
