package jwtx_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
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
		{name: "revoking a member revokes its family", prepare: func(s *jwtx.MemoryStore) error {
			return s.Revoke(ctx, jwtx.TokenInfo{ID: "access-1", Family: "fam", ExpiresAt: t0.Add(time.Minute)})
		}, ask: jwtx.TokenInfo{ID: "refresh-1", Family: "fam", ExpiresAt: t0.Add(time.Hour)}, want: true},
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
	short := jwtx.TokenInfo{ID: "short", ExpiresAt: now.Add(30 * time.Second)}
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
	now = now.Add(45 * time.Second) // short has expired, but the store was swept lately
	if err := s.Revoke(ctx, jwtx.TokenInfo{ID: "third", ExpiresAt: now.Add(time.Hour)}); !errors.Is(err, jwtx.ErrStoreFull) {
		t.Fatalf("Revoke within a minute of a sweep = %v, want ErrStoreFull", err)
	}
	now = now.Add(time.Minute) // next sweep: short's entry can go
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

// TestMemoryStoreRotation walks a refresh-token family through rotation,
// reuse and revocation.
func TestMemoryStoreRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	until := issuedAt.Add(24 * time.Hour)
	type step struct {
		from, to string
		want     error
	}
	for _, tc := range []struct {
		name  string
		steps []step
		// after the steps: is a token of the family revoked?
		wantRevoked bool
	}{
		{name: "rotation chain", steps: []step{{"r1", "r2", nil}, {"r2", "r3", nil}, {"r3", "r4", nil}}},
		{name: "replay of a retired token revokes the family", steps: []step{{"r1", "r2", nil}, {"r1", "x", jwtx.ErrReused}, {"r2", "r3", jwtx.ErrRevoked}}, wantRevoked: true},
		{name: "replay of the first token", steps: []step{{"r1", "r2", nil}, {"r2", "r3", nil}, {"r1", "x", jwtx.ErrReused}}, wantRevoked: true},
		{name: "unknown member", steps: []step{{"r1", "r2", nil}, {"zz", "r3", jwtx.ErrReused}}, wantRevoked: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := jwtx.NewMemoryStore(0, 30*24*time.Hour, clockAt(issuedAt))
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range tc.steps {
				if err := s.Rotate(ctx, "fam", st.from, st.to, until); !errors.Is(err, st.want) || (st.want == nil && err != nil) {
					t.Fatalf("step %d: Rotate(%s -> %s) = %v, want %v", i, st.from, st.to, err, st.want)
				}
			}
			got, err := s.Revoked(ctx, jwtx.TokenInfo{ID: "any", Family: "fam"})
			if err != nil || got != tc.wantRevoked {
				t.Errorf("family revoked = %v, %v; want %v", got, err, tc.wantRevoked)
			}
		})
	}
}

// TestMemoryStoreRotationRace rotates one token from many goroutines:
// exactly one wins, and the losers' reuse revokes the family.
func TestMemoryStoreRotationRace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := jwtx.NewMemoryStore(0, time.Hour, clockAt(issuedAt))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Rotate(ctx, "fam", "r0", "r1", issuedAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	var wins, reused atomic.Int32
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			err := s.Rotate(ctx, "fam", "r1", fmt.Sprintf("next-%d", i), issuedAt.Add(time.Hour))
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, jwtx.ErrReused), errors.Is(err, jwtx.ErrRevoked):
				reused.Add(1)
			default:
				t.Errorf("Rotate: %v", err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 || reused.Load() != 63 {
		t.Errorf("wins %d, refused %d; want 1 and 63", wins.Load(), reused.Load())
	}
}

// TestFamiliesEndToEnd issues a pair with families on, rotates its refresh
// token through the store, replays the old one, and checks that the whole
// family, access token included, is then refused.
func TestFamiliesEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := jwtx.NewMemoryStore(0, 30*24*time.Hour, clockAt(issuedAt))
	if err != nil {
		t.Fatal(err)
	}
	iss := newIssuer(t, jwtx.WithFamilies(true))
	ver, err := jwtx.NewVerifier[User, Claims](hsKey(t), jwtx.WithClock(clockAt(issuedAt)), jwtx.WithRevocation(store),
		jwtx.WithUserLoader(func(context.Context, string) (User, error) { return alice, nil }))
	if err != nil {
		t.Fatal(err)
	}
	login, err := iss.Pair(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if login.Access.Family == "" || login.Access.Family != login.Refresh.Family {
		t.Fatalf("pair families %q and %q", login.Access.Family, login.Refresh.Family)
	}
	other, err := iss.Pair(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if other.Refresh.Family == login.Refresh.Family {
		t.Fatal("two logins share a family")
	}

	refresh := func(tok jwtx.Token) (jwtx.TokenPair, error) {
		c, u, err := ver.VerifyRefresh(ctx, tok.Raw)
		if err != nil {
			return jwtx.TokenPair{}, err
		}
		next, err := iss.Pair(ctx, u, jwtx.InFamily(c.Family))
		if err != nil {
			return jwtx.TokenPair{}, err
		}
		return next, store.Rotate(ctx, c.Family, c.ID, next.Refresh.ID, next.Refresh.ExpiresAt)
	}
	second, err := refresh(login.Refresh)
	if err != nil {
		t.Fatalf("first refresh: %v", err)
	}
	if second.Refresh.Family != login.Refresh.Family {
		t.Fatalf("rotation left the family: %q", second.Refresh.Family)
	}
	if _, err := refresh(login.Refresh); !errors.Is(err, jwtx.ErrReused) {
		t.Fatalf("replayed refresh = %v, want ErrReused", err)
	}
	for name, tok := range map[string]jwtx.Token{"new access": second.Access, "old access": login.Access} {
		if _, _, err := ver.Verify(ctx, tok.Raw); !errors.Is(err, jwtx.ErrRevoked) {
			t.Errorf("%s after reuse: %v, want ErrRevoked", name, err)
		}
	}
	if _, _, err := ver.VerifyRefresh(ctx, second.Refresh.Raw); !errors.Is(err, jwtx.ErrRevoked) {
		t.Errorf("new refresh after reuse: %v, want ErrRevoked", err)
	}
	if _, _, err := ver.Verify(ctx, other.Access.Raw); err != nil {
		t.Errorf("another login was hit: %v", err)
	}
	tok, err := newIssuer(t).Access(ctx, alice, jwtx.InFamily("x"))
	if err != nil || tok.Family != "x" {
		t.Errorf("InFamily without WithFamilies = %+v, %v; want family x", tok, err)
	}
}
