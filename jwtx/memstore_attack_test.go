package jwtx_test

import (
	"context"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestMemoryStoreFoldKeepsRevocationOfTokenWithoutExp: a token without exp
// (WithExpiryRequired(false), NeverExpires) is revoked "for good": its
// record has no end. When its subject reaches the subject limit, fold
// replaces that record by a cutoff that lives maxAge + MaxLeeway only, and
// once the cutoff is gone the revoked token is no longer refused, although
// it never expires.
func TestMemoryStoreFoldKeepsRevocationOfTokenWithoutExp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	clock := testutil.NewClock(t0)
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(clock), jwtx.WithSubjectLimit(2), jwtx.WithMaxTokenLifetime(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	forever := jwtx.TokenInfo{ID: "never-expires", Subject: "alice", Type: jwtx.Access, IssuedAt: t0}
	if err := store.Revoke(ctx, forever); err != nil {
		t.Fatal(err)
	}
	// Two more logouts of alice's, seconds later, fill her quota and fold.
	for i, id := range []string{"a-2", "a-3"} {
		clock.Advance(2 * time.Second)
		if err := store.Revoke(ctx, jwtx.TokenInfo{ID: id, Subject: "alice", Type: jwtx.Access,
			IssuedAt: t0.Add(time.Duration(i) * time.Second), ExpiresAt: t0.Add(15 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if st := store.Stats(); st.Folded == 0 {
		t.Fatalf("the subject was not folded: %+v", st)
	}
	// Past the cutoff's lifetime: the token still verifies (it has no exp).
	clock.Advance(time.Hour + jwtx.MaxLeeway + time.Minute)
	revoked, err := store.Revoked(ctx, forever)
	if err != nil || !revoked {
		t.Errorf("Revoked(revoked token without exp) after fold and maxAge = %v, %v; want true: the revocation was kept for good before the fold", revoked, err)
	}
}

// TestMemoryStoreRevocationNotOwnedByAnotherSubject: entries are keyed by
// jti alone, and a second Revoke of a jti already present returns without
// recording anything. When two subjects' tokens share a jti (tokens of
// several issuers behind one store, each issuer choosing its jti), the
// second revocation rides on the first subject's entry, and the first
// subject's fold drops it: the second subject's revoked token is accepted
// again long before its exp.
func TestMemoryStoreRevocationNotOwnedByAnotherSubject(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	clock := testutil.NewClock(t0)
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(clock), jwtx.WithSubjectLimit(2))
	if err != nil {
		t.Fatal(err)
	}
	exp := t0.Add(time.Hour)
	mallory := jwtx.TokenInfo{ID: "1001", Subject: "mallory", Issuer: "https://a.example", Type: jwtx.Access, IssuedAt: t0, ExpiresAt: exp}
	alice := jwtx.TokenInfo{ID: "1001", Subject: "alice", Issuer: "https://b.example", Type: jwtx.Access, IssuedAt: t0, ExpiresAt: exp}
	for _, tok := range []jwtx.TokenInfo{mallory, alice} {
		if err := store.Revoke(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	// mallory logs out twice more, seconds later: her subject folds.
	for _, id := range []string{"m-2", "m-3"} {
		clock.Advance(2 * time.Second)
		if err := store.Revoke(ctx, jwtx.TokenInfo{ID: id, Subject: "mallory", Issuer: "https://a.example", Type: jwtx.Access,
			IssuedAt: t0, ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
	}
	revoked, err := store.Revoked(ctx, alice)
	if err != nil || !revoked {
		t.Errorf("Revoked(alice's revoked token) after another subject's fold = %v, %v; want true until %v", revoked, err, exp.Add(jwtx.MaxLeeway))
	}
}
