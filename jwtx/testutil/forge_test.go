package testutil_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// sentinels are jwtx's verification errors. A flawed token must match
// exactly one of them: its flaw's.
var sentinels = []error{
	jwtx.ErrTooLarge, jwtx.ErrMalformed, jwtx.ErrUnsupported, jwtx.ErrAlgorithm, jwtx.ErrKeyNotFound,
	jwtx.ErrSignature, jwtx.ErrTokenType, jwtx.ErrMissingClaim, jwtx.ErrExpired, jwtx.ErrNotYetValid,
	jwtx.ErrIssuedAt, jwtx.ErrIssuer, jwtx.ErrAudience, jwtx.ErrNotFresh, jwtx.ErrClaims,
	jwtx.ErrRevoked, jwtx.ErrRevocationUnavailable, jwtx.ErrUserNotFound, jwtx.ErrUserLoad,
}

// matching returns the sentinels err matches.
func matching(err error) []error {
	var out []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}

// checkRefused fails t unless verify refuses tok with exactly want, and
// returns nothing but zero values.
func checkRefused(t *testing.T, verify func(context.Context, string) (Claims, string, error), tok string, want error) {
	t.Helper()
	c, u, err := verify(context.Background(), tok)
	if diff := cmp.Diff([]error{want}, matching(err), cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
		t.Errorf("verify error %v matches the wrong sentinels (-want +got):\n%s", err, diff)
	}
	if diff := cmp.Diff(Claims{}, c); diff != "" || u != "" {
		t.Errorf("refused token gave claims (-zero +got):\n%s and user %q", diff, u)
	}
}

func TestForgerFlaws(t *testing.T) {
	t.Parallel()
	for _, alg := range allAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			env := testutil.NewEnv[string, Claims](t, testutil.WithKey(testutil.NewKey(t, alg)))
			c, u, err := env.Verifier.Verify(context.Background(), env.Forger.Valid(t))
			if err != nil || c.Subject != testutil.DefaultSubject || u != testutil.DefaultSubject {
				t.Fatalf("Verify(Valid()) = sub %q user %q, %v; want %s", c.Subject, u, err, testutil.DefaultSubject)
			}
			for _, flaw := range testutil.Flaws() {
				t.Run(flaw.String(), func(t *testing.T) {
					t.Parallel()
					checkRefused(t, env.Verifier.Verify, env.Forger.Bad(t, flaw), flaw.Err())
					fresh := env.Forger.With(testutil.WithClaim("fresh", "true"))
					checkRefused(t, env.Verifier.VerifyFresh, fresh.Bad(t, flaw), flaw.Err())
				})
			}
		})
	}
}

// TestForgerWrongTypeIsARefreshToken checks that WrongType is refused only
// for being the wrong type: it is a valid refresh token.
func TestForgerWrongTypeIsARefreshToken(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, Claims](t)
	c, _, err := env.Verifier.VerifyRefresh(context.Background(), env.Forger.Bad(t, testutil.WrongType))
	if err != nil || c.Type != jwtx.Refresh {
		t.Errorf("VerifyRefresh(WrongType) = type %q, %v; want refresh, nil", c.Type, err)
	}
	checkRefused(t, env.Verifier.VerifyRefresh, env.Forger.Valid(t), jwtx.ErrTokenType)
}

// TestForgerMatchesIssuer checks that a forged valid token carries the same
// claims as one the Issuer makes, apart from the volatile ones.
func TestForgerMatchesIssuer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := testutil.NewEnv[string, Claims](t, testutil.WithAudience("a", "b"))
	issued, _, err := env.Verifier.Verify(ctx, env.Access(t, testutil.DefaultSubject).Raw)
	if err != nil {
		t.Fatal(err)
	}
	forged, _, err := env.Verifier.Verify(ctx, env.Forger.Valid(t))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(issued, forged, testutil.IgnoreVolatile()); diff != "" {
		t.Errorf("forged claims differ from issued ones (-issued +forged):\n%s", diff)
	}
	if diff := cmp.Diff(issued.RegisteredClaims, forged.RegisteredClaims, cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".ID"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("forged times differ from issued ones (-issued +forged):\n%s", diff)
	}
}

func TestForgerOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		env     []testutil.EnvOption
		forge   []testutil.ForgeOption
		flaw    testutil.Flaw // 0 for the valid token
		wantErr error
		check   func(t *testing.T, c Claims)
	}{
		{
			name: "no issuer accepts any",
			env:  []testutil.EnvOption{testutil.WithIssuer("")},
			flaw: testutil.WrongIssuer,
		},
		{
			name: "no audience",
			env:  []testutil.EnvOption{testutil.WithAudience()},
			check: func(t *testing.T, c Claims) {
				if c.Audience != nil {
					t.Errorf("aud = %q, want none", c.Audience)
				}
			},
		},
		{
			name:    "no audience still refuses a wrong one",
			env:     []testutil.EnvOption{testutil.WithAudience()},
			flaw:    testutil.WrongAudience,
			wantErr: jwtx.ErrAudience,
		},
		{
			name: "flask header types",
			env:  []testutil.EnvOption{testutil.WithHeaderTypes("JWT", "JWT")},
		},
		{
			name:    "flask header types, wrong type claim",
			env:     []testutil.EnvOption{testutil.WithHeaderTypes("JWT", "JWT")},
			flaw:    testutil.WrongType,
			wantErr: jwtx.ErrTokenType,
		},
		{
			name:    "tampered admin",
			env:     []testutil.EnvOption{testutil.WithSubject("admin")},
			flaw:    testutil.Tampered,
			wantErr: jwtx.ErrSignature,
		},
		{
			name:  "own claim",
			forge: []testutil.ForgeOption{testutil.WithClaim("roles", `["admin","ops"]`), testutil.WithClaim("roles", `["admin"]`)},
			check: func(t *testing.T, c Claims) {
				if diff := cmp.Diff([]string{"admin"}, c.Roles); diff != "" {
					t.Errorf("roles mismatch (-want +got):\n%s", diff)
				}
			},
		},
		{
			name:  "fresh claim",
			forge: []testutil.ForgeOption{testutil.WithClaim("fresh", "true")},
			check: func(t *testing.T, c Claims) {
				if !c.Fresh.At(testNow()) {
					t.Errorf("fresh = %v, want true", c.Fresh)
				}
			},
		},
		{
			name:    "deleted claim",
			forge:   []testutil.ForgeOption{testutil.WithClaim("sub", ""), testutil.WithClaim("nosuch", "")},
			wantErr: jwtx.ErrMissingClaim,
		},
		{
			name:    "flaw wins over claim",
			forge:   []testutil.ForgeOption{testutil.WithClaim("exp", "4102444800")},
			flaw:    testutil.Expired,
			wantErr: jwtx.ErrExpired,
		},
		{
			name:  "shared option on forger",
			forge: []testutil.ForgeOption{testutil.WithSubject("bob"), nil},
			check: func(t *testing.T, c Claims) {
				if c.Subject != "bob" {
					t.Errorf("sub = %q, want bob", c.Subject)
				}
			},
		},
		{
			name:    "key without kid, unknown kid",
			env:     []testutil.EnvOption{testutil.WithKey(testutil.NewKey(t, jwtx.HS384, testutil.WithKeyID("")))},
			flaw:    testutil.UnknownKeyID,
			wantErr: jwtx.ErrKeyNotFound,
		},
		{
			name:    "HS512 key, wrong algorithm",
			env:     []testutil.EnvOption{testutil.WithKey(testutil.NewKey(t, jwtx.HS512, testutil.WithKeyID("")))},
			flaw:    testutil.WrongAlgorithm,
			wantErr: jwtx.ErrAlgorithm,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testutil.NewEnv[string, Claims](t, tc.env...)
			f := env.Forger.With(tc.forge...)
			tok := ""
			if tc.flaw == 0 {
				tok = f.Valid(t)
			} else {
				tok = f.Bad(t, tc.flaw)
			}
			c, _, err := env.Verifier.Verify(ctx, tok)
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Fatalf("Verify() error = %v, want %v", err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func TestNewForger(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, Claims](t)
	f := testutil.NewForger(t, env.Key, env.Clock, testutil.WithIssuer(testutil.DefaultIssuer))
	if got, want := f.Valid(t), env.Forger.Valid(t); got != want {
		t.Errorf("NewForger(env key and clock).Valid() = %s, want the env forger's %s", got, want)
	}
	if got, want := f.Bad(t, testutil.Expired), env.Forger.Bad(t, testutil.Expired); got != want {
		t.Errorf("NewForger(env key and clock).Bad(Expired) = %s, want the env forger's %s", got, want)
	}
	before := f.Valid(t)
	env.Clock.Advance(time.Second)
	if f.Valid(t) == before {
		t.Errorf("Valid() did not change when the clock moved")
	}
	for name, fn := range map[string]func(tb testing.TB){
		"nil key":      func(tb testing.TB) { testutil.NewForger(tb, nil, env.Clock) },
		"nil clock":    func(tb testing.TB) { testutil.NewForger(tb, env.Key, nil) },
		"unknown flaw": func(tb testing.TB) { env.Forger.Bad(tb, testutil.Flaw(99)) },
	} {
		if msg := mustFail(t, fn); !strings.HasPrefix(msg, "testutil: ") {
			t.Errorf("%s failed with %q", name, msg)
		}
	}
}

func TestFlaw(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, f := range testutil.Flaws() {
		if f.Err() == nil || seen[f.String()] || strings.HasPrefix(f.String(), "Flaw(") {
			t.Errorf("flaw %d: name %q, error %v; want a unique name and an error", int(f), f, f.Err())
		}
		seen[f.String()] = true
	}
	if got := testutil.Flaw(99); got.String() != "Flaw(99)" || got.Err() != nil {
		t.Errorf("Flaw(99) = %q, %v; want Flaw(99), nil", got, got.Err())
	}
}

func TestSignExactBytes(t *testing.T) {
	t.Parallel()
	key := testutil.NewKey(t, jwtx.HS256)
	for _, tc := range []struct {
		name, header, claims string
		wantErr              error
	}{
		{
			name:   "whitespace and order kept",
			header: "{ \"typ\" : \"at+jwt\",\n \"kid\":\"test-hs256\", \"alg\":\"HS256\" }",
			claims: `{"exp":1767326645,  "type":"access","sub":"x"}`,
		},
		{
			name:    "duplicate member kept",
			header:  `{"alg":"HS256","kid":"test-hs256","typ":"at+jwt"}`,
			claims:  `{"sub":"x","sub":"admin","exp":1767326645,"type":"access"}`,
			wantErr: jwtx.ErrMalformed,
		},
		{
			name:    "header alg not the key's",
			header:  `{"alg":"HS512","kid":"test-hs256","typ":"at+jwt"}`,
			claims:  `{"sub":"x","exp":1767326645,"type":"access"}`,
			wantErr: jwtx.ErrAlgorithm,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := testutil.Sign(t, key, tc.header, tc.claims)
			seg := strings.Split(tok, ".")
			if len(seg) != 3 {
				t.Fatalf("Sign() has %d segments, want 3", len(seg))
			}
			for i, want := range []string{tc.header, tc.claims} {
				got, err := base64.RawURLEncoding.DecodeString(seg[i])
				if err != nil || string(got) != want {
					t.Errorf("segment %d = %q, %v; want %q", i, got, err, want)
				}
			}
			if want := testutil.Compact(tc.header, tc.claims, key.Sign(t, []byte(testutil.SigningInput(tc.header, tc.claims)))); tok != want {
				t.Errorf("Sign() = %s, want Compact(…, Key.Sign(SigningInput(…))) = %s", tok, want)
			}
			v, err := jwtx.NewClaimsVerifier[jwtx.RegisteredClaims](key.Public(), jwtx.WithClock(testutil.NewClock(testNow())))
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = v.Verify(context.Background(), tok)
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("Verify(Sign()) error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestCompactEmptySignature(t *testing.T) {
	t.Parallel()
	if got, want := testutil.Compact(`{"alg":"none"}`, `{}`, nil), "eyJhbGciOiJub25lIn0.e30."; got != want {
		t.Errorf("Compact(none, {}, nil) = %s, want %s", got, want)
	}
}
