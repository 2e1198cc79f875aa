package testutil_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// allAlgorithms lists every algorithm jwtx supports.
var allAlgorithms = []jwtx.Algorithm{
	jwtx.HS256, jwtx.HS384, jwtx.HS512,
	jwtx.RS256, jwtx.RS384, jwtx.RS512,
	jwtx.PS256, jwtx.PS384, jwtx.PS512,
	jwtx.ES256, jwtx.ES384, jwtx.ES512,
	jwtx.EdDSA, jwtx.Ed25519,
}

// fakeTB records a helper's failure instead of failing the test. Methods it
// does not override go to the real test.
type fakeTB struct {
	testing.TB
	mu  sync.Mutex
	msg string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.msg = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

// mustFail runs fn with a fakeTB in a goroutine of its own, as the testing
// package runs a test, and returns the message fn failed with. It fails t
// when fn returns without failing.
func mustFail(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	f := &fakeTB{TB: t}
	done := make(chan bool)
	go func() {
		returned := false
		defer func() { done <- returned }()
		fn(f)
		returned = true
	}()
	if <-done {
		t.Fatalf("helper returned, want a call of Fatalf")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msg
}

func TestNewKey(t *testing.T) {
	t.Parallel()
	for _, alg := range allAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			k := testutil.NewKey(t, alg)
			hmac := strings.HasPrefix(string(alg), "HS")
			type facts struct {
				Alg, PrivAlg, PubAlg             jwtx.Algorithm
				ID, PrivID, PubID, Seed          string
				PrivSigns, PubSigns              bool
				Secret, RSA, ECDSA, Ed25519, Str bool
			}
			want := facts{
				Alg: alg, PrivAlg: alg, PubAlg: alg,
				ID: "test-" + strings.ToLower(string(alg)), Seed: testutil.DefaultSeed,
				PrivSigns: true, PubSigns: hmac,
				Secret:  hmac,
				RSA:     strings.HasPrefix(string(alg), "RS") || strings.HasPrefix(string(alg), "PS"),
				ECDSA:   strings.HasPrefix(string(alg), "ES"),
				Ed25519: strings.HasPrefix(string(alg), "Ed"),
				Str:     true,
			}
			want.PrivID, want.PubID = want.ID, want.ID
			got := facts{
				Alg: k.Algorithm(), PrivAlg: k.Private().Algorithm(), PubAlg: k.Public().Algorithm(),
				ID: k.ID(), PrivID: k.Private().ID(), PubID: k.Public().ID(), Seed: k.Seed(),
				PrivSigns: k.Private().CanSign(), PubSigns: k.Public().CanSign(),
				Secret: k.Secret() != nil, RSA: k.RSA() != nil, ECDSA: k.ECDSA() != nil, Ed25519: k.Ed25519() != nil,
				Str: k.String() == `testutil.Key(`+string(alg)+`, kid "`+want.ID+`", seed "testutil")`,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("NewKey(%s) mismatch (-want +got):\n%s", alg, diff)
			}
		})
	}
}

func TestNewKeyOptions(t *testing.T) {
	t.Parallel()
	k := testutil.NewKey(t, jwtx.HS256, testutil.WithKeyID(""), testutil.WithSeed("s"))
	if k.ID() != "" || k.Private().ID() != "" || k.Seed() != "s" {
		t.Errorf("NewKey(HS256, WithKeyID(\"\"), WithSeed(s)) = %v, want no kid and seed s", k)
	}
	for _, tc := range []struct {
		name string
		fn   func(tb testing.TB)
		want string
	}{
		{name: "none", fn: func(tb testing.TB) { testutil.NewKey(tb, "none") }, want: "unsupported algorithm"},
		{name: "nil option", fn: func(tb testing.TB) { testutil.NewKey(tb, jwtx.HS256, nil) }, want: "nil KeyOption"},
	} {
		if msg := mustFail(t, tc.fn); !strings.Contains(msg, tc.want) {
			t.Errorf("NewKey(%s) failed with %q, want %q", tc.name, msg, tc.want)
		}
	}
}

// material returns the private material of k as bytes, for comparisons.
func material(t *testing.T, k *testutil.Key) []byte {
	t.Helper()
	switch {
	case k.Secret() != nil:
		return k.Secret()
	case k.ECDSA() != nil:
		b, err := k.ECDSA().Bytes()
		if err != nil {
			t.Fatalf("ECDSA().Bytes(): %v", err)
		}
		return b
	case k.Ed25519() != nil:
		return k.Ed25519()
	}
	return k.RSA().N.Bytes()
}

