package jwtx_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/internal/reqctx"
)

func TestContextAccessors(t *testing.T) {
	t.Parallel()
	claims := Claims{RegisteredClaims: jwtx.RegisteredClaims{Subject: "alice"}, Roles: []string{"admin"}}
	ctx := jwtx.NewContext(context.Background(), claims, alice)

	gotClaims, ok := jwtx.From[Claims](ctx)
	if !ok {
		t.Fatal("From[Claims]: no claims")
	}
	if diff := cmp.Diff(claims, gotClaims); diff != "" {
		t.Errorf("From (-want +got):\n%s", diff)
	}
	gotUser, ok := jwtx.UserFrom[User](ctx)
	if !ok {
		t.Fatal("UserFrom[User]: no user")
	}
	if diff := cmp.Diff(alice, gotUser); diff != "" {
		t.Errorf("UserFrom (-want +got):\n%s", diff)
	}
	if _, ok := jwtx.From[jwtx.RegisteredClaims](ctx); ok {
		t.Error("From[RegisteredClaims] found claims stored as Claims")
	}
	if _, err := jwtx.UserFromContext[string](ctx); !errors.Is(err, jwtx.ErrNoUser) {
		t.Errorf("UserFromContext[string] error = %v, want ErrNoUser", err)
	}
	if _, ok := jwtx.RawFrom(ctx); ok {
		t.Error("RawFrom found raw claims that were never stored")
	}
	raw := jwtx.RawClaims(`{"sub":"alice","n":12345678901234567890}`)
	m, err := raw.Map()
	if err != nil {
		t.Fatal(err)
	}
	gotRaw, _ := jwtx.RawFrom(reqctx.WithRaw(ctx, raw))
	if string(gotRaw) != string(raw) || m["n"].(interface{ String() string }).String() != "12345678901234567890" {
		t.Errorf("raw claims = %s, n = %v", gotRaw, m["n"])
	}
}

func TestLazyUserLoadsOnce(t *testing.T) {
	t.Parallel()
	errGone := errors.New("gone")
	for _, tc := range []struct {
		name    string
		user    User
		err     error
		wantErr error
	}{
		{name: "found", user: alice},
		{name: "failed", err: errGone, wantErr: errGone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			ctx := reqctx.WithLazyUser(context.Background(), func(context.Context) (User, error) {
				calls.Add(1)
				return tc.user, tc.err
			})
			if calls.Load() != 0 {
				t.Fatal("user loaded before it was asked for")
			}
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					u, err := jwtx.UserFromContext[User](ctx)
					if !errors.Is(err, tc.wantErr) || (err == nil && u.Name != tc.user.Name) {
						t.Errorf("UserFromContext = %v, %v", u, err)
					}
				})
			}
			wg.Wait()
			if _, ok := jwtx.UserFrom[User](ctx); ok != (tc.err == nil) {
				t.Errorf("UserFrom ok = %v", ok)
			}
			if n := calls.Load(); n != 1 {
				t.Errorf("loader ran %d times, want 1", n)
			}
		})
	}
}
