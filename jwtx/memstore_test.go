package jwtx_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestMemoryStoreWithVerifier revokes an issued token through the verifier's
// store and checks that it is refused, concurrently with other checks.
func TestMemoryStoreWithVerifier(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := hsKey(t)
	store, err := jwtx.NewMemoryStore(jwtx.WithMaxTokenLifetime(24*time.Hour), jwtx.WithClock(testutil.NewClock(issuedAt)))
	if err != nil {
		t.Fatal(err)
	}
	iss := newIssuer(t)
	ver, err := jwtx.NewClaimsVerifier[Claims](key, jwtx.WithClock(testutil.NewClock(issuedAt)), jwtx.WithRevocation(store))
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

// TestFamiliesEndToEnd issues a pair with families on, rotates its refresh
// token through the store, replays the old one, and checks that the whole
// family, access token included, is then refused.
func TestFamiliesEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := jwtx.NewMemoryStore(jwtx.WithClock(testutil.NewClock(issuedAt)))
	if err != nil {
		t.Fatal(err)
	}
	iss := newIssuer(t, jwtx.WithRotation(store))
	ver, err := jwtx.NewVerifier[User, Claims](hsKey(t), jwtx.WithClock(testutil.NewClock(issuedAt)), jwtx.WithRevocation(store),
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