func TestKeyDeterminism(t *testing.T) {
	t.Parallel()
	for _, alg := range allAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			// One seed for every algorithm, so that the RS and PS keys share
			// two RSA keys instead of generating twelve.
			a1 := material(t, testutil.NewKey(t, alg, testutil.WithSeed("a")))
			a2 := material(t, testutil.NewKey(t, alg, testutil.WithSeed("a"), testutil.WithKeyID("other")))
			b := material(t, testutil.NewKey(t, alg, testutil.WithSeed("b")))
			if !bytes.Equal(a1, a2) {
				t.Errorf("two %s keys from seed a differ", alg)
			}
			if bytes.Equal(a1, b) {
				t.Errorf("%s keys from seeds a and b are equal", alg)
			}
		})
	}
}

// TestKeyDeterminismAcrossRuns pins derived keys, so that a change of the
// derivation, which would change every golden token, is noticed. The values
// were checked against an independent HKDF-SHA-256 (RFC 5869) in Python.
func TestKeyDeterminismAcrossRuns(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		alg  jwtx.Algorithm
		want string // hex of the first 8 bytes of the private material
	}{
		{jwtx.HS256, "4635d0157206424d"},
		{jwtx.ES256, "a6308cafef787e72"},
		{jwtx.EdDSA, "72d8bcf238256abf"},
	} {
		t.Run(string(tc.alg), func(t *testing.T) {
			t.Parallel()
			got := hex.EncodeToString(material(t, testutil.NewKey(t, tc.alg))[:8])
			if got != tc.want {
				t.Errorf("NewKey(%s) material starts %s, want %s", tc.alg, got, tc.want)
			}
		})
	}
}

func TestKeySign(t *testing.T) {
	t.Parallel()
	for _, alg := range allAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			k := testutil.NewKey(t, alg)
			h := `{"alg":"` + string(alg) + `","kid":"` + k.ID() + `", "typ":"at+jwt"}`
			c := `{"sub":"x","exp":` + fmt.Sprint(testNow().Add(time.Hour).Unix()) + `,"type":"access"}`
			v, err := jwtx.NewClaimsVerifier[jwtx.RegisteredClaims](k.Public(), jwtx.WithClock(testutil.NewClock(testNow())))
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := v.Verify(context.Background(), testutil.Sign(t, k, h, c))
			if err != nil {
				t.Fatalf("Verify(Sign(%s)) error: %v", alg, err)
			}
			if got.Subject != "x" {
				t.Errorf("Verify(Sign(%s)) sub = %q, want x", alg, got.Subject)
			}
		})
	}
}

// testNow is the time of the tests' clocks, the default of an Env.
func testNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func TestNewEnvUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("NoUser", func(t *testing.T) {
		t.Parallel()
		env := testutil.NewEnv[jwtx.NoUser, Claims](t, testutil.WithSubject("svc"))
		c, _, err := env.Verifier.Verify(ctx, env.Access(t, jwtx.NoUser{}).Raw)
		if err != nil || c.Subject != "svc" {
			t.Errorf("Verify() = sub %q, %v; want svc, nil", c.Subject, err)
		}
	})
	t.Run("string", func(t *testing.T) {
		t.Parallel()
		env := testutil.NewEnv[string, Claims](t)
		_, u, err := env.Verifier.Verify(ctx, env.Access(t, "alice").Raw)
		if err != nil || u != "alice" {
			t.Errorf("Verify() = user %q, %v; want alice, nil", u, err)
		}
	})
	t.Run("struct", func(t *testing.T) {
		t.Parallel()
		env := testutil.NewEnv[User, Claims](t,
			testutil.WithIssuerOptions(jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil })),
			testutil.WithVerifierOptions(jwtx.WithUserLoader(func(_ context.Context, sub string) (User, error) {
				return User{ID: sub}, nil
			})))
		_, u, err := env.Verifier.Verify(ctx, env.Access(t, User{ID: "u7"}).Raw)
		if err != nil || u.ID != "u7" {
			t.Errorf("Verify() = user %+v, %v; want u7, nil", u, err)
		}
	})
	t.Run("struct without identity", func(t *testing.T) {
		t.Parallel()
		msg := mustFail(t, func(tb testing.TB) { testutil.NewEnv[User, Claims](tb) })
		if !strings.Contains(msg, "WithIdentity") {
			t.Errorf("NewEnv[User] failed with %q, want a WithIdentity hint", msg)
		}
	})
	t.Run("struct without loader", func(t *testing.T) {
		t.Parallel()
		msg := mustFail(t, func(tb testing.TB) {
			testutil.NewEnv[User, Claims](tb,
				testutil.WithIssuerOptions(jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil })))
		})
		if !strings.Contains(msg, "WithUserLoader") {
			t.Errorf("NewEnv[User] failed with %q, want a WithUserLoader hint", msg)
		}
	})
	t.Run("nil option", func(t *testing.T) {
		t.Parallel()
		mustFail(t, func(tb testing.TB) { testutil.NewEnv[string, Claims](tb, nil) })
	})
}

func TestEnvClockAndKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2030, 5, 6, 7, 8, 9, 0, time.UTC)
	key := testutil.NewKey(t, jwtx.ES384)
	env := testutil.NewEnv[string, Claims](t, testutil.WithKey(key), testutil.WithTime(start),
		testutil.WithIssuerOptions(jwtx.WithAccessTTL(time.Minute)),
		testutil.WithVerifierOptions(jwtx.WithLeeway(10*time.Second)))
	if env.Key != key || !env.Clock.Now().Equal(start) {
		t.Fatalf("env key %v at %v, want %v at %v", env.Key, env.Clock.Now(), key, start)
	}
	tok := env.Access(t, "alice")
	if !tok.IssuedAt.Equal(start) || !tok.ExpiresAt.Equal(start.Add(time.Minute)) {
		t.Errorf("token iat %v exp %v, want %v and %v", tok.IssuedAt, tok.ExpiresAt, start, start.Add(time.Minute))
	}
	for _, tc := range []struct {
		name    string
		at      time.Duration // after start
		wantErr error
	}{
		{name: "fresh", at: 0},
		{name: "exp-1s", at: time.Minute - time.Second},
		{name: "exp", at: time.Minute},
		{name: "exp+leeway-1s", at: time.Minute + 9*time.Second},
		{name: "exp+leeway", at: time.Minute + 10*time.Second, wantErr: jwtx.ErrExpired},
	} {
		env.Clock.Set(start.Add(tc.at))
		_, _, err := env.Verifier.Verify(ctx, tok.Raw)
		if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
			t.Errorf("%s: Verify() error = %v, want %v", tc.name, err, tc.wantErr)
		}
	}
}

func TestEnvIssue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := testutil.NewEnv[string, Claims](t, testutil.WithSharedOptions(jwtx.WithExpiryRequired(false)))

	if _, _, err := env.Verifier.VerifyRefresh(ctx, env.Refresh(t, "alice").Raw); err != nil {
		t.Errorf("VerifyRefresh(Refresh()) error: %v", err)
	}
	p := env.Pair(t, "alice", jwtx.AsFresh(true))
	if _, _, err := env.Verifier.VerifyFresh(ctx, p.Access.Raw); err != nil {
		t.Errorf("VerifyFresh(Pair().Access) error: %v", err)
	}
	if _, _, err := env.Verifier.VerifyRefresh(ctx, p.Refresh.Raw); err != nil {
		t.Errorf("VerifyRefresh(Pair().Refresh) error: %v", err)
	}
	never := env.Access(t, "alice", jwtx.NeverExpires())
	env.Clock.Advance(100 * 365 * 24 * time.Hour)
	if _, _, err := env.Verifier.Verify(ctx, never.Raw); err != nil {
		t.Errorf("Verify(NeverExpires token) error: %v", err)
	}

	failing := testutil.NewEnv[string, Claims](t, testutil.WithIssuerOptions(
		jwtx.WithClaims(func(context.Context, string) (Claims, error) { return Claims{}, errors.New("db down") })))
	for name, issue := range map[string]func(tb testing.TB){
		"Access":  func(tb testing.TB) { failing.Access(tb, "alice") },
		"Refresh": func(tb testing.TB) { env.Refresh(tb, "") },
		"Pair":    func(tb testing.TB) { failing.Pair(tb, "alice") },
	} {
		if msg := mustFail(t, issue); !strings.Contains(msg, "testutil: issue") {
			t.Errorf("%s failed with %q, want an issue error", name, msg)
		}
	}
}
