package testutil

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Store is a revocation backend: a jwtx.RevocationStore that is also a
// jwtx.RotationStore, as jwtx.MemoryStore and the Redis store are.
type Store interface {
	jwtx.RevocationStore
	jwtx.RotationStore
}

// StoreContract runs the behavioural suite every [Store] must pass, in
// parallel subtests: revocation by jti, "log out everywhere" cutoffs,
// families, refresh-token rotation with reuse detection, unknown families
// refused, records kept through the largest leeway a Verifier may allow,
// missing claims, and 64 goroutines racing to rotate the same token (run
// it with -race).
//
// newStore is called once per subtest, with t being that subtest, and must
// return an empty store (or one no other subtest writes to, such as a
// Redis store with a key prefix of its own) that computes time with clock.
// A token's ID always comes with the same family (both are signed claims),
// so a store may key revoked IDs by family. The clock reads a fixed
// instant and never moves: the suite does not wait
// for records to expire, since a Redis store expires them by Redis's own
// clock. Test expiry separately; what the suite does check is that a token
// already expired by clock is not stored. The tokens in the suite live at
// most a day, so the store's longest token lifetime must be at least that.
//
//	func TestStoreContract(t *testing.T) {
//		testutil.StoreContract(t, func(t *testing.T, clock jwtx.Clock) testutil.Store {
//			s, err := jwtx.NewMemoryStore(jwtx.WithMaxTokenLifetime(24*time.Hour), jwtx.WithClock(clock))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
func StoreContract(t *testing.T, newStore func(t *testing.T, clock jwtx.Clock) Store) {
	t.Helper()
	for _, g := range []struct {
		name  string
		cases []storeCase
	}{
		{"Revoke", storeRevokeCases()},
		{"RevokeSubject", storeRevokeSubjectCases()},
		{"Family", storeFamilyCases()},
		{"Start", storeStartCases()},
		{"Rotate", storeRotateCases()},
		{"MissingClaim", storeMissingClaimCases()},
	} {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			storeRunCases(t, newStore, g.cases)
		})
	}
	t.Run("RotateRace", func(t *testing.T) {
		t.Parallel()
		storeRotateRace(t, newStore)
	})
	t.Run("ConcurrentFamilies", func(t *testing.T) {
		t.Parallel()
		storeConcurrentFamilies(t, newStore)
	})
}

// storeNow is the instant the suite's clocks read.
func storeNow() time.Time { return time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC) }

// storeUntil is the expiry of the suite's families.
func storeUntil() time.Time { return storeNow().Add(24 * time.Hour) }

// storeCase runs steps on a new store, each with the error it must return,
// then asks whether a token is revoked.
type storeCase struct {
	name  string
	steps []storeStep
	ask   jwtx.TokenInfo
	want  bool
}

// storeStep is one call to a store and its expected error.
type storeStep struct {
	desc string
	do   func(context.Context, Store) error
	want error
}

// storeRevoke is a step that revokes t.
func storeRevoke(t jwtx.TokenInfo, want error) storeStep {
	return storeStep{
		desc: fmt.Sprintf("Revoke(jti %q, sub %q, fam %q, exp %v)", t.ID, t.Subject, t.Family, t.ExpiresAt),
		do:   func(ctx context.Context, s Store) error { return s.Revoke(ctx, t) },
		want: want,
	}
}

// storeRevokeSubject is a step that revokes sub's tokens up to before.
func storeRevokeSubject(sub string, before time.Time, want error) storeStep {
	return storeStep{
		desc: fmt.Sprintf("RevokeSubject(%q, %v)", sub, before),
		do:   func(ctx context.Context, s Store) error { return s.RevokeSubject(ctx, sub, before) },
		want: want,
	}
}

// storeStart is a step that starts family fam with refresh token first.
func storeStart(fam, first string, want error) storeStep {
	return storeStep{
		desc: fmt.Sprintf("Start(%q, %q)", fam, first),
		do: func(ctx context.Context, s Store) error {
			t := storeToken(first, "alice", fam)
			t.Type, t.ExpiresAt = jwtx.Refresh, storeUntil()
			return s.Start(ctx, t)
		},
		want: want,
	}
}

// storeRotate is a step that rotates family fam from one token to another.
func storeRotate(fam, from, to string, want error) storeStep {
	return storeStep{
		desc: fmt.Sprintf("Rotate(%q, %q -> %q)", fam, from, to),
		do:   func(ctx context.Context, s Store) error { return s.Rotate(ctx, fam, from, to, storeUntil()) },
		want: want,
	}
}

