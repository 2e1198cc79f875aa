package jwtx_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// boundsNow is when the bound tests start.
var boundsNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// newBoundedStore returns a MemoryStore of limit entries (0: the default)
// on clock.
func newBoundedStore(t *testing.T, limit int, clock jwtx.Clock, opts ...jwtx.MemoryStoreOption) *jwtx.MemoryStore {
	t.Helper()
	opts = append([]jwtx.MemoryStoreOption{jwtx.WithMaxTokenLifetime(24 * time.Hour), jwtx.WithClock(clock)}, opts...)
	if limit > 0 {
		opts = append(opts, jwtx.WithMaxEntries(limit))
	}
	s, err := jwtx.NewMemoryStore(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// refreshInfo is the first refresh token of family fam of sub.
func refreshInfo(sub, fam, id string, now time.Time) jwtx.TokenInfo {
	return jwtx.TokenInfo{ID: id, Subject: sub, Type: jwtx.Refresh, Family: fam, IssuedAt: now, ExpiresAt: now.Add(24 * time.Hour)}
}

// TestFullMemoryStoreRefusesRevocations reproduces one user filling the
// store by looping login and refresh, after which every other user's
// logout failed and their tokens stayed valid. Revocations keep room, one
// subject cannot take the store, and Stats shows the fill level.
func TestFullMemoryStoreRefusesRevocations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testutil.NewClock(boundsNow)
	s := newBoundedStore(t, 64, clock, jwtx.WithSubjectLimit(8))
	for i := range 1000 { // mallory: login, refresh, login, ...
		fam := fmt.Sprintf("m-%d", i)
		if err := s.Start(ctx, refreshInfo("mallory", fam, "r0", clock.Now())); err != nil {
			t.Fatalf("mallory's login %d: %v", i, err)
		}
		if err := s.Rotate(ctx, fam, "r0", "r1", clock.Now().Add(24*time.Hour)); err != nil {
			t.Fatalf("mallory's refresh %d: %v", i, err)
		}
	}
	if st := s.Stats(); st.LiveFamilies != 8 {
		t.Errorf("mallory holds %d live families, want the subject limit 8", st.LiveFamilies)
	}
	// 56 other users log in: the store is full of live families.
	for i := range 56 {
		if err := s.Start(ctx, refreshInfo(fmt.Sprintf("user-%d", i), fmt.Sprintf("u-%d", i), "r0", clock.Now())); err != nil {
			t.Fatalf("login of user %d: %v", i, err)
		}
	}
	alice := jwtx.TokenInfo{ID: "alice-access", Subject: "alice", Family: "alice-fam", IssuedAt: clock.Now(), ExpiresAt: clock.Now().Add(15 * time.Minute)}
	if err := s.Revoke(ctx, alice); err != nil {
		t.Fatalf("alice's logout in a full store: %v", err)
	}
	if err := s.RevokeSubject(ctx, "bob", clock.Now()); err != nil {
		t.Fatalf("bob's log out everywhere in a full store: %v", err)
	}
	for _, q := range []jwtx.TokenInfo{alice, {ID: "other", Subject: "bob", IssuedAt: clock.Now()}} {
		if revoked, err := s.Revoked(ctx, q); err != nil || !revoked {
			t.Errorf("Revoked(%s's token) = %v, %v; want true", q.Subject, revoked, err)
		}
	}
	// Room came from the least recently used live families: mallory's
	// oldest. Their next refresh fails closed.
	if err := s.Rotate(ctx, "m-992", "r1", "r2", clock.Now().Add(time.Hour)); !errors.Is(err, jwtx.ErrRevoked) {
		t.Errorf("refresh of an evicted family = %v, want ErrRevoked", err)
	}
	want := jwtx.MemoryStoreStats{Entries: 64, Limit: 64, RevokedIDs: 1, Families: 62, LiveFamilies: 61, Cutoffs: 1, Evicted: 992 + 3}
	if diff := cmp.Diff(want, s.Stats()); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
}

// TestMemoryStoreFoldsASubjectsRevocations loops login and logout for one
// subject: its revocations are folded into one cutoff, which still refuses
// every token it revoked, and the rest of the store keeps its room.
func TestMemoryStoreFoldsASubjectsRevocations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testutil.NewClock(boundsNow)
	s := newBoundedStore(t, 32, clock, jwtx.WithSubjectLimit(4))
	var revoked []jwtx.TokenInfo
	for i := range 100 {
		clock.Advance(time.Second)
		tok := jwtx.TokenInfo{ID: fmt.Sprintf("a-%d", i), Subject: "mallory", Family: fmt.Sprintf("m-%d", i),
			IssuedAt: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour)}
		if err := s.Start(ctx, refreshInfo("mallory", tok.Family, "r0", clock.Now())); err != nil {
			t.Fatalf("login %d: %v", i, err)
		}
		if err := s.Revoke(ctx, tok); err != nil {
			t.Fatalf("logout %d: %v", i, err)
		}
		revoked = append(revoked, tok)
	}
	for _, tok := range revoked {
		if got, err := s.Revoked(ctx, tok); err != nil || !got {
			t.Fatalf("Revoked(%s) = %v, %v after folding; want true", tok.ID, got, err)
		}
		refresh := tok
		refresh.ID = "r0"
		if got, err := s.Revoked(ctx, refresh); err != nil || !got {
			t.Fatalf("refresh token of %s: Revoked = %v, %v after folding; want true", tok.Family, got, err)
		}
	}
	st := s.Stats()
	if st.Entries > 4 || st.Folded == 0 {
		t.Errorf("Stats = %+v: want at most the subject limit of entries, and folds", st)
	}
	later := jwtx.TokenInfo{ID: "new", Subject: "mallory", IssuedAt: clock.Now().Add(time.Second)}
	if got, _ := s.Revoked(ctx, later); got {
		t.Error("a token issued after the last logout is refused")
	}
}

