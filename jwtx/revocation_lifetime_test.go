package jwtx_test

import (
	"errors"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestRevocationRecordsDieBeforeTheirTokens reproduces records that
// expired at the token's exp while a Verifier with leeway still accepted
// the token until exp plus leeway: a revoked token came back, a logout in
// that window stored nothing, a "log out everywhere" cutoff was dropped,
// and a thief's rotation after reuse detection was taken for a new family.
// Every record now lives until exp plus MaxLeeway, and a family the store
// does not know is refused.
func TestRevocationRecordsDieBeforeTheirTokens(t *testing.T) {
	t.Parallel()
	const refreshTTL = 24 * time.Hour
	type session struct {
		env   *testutil.Env[string, jwtx.RegisteredClaims]
		store *jwtx.MemoryStore
	}
	open := func(t *testing.T) session {
		clock := testutil.NewClock(time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC))
		store, err := jwtx.NewMemoryStore(jwtx.WithMaxTokenLifetime(refreshTTL), jwtx.WithClock(clock))
		if err != nil {
			t.Fatal(err)
		}
		env := testutil.NewEnv[string, jwtx.RegisteredClaims](t, testutil.WithClock(clock),
			testutil.WithIssuerOptions(jwtx.WithRotation(store), jwtx.WithRefreshTTL(refreshTTL)),
			testutil.WithVerifierOptions(jwtx.WithRevocation(store), jwtx.WithLeeway(jwtx.MaxLeeway)))
		return session{env: env, store: store}
	}
	justBeforeLeewayEnds := func(tok jwtx.Token) time.Time { return tok.ExpiresAt.Add(jwtx.MaxLeeway - time.Second) }
	for _, tc := range []struct {
		name string
		// attack returns the token that must be refused, and how to present it.
		attack func(t *testing.T, s session) (jwtx.Token, jwtx.Expect)
	}{
		{name: "revoked token after its exp", attack: func(t *testing.T, s session) (jwtx.Token, jwtx.Expect) {
			tok := s.env.Access(t, "alice")
			if err := s.store.Revoke(t.Context(), tok.Info()); err != nil {
				t.Fatal(err)
			}
			s.env.Clock.Set(justBeforeLeewayEnds(tok))
			return tok, jwtx.ExpectAccess
		}},
		{name: "logout between exp and exp plus leeway", attack: func(t *testing.T, s session) (jwtx.Token, jwtx.Expect) {
			tok := s.env.Access(t, "alice")
			s.env.Clock.Set(tok.ExpiresAt.Add(time.Minute))
			if err := s.store.Revoke(t.Context(), tok.Info()); err != nil {
				t.Fatal(err)
			}
			s.env.Clock.Set(justBeforeLeewayEnds(tok))
			return tok, jwtx.ExpectAccess
		}},
		{name: "log out everywhere cutoff", attack: func(t *testing.T, s session) (jwtx.Token, jwtx.Expect) {
			tok := s.env.Pair(t, "alice").Refresh
			if err := s.store.RevokeSubject(t.Context(), "alice", s.env.Clock.Now()); err != nil {
				t.Fatal(err)
			}
			s.env.Clock.Set(justBeforeLeewayEnds(tok))
			return tok, jwtx.ExpectRefresh
		}},
		{name: "thief rotates after reuse detection", attack: func(t *testing.T, s session) (jwtx.Token, jwtx.Expect) {
			login := s.env.Pair(t, "alice")
			thief := s.env.Pair(t, "alice", jwtx.InFamily(login.Refresh.Family)).Refresh
			ctx := t.Context()
			if err := s.store.Rotate(ctx, login.Refresh.Family, login.Refresh.ID, thief.ID, thief.ExpiresAt); err != nil {
				t.Fatalf("thief's rotation: %v", err)
			}
			if err := s.store.Rotate(ctx, login.Refresh.Family, login.Refresh.ID, "victim-next", thief.ExpiresAt); !errors.Is(err, jwtx.ErrReused) {
				t.Fatalf("victim's rotation = %v, want ErrReused", err)
			}
			s.env.Clock.Set(justBeforeLeewayEnds(thief))
			if err := s.store.Rotate(ctx, thief.Family, thief.ID, "thief-next", s.env.Clock.Now().Add(refreshTTL)); !errors.Is(err, jwtx.ErrRevoked) {
				t.Errorf("thief's rotation after reuse detection = %v, want ErrRevoked", err)
			}
			return thief, jwtx.ExpectRefresh
		}},
		{name: "family unknown to the store", attack: func(t *testing.T, s session) (jwtx.Token, jwtx.Expect) {
			other := open(t) // the same keys and clock, a store that lost its state
			tok := other.env.Pair(t, "alice").Refresh
			if err := s.store.Rotate(t.Context(), tok.Family, tok.ID, "next", tok.ExpiresAt); !errors.Is(err, jwtx.ErrRevoked) {
				t.Errorf("Rotate of a family the store never started = %v, want ErrRevoked", err)
			}
			if err := s.store.Revoke(t.Context(), tok.Info()); err != nil {
				t.Fatal(err)
			}
			return tok, jwtx.ExpectRefresh
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			tok, want := tc.attack(t, s)
			if _, _, err := s.env.Verifier.VerifyClaims(t.Context(), tok.Raw, want); !errors.Is(err, jwtx.ErrRevoked) {
				t.Errorf("verify at %v (exp %v) = %v, want ErrRevoked", s.env.Clock.Now(), tok.ExpiresAt, err)
			}
		})
	}
}