// storeToken is a live token issued a minute ago that expires in an hour.
func storeToken(id, sub, fam string) jwtx.TokenInfo {
	now := storeNow()
	return jwtx.TokenInfo{
		ID: id, Subject: sub, Family: fam, Type: jwtx.Access,
		IssuedAt: now.Add(-time.Minute), ExpiresAt: now.Add(time.Hour),
	}
}

// storeIssued is a live token of sub issued at iat.
func storeIssued(id, sub string, iat time.Time) jwtx.TokenInfo {
	t := storeToken(id, sub, "")
	t.IssuedAt = iat
	return t
}

// storeExpiring is a token that expires at exp.
func storeExpiring(id, fam string, exp time.Time) jwtx.TokenInfo {
	t := storeToken(id, "alice", fam)
	t.ExpiresAt = exp
	return t
}

// storeMember is a token of family fam, for asking whether it is revoked.
func storeMember(fam string) jwtx.TokenInfo { return storeToken("probe", "probe-subject", fam) }

// storeRevokeCases cover Revoke by jti.
func storeRevokeCases() []storeCase {
	now := storeNow()
	noExp := storeToken("a", "alice", "")
	noExp.ExpiresAt = time.Time{}
	return []storeCase{
		{name: "nothing revoked", ask: storeToken("a", "alice", "")},
		{name: "revoked id", steps: []storeStep{storeRevoke(storeToken("a", "alice", ""), nil)}, ask: storeToken("a", "alice", ""), want: true},
		{name: "revoked id whatever subject the question names", steps: []storeStep{storeRevoke(storeToken("a", "alice", ""), nil)}, ask: storeToken("a", "bob", ""), want: true},
		{name: "other id", steps: []storeStep{storeRevoke(storeToken("a", "alice", ""), nil)}, ask: storeToken("b", "alice", "")},
		{name: "token without exp", steps: []storeStep{storeRevoke(noExp, nil)}, ask: noExp, want: true},
		{name: "token expiring in a minute is stored", steps: []storeStep{storeRevoke(storeExpiring("a", "", now.Add(time.Minute)), nil)}, ask: storeToken("a", "alice", ""), want: true},
		{name: "token expiring now is stored", steps: []storeStep{storeRevoke(storeExpiring("a", "", now), nil)}, ask: storeToken("a", "alice", ""), want: true},
		{name: "token expired within the largest leeway is stored", steps: []storeStep{storeRevoke(storeExpiring("a", "", now.Add(time.Second-jwtx.MaxLeeway)), nil)}, ask: storeToken("a", "alice", ""), want: true},
		{name: "token expired past the largest leeway is not stored", steps: []storeStep{storeRevoke(storeExpiring("a", "", now.Add(-jwtx.MaxLeeway)), nil)}, ask: storeToken("a", "alice", "")},
		{name: "revoking twice", steps: []storeStep{storeRevoke(storeToken("a", "alice", ""), nil), storeRevoke(storeToken("a", "alice", ""), nil)}, ask: storeToken("a", "alice", ""), want: true},
		{name: "unrelated token after every kind of revocation", steps: []storeStep{
			storeRevoke(storeToken("a", "alice", "fam-a"), nil),
			storeRevokeSubject("bob", now, nil),
			storeStart("fam-c", "r1", nil),
			storeRotate("fam-c", "r1", "r2", nil),
			storeRotate("fam-c", "r1", "x", jwtx.ErrReused),
		}, ask: storeToken("z", "zoe", "fam-z")},
		{name: "empty question after every kind of revocation", steps: []storeStep{
			storeRevoke(storeToken("a", "alice", "fam-a"), nil),
			storeRevokeSubject("bob", now, nil),
		}},
	}
}