// TestMemoryStoreFullOfRevocations fills the store with revocations of
// many subjects: with nothing left that may yield, a write fails with
// ErrStoreFull and no revocation is dropped.
func TestMemoryStoreFullOfRevocations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testutil.NewClock(boundsNow)
	s := newBoundedStore(t, 8, clock)
	for i := range 8 {
		if err := s.Revoke(ctx, jwtx.TokenInfo{ID: fmt.Sprint(i), Subject: fmt.Sprint("user-", i), ExpiresAt: clock.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Revoke(ctx, jwtx.TokenInfo{ID: "one more", Subject: "x", ExpiresAt: clock.Now().Add(time.Hour)}); !errors.Is(err, jwtx.ErrStoreFull) {
		t.Fatalf("Revoke in a store full of revocations = %v, want ErrStoreFull", err)
	}
	if err := s.Start(ctx, refreshInfo("x", "fam", "r0", clock.Now())); !errors.Is(err, jwtx.ErrStoreFull) {
		t.Fatalf("Start in a store full of revocations = %v, want ErrStoreFull", err)
	}
	for i := range 8 {
		if got, _ := s.Revoked(ctx, jwtx.TokenInfo{ID: fmt.Sprint(i)}); !got {
			t.Errorf("revocation %d was dropped", i)
		}
	}
	// Once the first expires (plus the largest leeway), its room is free.
	clock.Advance(time.Hour + jwtx.MaxLeeway)
	if err := s.Revoke(ctx, jwtx.TokenInfo{ID: "one more", Subject: "x", ExpiresAt: clock.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("Revoke once entries expired: %v", err)
	}
}

// TestMemoryStoreExpiresIncrementally checks that entries go once past
// their time, a few per write, without a sweep, and that entries past their
// time no longer count while they wait.
func TestMemoryStoreExpiresIncrementally(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := testutil.NewClock(boundsNow)
	s := newBoundedStore(t, 0, clock)
	for i := range 100 {
		if err := s.Revoke(ctx, jwtx.TokenInfo{ID: fmt.Sprint(i), ExpiresAt: clock.Now().Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Minute + jwtx.MaxLeeway)
	if got, _ := s.Revoked(ctx, jwtx.TokenInfo{ID: "0"}); got {
		t.Error("an entry past its time still refuses")
	}
	for i := range 3 {
		if err := s.Revoke(ctx, jwtx.TokenInfo{ID: fmt.Sprint("new-", i), ExpiresAt: clock.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := s.Stats().Entries, 100-3*16+3; got != want {
		t.Errorf("Stats().Entries = %d after three writes, want %d (16 expired entries dropped per write)", got, want)
	}
}

func TestNewMemoryStoreRefusesBadBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opt  jwtx.MemoryStoreOption
	}{
		{name: "no entries", opt: jwtx.WithMaxEntries(0)},
		{name: "negative limit", opt: jwtx.WithMaxEntries(-1)},
		{name: "no max token lifetime", opt: jwtx.WithMaxTokenLifetime(0)},
		{name: "subject limit below 2", opt: jwtx.WithSubjectLimit(1)},
		{name: "nil clock", opt: jwtx.WithClock(nil)},
		{name: "nil option", opt: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := jwtx.NewMemoryStore(tc.opt); !errors.Is(err, jwtx.ErrConfig) {
				t.Errorf("NewMemoryStore = %v, want ErrConfig", err)
			}
		})
	}
}
