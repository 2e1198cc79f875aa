package jwtx_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// issuedAt is the fixed time of the issuer tests.
var issuedAt = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// hsTestKey is the HS256 key of the issuer tests, kid hs-1.
func hsTestKey(tb testing.TB) *testutil.Key {
	tb.Helper()
	return testutil.NewKey(tb, jwtx.HS256, testutil.WithSeed("issuer tests"), testutil.WithKeyID("hs-1"))
}

// hsKey is hsTestKey as a jwtx key.
func hsKey(tb testing.TB) *jwtx.Key {
	tb.Helper()
	return hsTestKey(tb).Private()
}

func identity(u User) (string, error) { return u.Name, nil }

func rolesClaims(_ context.Context, u User) (Claims, error) { return Claims{Roles: u.Roles}, nil }

func newIssuer(t testing.TB, opts ...jwtx.IssuerOption) *jwtx.Issuer[User, Claims] {
	t.Helper()
	base := []jwtx.IssuerOption{jwtx.WithClock(testutil.NewClock(issuedAt)), jwtx.WithIdentity(identity), jwtx.WithClaims(rolesClaims)}
	iss, err := jwtx.NewIssuer[User, Claims](hsKey(t), append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	return iss
}

// decodeParts returns a token's header and claims as generic JSON.
func decodeParts(t testing.TB, raw string) (header, claims map[string]any) {
	t.Helper()
	seg := strings.Split(raw, ".")
	if len(seg) != 3 {
		t.Fatalf("token has %d segments", len(seg))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.Strict().DecodeString(seg[i])
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	return header, claims
}

var alice = User{Name: "alice", Roles: []string{"admin", "user"}}

func TestIssuerWireLayout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	iat := float64(issuedAt.Unix())
	for _, tc := range []struct {
		name       string
		opts       []jwtx.IssuerOption
		issue      func(*jwtx.Issuer[User, Claims]) (jwtx.Token, error)
		wantHeader map[string]any
		wantClaims map[string]any
	}{
		{
			name:       "access defaults",
			issue:      func(i *jwtx.Issuer[User, Claims]) (jwtx.Token, error) { return i.Access(ctx, alice) },
			wantHeader: map[string]any{"alg": "HS256", "kid": "hs-1", "typ": "at+jwt"},
			wantClaims: map[string]any{
				"sub": "alice", "type": "access", "fresh": false, "roles": []any{"admin", "user"},
				"iat": iat, "nbf": iat, "exp": iat + 15*60,
			},
		},
		{
			name:       "refresh carries only what refresh needs",
			issue:      func(i *jwtx.Issuer[User, Claims]) (jwtx.Token, error) { return i.Refresh(ctx, alice) },
			wantHeader: map[string]any{"alg": "HS256", "kid": "hs-1", "typ": "refresh+jwt"},
			wantClaims: map[string]any{
				"sub": "alice", "type": "refresh", "roles": nil,
				"iat": iat, "nbf": iat, "exp": iat + 30*24*3600,
			},
		},
		{
			name:       "refresh with claims",
			opts:       []jwtx.IssuerOption{jwtx.WithRefreshClaims(true)},
			issue:      func(i *jwtx.Issuer[User, Claims]) (jwtx.Token, error) { return i.Refresh(ctx, alice) },
			wantHeader: map[string]any{"alg": "HS256", "kid": "hs-1", "typ": "refresh+jwt"},
			wantClaims: map[string]any{
				"sub": "alice", "type": "refresh", "roles": []any{"admin", "user"},
				"iat": iat, "nbf": iat, "exp": iat + 30*24*3600,
			},
		},
		{
			name: "issuer, audience, lifetimes, header types, custom header",
			opts: []jwtx.IssuerOption{
				jwtx.WithIssuer("https://id.example"), jwtx.WithAudience("api", "web"),
				jwtx.WithAccessTTL(time.Minute), jwtx.WithHeaderTypes("JWT", "JWT"), jwtx.WithHeader("x-tenant", "acme"),
			},
			issue:      func(i *jwtx.Issuer[User, Claims]) (jwtx.Token, error) { return i.Access(ctx, alice) },
			wantHeader: map[string]any{"alg": "HS256", "kid": "hs-1", "typ": "JWT", "x-tenant": "acme"},
			wantClaims: map[string]any{
				"iss": "https://id.example", "aud": []any{"api", "web"},
				"sub": "alice", "type": "access", "fresh": false, "roles": []any{"admin", "user"},
				"iat": iat, "nbf": iat, "exp": iat + 60,
			},
		},
		{
			name: "per-call options",
			issue: func(i *jwtx.Issuer[User, Claims]) (jwtx.Token, error) {
				return i.Access(ctx, alice, jwtx.AsFresh(true), jwtx.ForAudience("billing"), jwtx.ExpiresIn(time.Hour))
			},
			wantHeader: map[string]any{"alg": "HS256", "kid": "hs-1", "typ": "at+jwt"},
			wantClaims: map[string]any{
				"aud": "billing", "sub": "alice", "type": "access", "fresh": true, "roles": []any{"admin", "user"},
				"iat": iat, "nbf": iat, "exp": iat + 3600,
			},
		},
		{
			name: "fresh for a duration, expiry at a time",
			issue: func(i *jwtx.Issuer[User, Claims]) (jwtx.Token, error) {
				return i.Access(ctx, alice, jwtx.FreshFor(5*time.Minute), jwtx.ExpiresAt(issuedAt.Add(2*time.Hour)))
			},
			wantHeader: map[string]any{"alg": "HS256", "kid": "hs-1", "typ": "at+jwt"},
			wantClaims: map[string]any{
				"sub": "alice", "type": "access", "fresh": iat + 300, "roles": []any{"admin", "user"},
				"iat": iat, "nbf": iat, "exp": iat + 7200,
			},
		},
		{
			name: "extra claims win over ClaimsFunc, Modify runs first",
			issue: func(i *jwtx.Issuer[User, Claims]) (jwtx.Token, error) {
				return i.Access(ctx, alice,
					i.Modify(func(c *Claims) { c.Roles = append(c.Roles, "modified") }),
					jwtx.ExtraClaims(map[string]any{"roles": []string{"extra"}, "tenant": "acme", "aud": "x"}))
			},
			wantHeader: map[string]any{"alg": "HS256", "kid": "hs-1", "typ": "at+jwt"},
			wantClaims: map[string]any{
				"aud": "x", "tenant": "acme", "sub": "alice", "type": "access", "fresh": false, "roles": []any{"extra"},
				"iat": iat, "nbf": iat, "exp": iat + 15*60,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok, err := tc.issue(newIssuer(t, tc.opts...))
			if err != nil {
				t.Fatalf("issue: %v", err)
			}
			header, claims := decodeParts(t, tok.Raw)
			if diff := cmp.Diff(tc.wantHeader, header); diff != "" {
				t.Errorf("header mismatch (-want +got):\n%s", diff)
			}
			if len(claims["jti"].(string)) != 22 {
				t.Errorf("jti %q: want 22 base64url characters (128 bits)", claims["jti"])
			}
			delete(claims, "jti")
			if tc.wantClaims["roles"] == nil {
				delete(tc.wantClaims, "roles")
			}
			if diff := cmp.Diff(tc.wantClaims, claims); diff != "" {
				t.Errorf("claims mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIssuerTokenInfo(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, jwtx.WithCSRF(true))
	pair, err := iss.Pair(context.Background(), alice)
	if err != nil {
		t.Fatalf("Pair: %v", err)
	}
	for _, tok := range []jwtx.Token{pair.Access, pair.Refresh} {
		_, claims := decodeParts(t, tok.Raw)
		want := jwtx.Token{
			Raw: tok.Raw, Type: jwtx.TokenType(claims["type"].(string)), ID: claims["jti"].(string), Subject: "alice",
			IssuedAt: issuedAt, ExpiresAt: time.Unix(int64(claims["exp"].(float64)), 0).UTC(), CSRF: claims["csrf"].(string),
		}
		if diff := cmp.Diff(want, tok); diff != "" {
			t.Errorf("Token mismatch (-want +got):\n%s", diff)
		}
		if strings.Contains(tok.String(), tok.Raw) {
			t.Errorf("String() reveals the token")
		}
	}
	if pair.Access.ID == pair.Refresh.ID || pair.Access.CSRF == pair.Refresh.CSRF {
		t.Errorf("access and refresh share jti or csrf")
	}
	if got := pair.Access.MaxAge(issuedAt.Add(5 * time.Minute)); got != 10*time.Minute {
		t.Errorf("MaxAge = %v, want 10m", got)
	}
}

func TestIssuerPairCallsLoadersOnce(t *testing.T) {
	t.Parallel()
	var identities, claims atomic.Int32
	iss, err := jwtx.NewIssuer[User, Claims](hsKey(t),
		jwtx.WithIdentity(func(u User) (string, error) { identities.Add(1); return u.Name, nil }),
		jwtx.WithClaims(func(_ context.Context, u User) (Claims, error) { claims.Add(1); return Claims{Roles: u.Roles}, nil }),
	)
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	if _, err := iss.Pair(context.Background(), alice); err != nil {
		t.Fatalf("Pair: %v", err)
	}
	if got := [2]int32{identities.Load(), claims.Load()}; got != [2]int32{1, 1} {
		t.Errorf("IdentityFunc and ClaimsFunc calls = %v, want [1 1]", got)
	}
}

func TestIssuerErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	errDB := errors.New("database down")
	otherIssuer, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](hsKey(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		opts      []jwtx.IssuerOption
		issueOpts []jwtx.IssueOption
		wantErr   error
		wantClaim string
	}{
		{name: "ClaimsFunc sets sub", opts: []jwtx.IssuerOption{jwtx.WithClaims(func(context.Context, User) (Claims, error) {
			return Claims{RegisteredClaims: jwtx.RegisteredClaims{Subject: "root"}}, nil
		})}, wantErr: jwtx.ErrReservedClaim, wantClaim: "sub"},
		{name: "ClaimsFunc sets exp", opts: []jwtx.IssuerOption{jwtx.WithClaims(func(context.Context, User) (Claims, error) {
			return Claims{RegisteredClaims: jwtx.RegisteredClaims{ExpiresAt: jwtx.NewNumericDate(issuedAt.Add(time.Hour))}}, nil
		})}, wantErr: jwtx.ErrReservedClaim, wantClaim: "exp"},
		{name: "Modify sets type", issueOpts: []jwtx.IssueOption{newIssuer(t).Modify(func(c *Claims) { c.Type = jwtx.Refresh })}, wantErr: jwtx.ErrReservedClaim, wantClaim: "type"},
		{name: "extra claim jti", issueOpts: []jwtx.IssueOption{jwtx.ExtraClaims(map[string]any{"jti": "fixed"})}, wantErr: jwtx.ErrReservedClaim, wantClaim: "jti"},
		{name: "extra claim fresh", issueOpts: []jwtx.IssueOption{jwtx.ExtraClaims(map[string]any{"fresh": true})}, wantErr: jwtx.ErrReservedClaim, wantClaim: "fresh"},
		{name: "extra claim does not fit the claims type", issueOpts: []jwtx.IssueOption{jwtx.ExtraClaims(map[string]any{"roles": "admin"})}, wantErr: jwtx.ErrConfig},
		{name: "extra claim not JSON", issueOpts: []jwtx.IssueOption{jwtx.ExtraClaims(map[string]any{"f": func() {}})}, wantErr: nil},
		{name: "claim holds U+0000", issueOpts: []jwtx.IssueOption{newIssuer(t).Modify(func(c *Claims) { c.Roles = []string{"admin\x00"} })}, wantErr: jwtx.ErrMalformed},
		{name: "registered claim holds U+0000", opts: []jwtx.IssuerOption{jwtx.WithIssuer("https://auth.example.com\x00")}, wantErr: jwtx.ErrMalformed},
		{name: "Modify of an Issuer of another claims type", issueOpts: []jwtx.IssueOption{otherIssuer.Modify(func(*jwtx.RegisteredClaims) {})}, wantErr: jwtx.ErrConfig},
		{name: "NeverExpires without opt-in", issueOpts: []jwtx.IssueOption{jwtx.NeverExpires()}, wantErr: jwtx.ErrConfig},
		{name: "bad per-call lifetime", issueOpts: []jwtx.IssueOption{jwtx.ExpiresIn(-time.Second)}, wantErr: jwtx.ErrConfig},
		{name: "nil per-call option", issueOpts: []jwtx.IssueOption{nil}, wantErr: jwtx.ErrConfig},
		{name: "aud both per call and in extra claims", issueOpts: []jwtx.IssueOption{jwtx.ForAudience("reports"), jwtx.ExtraClaims(map[string]any{"aud": "billing"})}, wantErr: jwtx.ErrConfig},
		{name: "identity fails", opts: []jwtx.IssuerOption{jwtx.WithIdentity(func(User) (string, error) { return "", errDB })}, wantErr: errDB},
		{name: "empty identity", opts: []jwtx.IssuerOption{jwtx.WithIdentity(func(User) (string, error) { return "", nil })}, wantErr: jwtx.ErrIdentity},
		{name: "ClaimsFunc fails", opts: []jwtx.IssuerOption{jwtx.WithClaims(func(context.Context, User) (Claims, error) { return Claims{}, errDB })}, wantErr: errDB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok, err := newIssuer(t, tc.opts...).Access(ctx, alice, tc.issueOpts...)
			if err == nil {
				t.Fatalf("Access succeeded, want an error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("Access error = %v, want %v", err, tc.wantErr)
			}
			if msg := err.Error(); strings.Contains(msg, "jsonobj") || strings.Contains(msg, "internal") {
				t.Errorf("Access error = %q, names an internal package", msg)
			}
			if diff := cmp.Diff(jwtx.Token{}, tok); diff != "" {
				t.Errorf("Access returned a token with its error (-want +got):\n%s", diff)
			}
			if tc.wantClaim != "" {
				var ce *jwtx.ClaimError
				if !errors.As(err, &ce) || ce.Claim != tc.wantClaim {
					t.Errorf("Access error = %v, want a ClaimError for %q", err, tc.wantClaim)
				}
			}
		})
	}
}

func TestIssuerAllowOverride(t *testing.T) {
	t.Parallel()
	exp := jwtx.NewNumericDate(issuedAt.Add(time.Minute))
	iss := newIssuer(t,
		jwtx.AllowOverride("sub", "exp", "jti"),
		jwtx.WithClaims(func(context.Context, User) (Claims, error) {
			return Claims{RegisteredClaims: jwtx.RegisteredClaims{Subject: "svc:alice", ExpiresAt: exp}}, nil
		}))
	tok, err := iss.Access(context.Background(), alice, jwtx.ExtraClaims(map[string]any{"jti": "fixed-id"}))
	if err != nil {
		t.Fatalf("Access: %v", err)
	}
	got := [3]any{tok.Subject, tok.ExpiresAt, tok.ID}
	if diff := cmp.Diff([3]any{"svc:alice", exp.Time, "fixed-id"}, got); diff != "" {
		t.Errorf("overridden claims (-want +got):\n%s", diff)
	}
}

func TestIssuerNeverExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := hsKey(t)
	iss, err := jwtx.NewIssuer[User, Claims](key, jwtx.WithIdentity(identity), jwtx.WithExpiryRequired(false))
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	tok, err := iss.Access(ctx, alice, jwtx.NeverExpires())
	if err != nil {
		t.Fatalf("Access: %v", err)
	}
	if _, claims := decodeParts(t, tok.Raw); claims["exp"] != nil || !tok.ExpiresAt.IsZero() {
		t.Fatalf("token has exp %v", claims["exp"])
	}
	strict, err := jwtx.NewClaimsVerifier[Claims](key)
	if err != nil {
		t.Fatalf("NewClaimsVerifier: %v", err)
	}
	if _, _, err := strict.Verify(ctx, tok.Raw); !errors.Is(err, jwtx.ErrMissingClaim) {
		t.Errorf("strict Verify error = %v, want ErrMissingClaim", err)
	}
	lax, err := jwtx.NewClaimsVerifier[Claims](key, jwtx.WithExpiryRequired(false))
	if err != nil {
		t.Fatalf("NewClaimsVerifier: %v", err)
	}
	if _, _, err := lax.Verify(ctx, tok.Raw); err != nil {
		t.Errorf("Verify with WithExpiryRequired(false): %v", err)
	}
}

func TestNewIssuerErrors(t *testing.T) {
	t.Parallel()
	key := hsKey(t)
	rsaPub := testRSA(t, jwtx.RS256).Public()
	for _, tc := range []struct {
		name  string
		build func() error
		want  error
	}{
		{name: "nil key", build: func() error { _, err := jwtx.NewIssuer[User, Claims](nil, jwtx.WithIdentity(identity)); return err }, want: jwtx.ErrConfig},
		{name: "public key cannot sign", build: func() error { _, err := jwtx.NewIssuer[User, Claims](rsaPub, jwtx.WithIdentity(identity)); return err }, want: jwtx.ErrKey},
		{name: "no identity for a struct user", build: func() error { _, err := jwtx.NewIssuer[User, Claims](key); return err }, want: jwtx.ErrConfig},
		{name: "identity for another user type", build: func() error {
			_, err := jwtx.NewIssuer[User, Claims](key, jwtx.WithIdentity(func(string) (string, error) { return "", nil }))
			return err
		}, want: jwtx.ErrConfig},
		{name: "claims for another claims type", build: func() error {
			_, err := jwtx.NewIssuer[User, Claims](key, jwtx.WithIdentity(identity),
				jwtx.WithClaims(func(context.Context, User) (jwtx.RegisteredClaims, error) { return jwtx.RegisteredClaims{}, nil }))
			return err
		}, want: jwtx.ErrConfig},
		{name: "claims type embeds a pointer", build: func() error {
			_, err := jwtx.NewIssuer[string, pointerClaims](key)
			return err
		}, want: jwtx.ErrConfig},
		{name: "claims type shadows sub", build: func() error {
			_, err := jwtx.NewIssuer[string, shadowClaims](key)
			return err
		}, want: jwtx.ErrConfig},
		{name: "reserved header", build: func() error { _, err := jwtx.NewIssuer[string, Claims](key, jwtx.WithHeader("jku", "x")); return err }, want: jwtx.ErrConfig},
		{name: "override of a claim that is not reserved", build: func() error { _, err := jwtx.NewIssuer[string, Claims](key, jwtx.AllowOverride("roles")); return err }, want: jwtx.ErrConfig},
		{name: "zero lifetime", build: func() error { _, err := jwtx.NewIssuer[string, Claims](key, jwtx.WithAccessTTL(0)); return err }, want: jwtx.ErrConfig},
		{name: "empty issuer", build: func() error { _, err := jwtx.NewIssuer[string, Claims](key, jwtx.WithIssuer("")); return err }, want: jwtx.ErrConfig},
		{name: "empty audience", build: func() error { _, err := jwtx.NewIssuer[string, Claims](key, jwtx.WithAudience("")); return err }, want: jwtx.ErrConfig},
		{name: "nil option", build: func() error { _, err := jwtx.NewIssuer[string, Claims](key, nil); return err }, want: jwtx.ErrConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tc.build(), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// pointerClaims embeds the registered claims through a pointer, which the
// constraint lets through and the constructors refuse.
type pointerClaims struct {
	*jwtx.RegisteredClaims
}

// shadowClaims declares its own sub, which would hide the registered one.
type shadowClaims struct {
	jwtx.RegisteredClaims
	Sub string `json:"SUB"`
}

func TestIssuerStringUser(t *testing.T) {
	t.Parallel()
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](hsKey(t))
	if err != nil {
		t.Fatalf("NewIssuer: %v", err)
	}
	tok, err := iss.Access(context.Background(), "user-7")
	if err != nil {
		t.Fatalf("Access: %v", err)
	}
	if tok.Subject != "user-7" {
		t.Errorf("Subject = %q, want user-7", tok.Subject)
	}
}

// TestSharedOptions passes one bundle of shared options to both
// constructors.
func TestSharedOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := hsKey(t)
	shared := jwtx.Options(jwtx.WithClock(testutil.NewClock(issuedAt)), jwtx.WithIssuer("https://id.example"), jwtx.WithAudience("api"))
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, shared)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewClaimsVerifier[jwtx.RegisteredClaims](key, shared)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := iss.Access(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := ver.Verify(ctx, tok.Raw)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if diff := cmp.Diff([]any{"https://id.example", jwtx.Audience{"api"}}, []any{got.Issuer, got.Audience}); diff != "" {
		t.Errorf("iss, aud (-want +got):\n%s", diff)
	}
	for _, bad := range []jwtx.Option{jwtx.Options(nil), jwtx.Options(jwtx.WithIssuer(""))} {
		if _, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, bad); !errors.Is(err, jwtx.ErrConfig) {
			t.Errorf("NewIssuer with a bad bundle = %v, want ErrConfig", err)
		}
		if _, err := jwtx.NewClaimsVerifier[jwtx.RegisteredClaims](key, bad); !errors.Is(err, jwtx.ErrConfig) {
			t.Errorf("NewVerifier with a bad bundle = %v, want ErrConfig", err)
		}
	}
}

// TestRefreshLifetimeAndLogValue checks WithRefreshTTL and that a Token
// logs without its raw form.
func TestRefreshLifetimeAndLogValue(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	tok, err := newIssuer(t, jwtx.WithRefreshTTL(48*time.Hour)).Refresh(context.Background(), alice)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.ExpiresAt.Sub(tok.IssuedAt); got != 48*time.Hour {
		t.Errorf("refresh lifetime = %v, want 48h", got)
	}
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("issued", "token", tok)
	var line struct {
		Token map[string]any `json:"token"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"type": "refresh", "jti": tok.ID, "sub": "alice", "exp": tok.ExpiresAt.Format(time.RFC3339Nano)}
	if diff := cmp.Diff(want, line.Token); diff != "" || strings.Contains(buf.String(), tok.Raw) {
		t.Errorf("logged token (-want +got):\n%s\nlog: %s", diff, buf.String())
	}
}

// TestTokenError names a correctly signed but refused token, and never a
// token whose signature failed.
func TestTokenError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tok, err := newIssuer(t).Access(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	later, err := jwtx.NewClaimsVerifier[Claims](hsKey(t), jwtx.WithClock(testutil.NewClock(issuedAt.Add(time.Hour))))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = later.Verify(ctx, tok.Raw)
	var te *jwtx.TokenError
	if !errors.As(err, &te) || !errors.Is(err, jwtx.ErrExpired) {
		t.Fatalf("expired token: %v, want a TokenError wrapping ErrExpired", err)
	}
	if diff := cmp.Diff([2]string{tok.ID, "alice"}, [2]string{te.Token.ID, te.Token.Subject}); diff != "" {
		t.Errorf("TokenError names (-want +got):\n%s", diff)
	}
	other, err := jwtx.NewKey(jwtx.HS256, []byte("another-secret-of-at-least-32-bytes"), jwtx.WithKeyID("hs-1"))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := jwtx.NewClaimsVerifier[Claims](other, jwtx.WithClock(testutil.NewClock(issuedAt)))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := forged.Verify(ctx, tok.Raw); errors.As(err, &te) || !errors.Is(err, jwtx.ErrSignature) {
		t.Errorf("bad signature: %v; want ErrSignature and no TokenError", err)
	}
}

// TestIssuerOptionsReachEveryToken: per-call lifetimes apply to Refresh,
// and a typ configured with its "application/" prefix still verifies.
func TestIssuerOptionsReachEveryToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tok, err := newIssuer(t).Refresh(ctx, alice, jwtx.ExpiresIn(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.ExpiresAt.Sub(tok.IssuedAt); got != time.Hour {
		t.Errorf("Refresh with ExpiresIn(1h): lifetime %v", got)
	}
	typ := jwtx.WithHeaderTypes("application/at+jwt", "application/refresh+jwt")
	iss, err := jwtx.NewIssuer[string, Claims](hsKey(t), jwtx.WithClock(testutil.NewClock(issuedAt)), typ)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewClaimsVerifier[Claims](hsKey(t), jwtx.WithClock(testutil.NewClock(issuedAt)), typ)
	if err != nil {
		t.Fatal(err)
	}
	access, err := iss.Access(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ver.Verify(ctx, access.Raw); err != nil {
		t.Errorf("Verify with application/ header types: %v", err)
	}
}

// TestIssuerRefusesCaseVariants: extra claims and header parameters that
// differ only in case from what the library writes would make tokens the
// verifier refuses; the Issuer refuses them first.
func TestIssuerRefusesCaseVariants(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"CSRF", "FAM", "ISS", "Roles", "Sub"} {
		if _, err := newIssuer(t).Access(context.Background(), alice, jwtx.ExtraClaims(map[string]any{name: "x"})); err == nil {
			t.Errorf("ExtraClaims %q accepted", name)
		}
	}
	for _, opts := range [][]jwtx.IssuerOption{
		{jwtx.WithHeader("Alg", "none")},
		{jwtx.WithHeader("KID", "x")},
		{jwtx.WithHeader("x-a", "1"), jwtx.WithHeader("X-A", "2")},
	} {
		if _, err := jwtx.NewIssuer[string, Claims](hsKey(t), opts...); !errors.Is(err, jwtx.ErrConfig) {
			t.Errorf("header options %v: %v, want ErrConfig", len(opts), err)
		}
	}
}

// TestIssuerRefusesHeadersItsVerifiersRefuse: an issuer never mints a token
// whose header a Verifier would refuse before the signature.
func TestIssuerRefusesHeadersItsVerifiersRefuse(t *testing.T) {
	t.Parallel()
	many := make([]jwtx.IssuerOption, 0, 40)
	for i := range 40 {
		many = append(many, jwtx.WithHeader(fmt.Sprintf("x%d", i), "v"))
	}
	for _, tc := range []struct {
		name string
		opts []jwtx.IssuerOption
	}{
		{name: "too many members", opts: many},
		{name: "too long", opts: []jwtx.IssuerOption{jwtx.WithHeader("x", strings.Repeat("v", 3000))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := jwtx.NewIssuer[User, Claims](hsKey(t), append(tc.opts, jwtx.WithIdentity(func(u User) (string, error) { return u.Name, nil }))...); !errors.Is(err, jwtx.ErrConfig) {
				t.Errorf("NewIssuer = %v, want ErrConfig", err)
			}
		})
	}
}