// storeRevokeSubjectCases cover "log out everywhere" cutoffs.
func storeRevokeSubjectCases() []storeCase {
	cut := storeNow().Add(-time.Hour)
	return []storeCase{
		{name: "cutoff covers older tokens", steps: []storeStep{storeRevokeSubject("alice", cut, nil)}, ask: storeIssued("a", "alice", cut.Add(-time.Minute)), want: true},
		{name: "cutoff is inclusive", steps: []storeStep{storeRevokeSubject("alice", cut, nil)}, ask: storeIssued("a", "alice", cut), want: true},
		{name: "token issued a nanosecond later survives", steps: []storeStep{storeRevokeSubject("alice", cut, nil)}, ask: storeIssued("a", "alice", cut.Add(time.Nanosecond))},
		{name: "token issued a second later survives", steps: []storeStep{storeRevokeSubject("alice", cut, nil)}, ask: storeIssued("a", "alice", cut.Add(time.Second))},
		{name: "token without iat is covered", steps: []storeStep{storeRevokeSubject("alice", cut, nil)}, ask: storeIssued("a", "alice", time.Time{}), want: true},
		{name: "cutoff never moves back", steps: []storeStep{
			storeRevokeSubject("alice", cut, nil), storeRevokeSubject("alice", cut.Add(-time.Hour), nil),
		}, ask: storeIssued("a", "alice", cut.Add(-time.Minute)), want: true},
		{name: "cutoff moves forward", steps: []storeStep{
			storeRevokeSubject("alice", cut.Add(-time.Hour), nil), storeRevokeSubject("alice", cut, nil),
		}, ask: storeIssued("a", "alice", cut.Add(-time.Minute)), want: true},
		{name: "a later cutoff covers more", steps: []storeStep{
			storeRevokeSubject("alice", cut, nil), storeRevokeSubject("alice", storeNow(), nil),
		}, ask: storeIssued("a", "alice", cut.Add(time.Minute)), want: true},
		{name: "cutoff in the future", steps: []storeStep{storeRevokeSubject("alice", storeNow().Add(time.Hour), nil)}, ask: storeIssued("a", "alice", storeNow()), want: true},
		{name: "other subject", steps: []storeStep{storeRevokeSubject("alice", cut, nil)}, ask: storeIssued("a", "bob", cut.Add(-time.Minute))},
		{name: "subject that is a prefix", steps: []storeStep{storeRevokeSubject("alice", cut, nil)}, ask: storeIssued("a", "ali", cut.Add(-time.Minute))},
	}
}

// storeFamilyCases cover how families are revoked and what that reaches.
func storeFamilyCases() []storeCase {
	now := storeNow()
	return []storeCase{
		{name: "revoking a member revokes its family", steps: []storeStep{storeRevoke(storeToken("access-1", "alice", "fam"), nil)}, ask: storeMember("fam"), want: true},
		{name: "revoking a member revokes the member", steps: []storeStep{storeRevoke(storeToken("access-1", "alice", "fam"), nil)}, ask: storeToken("access-1", "alice", "fam"), want: true},
		{name: "an expired member still revokes its family", steps: []storeStep{storeRevoke(storeExpiring("access-1", "fam", now.Add(-time.Hour)), nil)}, ask: storeMember("fam"), want: true},
		{name: "revoking a member of a started family", steps: []storeStep{storeStart("fam", "r1", nil), storeRevoke(storeToken("access-1", "alice", "fam"), nil)}, ask: storeMember("fam"), want: true},
		{name: "other family", steps: []storeStep{storeRevoke(storeToken("access-1", "alice", "fam"), nil)}, ask: storeMember("fam-2")},
		{name: "a token without family is not a member", steps: []storeStep{storeRevoke(storeToken("access-1", "alice", "fam"), nil)}, ask: storeToken("other", "alice", "")},
		{name: "started family", steps: []storeStep{storeStart("fam", "r1", nil)}, ask: storeMember("fam")},
		{name: "live family", steps: []storeStep{storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil)}, ask: storeMember("fam")},
		{name: "reuse revokes the family", steps: []storeStep{
			storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil), storeRotate("fam", "r1", "x", jwtx.ErrReused),
		}, ask: storeMember("fam"), want: true},
		{name: "reuse spares other families", steps: []storeStep{
			storeStart("fam", "r1", nil), storeStart("fam-2", "s1", nil),
			storeRotate("fam", "r1", "r2", nil), storeRotate("fam-2", "s1", "s2", nil), storeRotate("fam", "r1", "x", jwtx.ErrReused),
		}, ask: storeMember("fam-2")},
	}
}

// storeStartCases cover Start.
func storeStartCases() []storeCase {
	return []storeCase{
		{name: "start then rotate", steps: []storeStep{storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil)}, ask: storeMember("fam")},
		{name: "starting twice with the same token is a retry", steps: []storeStep{
			storeStart("fam", "r1", nil), storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil),
		}, ask: storeMember("fam")},
		{name: "starting a started family with another token", steps: []storeStep{
			storeStart("fam", "r1", nil), storeStart("fam", "other", jwtx.ErrReused), storeRotate("fam", "r1", "r2", nil),
		}, ask: storeMember("fam")},
		{name: "starting a revoked family", steps: []storeStep{
			storeRevoke(storeToken("access-1", "alice", "fam"), nil), storeStart("fam", "r1", jwtx.ErrReused),
		}, ask: storeMember("fam"), want: true},
		{name: "a started family refuses another first token", steps: []storeStep{
			storeStart("fam", "r1", nil), storeRotate("fam", "r0", "x", jwtx.ErrReused),
		}, ask: storeMember("fam"), want: true},
	}
}

// storeRotateCases cover Rotate, one call after another.
func storeRotateCases() []storeCase {
	return []storeCase{
		{name: "rotation chain", steps: []storeStep{
			storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil), storeRotate("fam", "r2", "r3", nil), storeRotate("fam", "r3", "r4", nil),
		}, ask: storeMember("fam")},
		{name: "an unknown family is refused, not started", steps: []storeStep{
			storeRotate("fam", "anything", "r1", jwtx.ErrRevoked), storeRotate("fam", "r1", "r2", jwtx.ErrRevoked),
		}, ask: storeMember("fam")},
		{name: "replay of a retired token", steps: []storeStep{
			storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil), storeRotate("fam", "r1", "x", jwtx.ErrReused), storeRotate("fam", "r2", "r3", jwtx.ErrRevoked),
		}, ask: storeMember("fam"), want: true},
		{name: "replay of the first token", steps: []storeStep{
			storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil), storeRotate("fam", "r2", "r3", nil), storeRotate("fam", "r1", "x", jwtx.ErrReused),
		}, ask: storeMember("fam"), want: true},
		{name: "same rotation twice", steps: []storeStep{
			storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil), storeRotate("fam", "r2", "r3", nil), storeRotate("fam", "r2", "r3", jwtx.ErrReused),
		}, ask: storeMember("fam"), want: true},
		{name: "unknown member", steps: []storeStep{
			storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil), storeRotate("fam", "zz", "r3", jwtx.ErrReused),
		}, ask: storeMember("fam"), want: true},
		{name: "second replay reports the revoked family", steps: []storeStep{
			storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil), storeRotate("fam", "r1", "x", jwtx.ErrReused), storeRotate("fam", "r1", "y", jwtx.ErrRevoked),
		}, ask: storeMember("fam"), want: true},
		{name: "rotate on a family revoked by Revoke", steps: []storeStep{
			storeStart("fam", "r1", nil), storeRotate("fam", "r1", "r2", nil), storeRevoke(storeToken("access-2", "alice", "fam"), nil), storeRotate("fam", "r2", "r3", jwtx.ErrRevoked),
		}, ask: storeMember("fam"), want: true},
		{name: "rotate on an unknown family revoked by Revoke", steps: []storeStep{
			storeRevoke(storeToken("access-1", "alice", "fam"), nil), storeRotate("fam", "r1", "r2", jwtx.ErrRevoked),
		}, ask: storeMember("fam"), want: true},
		{name: "rotation ignores other families", steps: []storeStep{
			storeStart("fam", "r1", nil), storeStart("fam-2", "r1", nil),
			storeRotate("fam", "r1", "r2", nil), storeRotate("fam-2", "r1", "r2", nil), storeRotate("fam", "r2", "r3", nil), storeRotate("fam-2", "r2", "r3", nil),
		}, ask: storeMember("fam")},
	}
}

// storeMissingClaimCases cover calls without a jti, sub or fam: each fails
// and stores nothing.
func storeMissingClaimCases() []storeCase {
	noID := storeToken("", "alice", "fam")
	return []storeCase{
		{name: "Revoke without jti stores nothing", steps: []storeStep{storeRevoke(noID, jwtx.ErrMissingClaim)}, ask: storeMember("fam")},
		{name: "RevokeSubject without sub", steps: []storeStep{storeRevokeSubject("", storeNow(), jwtx.ErrMissingClaim)}, ask: storeIssued("a", "", storeNow().Add(-time.Hour))},
		{name: "Start without fam", steps: []storeStep{storeStart("", "r1", jwtx.ErrMissingClaim)}},
		{name: "Start without jti", steps: []storeStep{storeStart("fam", "", jwtx.ErrMissingClaim), storeRotate("fam", "r1", "r2", jwtx.ErrRevoked)}, ask: storeMember("fam")},
		{name: "Rotate without fam", steps: []storeStep{storeRotate("", "r1", "r2", jwtx.ErrMissingClaim)}},
		{name: "Rotate without from", steps: []storeStep{storeStart("fam", "r1", nil), storeRotate("fam", "", "r2", jwtx.ErrMissingClaim), storeRotate("fam", "r1", "r2", nil)}, ask: storeMember("fam")},
		{name: "Rotate without to", steps: []storeStep{storeStart("fam", "r1", nil), storeRotate("fam", "r1", "", jwtx.ErrMissingClaim), storeRotate("fam", "r1", "r2", nil)}, ask: storeMember("fam")},
	}
}

// storeOpen returns a new store of the factory, on a clock of its own.
func storeOpen(t *testing.T, newStore func(t *testing.T, clock jwtx.Clock) Store) Store {
	t.Helper()
	s := newStore(t, NewClock(storeNow()))
	if s == nil {
		t.Fatal("StoreContract: newStore returned nil")
	}
	return s
}

// storeRunCases runs each case in a parallel subtest on a new store.
func storeRunCases(t *testing.T, newStore func(t *testing.T, clock jwtx.Clock) Store, cases []storeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := storeOpen(t, newStore)
			for i, st := range tc.steps {
				if diff := cmp.Diff(st.want, st.do(ctx, s), cmpopts.EquateErrors()); diff != "" {
					t.Fatalf("step %d: %s error mismatch (-want +got):\n%s", i, st.desc, diff)
				}
			}
			got, err := s.Revoked(ctx, tc.ask)
			if err != nil {
				t.Fatalf("Revoked: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Revoked(%+v) mismatch (-want +got):\n%s", tc.ask, diff)
			}
		})
	}
}

// storeRotateRace rotates one token from 64 goroutines at once. The
// winner's rotation happens first, so every loser presents a retired
// token: the first loser revokes the family (ErrReused), the others find
// it revoked (ErrRevoked).
func storeRotateRace(t *testing.T, newStore func(t *testing.T, clock jwtx.Clock) Store) {
	const n = 64
	ctx := t.Context()
	s := storeOpen(t, newStore)
	if err := storeStart("fam", "r1", nil).do(ctx, s); err != nil {
		t.Fatalf("starting the family: %v", err)
	}
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.Rotate(ctx, "fam", "r1", fmt.Sprintf("r2-%d", i), storeUntil())
		})
	}
	close(start)
	wg.Wait()
	got := map[string]int{}
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			got["won"]++
			winner = i
		case errors.Is(err, jwtx.ErrReused):
			got["reused"]++
		case errors.Is(err, jwtx.ErrRevoked):
			got["revoked"]++
		default:
			t.Errorf("goroutine %d: Rotate: %v", i, err)
		}
	}
	if diff := cmp.Diff(map[string]int{"won": 1, "reused": 1, "revoked": n - 2}, got); diff != "" {
		t.Fatalf("outcomes of %d concurrent rotations (-want +got):\n%s", n, diff)
	}
	next := fmt.Sprintf("r2-%d", winner)
	if err := s.Rotate(ctx, "fam", next, "r3", storeUntil()); !errors.Is(err, jwtx.ErrRevoked) {
		t.Errorf("Rotate from the winner's token after the race = %v, want ErrRevoked", err)
	}
	if revoked, err := s.Revoked(ctx, storeMember("fam")); err != nil || !revoked {
		t.Errorf("family after the race: Revoked = %v, %v; want true, nil", revoked, err)
	}
}

// storeConcurrentFamilies rotates 64 families at once, each along a chain
// of its own: none disturbs another.
func storeConcurrentFamilies(t *testing.T, newStore func(t *testing.T, clock jwtx.Clock) Store) {
	const n, chain = 64, 4
	ctx := t.Context()
	s := storeOpen(t, newStore)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			fam := fmt.Sprintf("fam-%d", i)
			if err := storeStart(fam, "r0", nil).do(ctx, s); err != nil {
				t.Errorf("%s: Start: %v", fam, err)
				return
			}
			for j := range chain {
				if err := s.Rotate(ctx, fam, fmt.Sprintf("r%d", j), fmt.Sprintf("r%d", j+1), storeUntil()); err != nil {
					t.Errorf("%s: Rotate r%d: %v", fam, j, err)
					return
				}
			}
			if revoked, err := s.Revoked(ctx, storeMember(fam)); err != nil || revoked {
				t.Errorf("%s: Revoked = %v, %v; want false, nil", fam, revoked, err)
			}
		})
	}
	close(start)
	wg.Wait()
}
