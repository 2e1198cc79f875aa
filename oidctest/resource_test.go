package oidctest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// discover runs DiscoverKeySet against a provider on loopback (plain
// HTTP allowed) for the length of the test.
func discover(tb testing.TB, issuer string, opts ...jwtx.RemoteOption) *jwtx.RemoteKeySet {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	keys, err := jwtx.DiscoverKeySet(ctx, issuer, append([]jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true)}, opts...)...)
	if err != nil {
		tb.Fatalf("DiscoverKeySet(%s): %v", issuer, err)
	}
	return keys
}

// trusted is how a service trusts a provider: its discovered keys, the
// API's audience, RS256, and the typ "JWT" ZITADEL writes.
func trusted(tb testing.TB, p *provider, opts ...jwtx.RemoteOption) jwtx.TrustedIssuer {
	return jwtx.TrustedIssuer{Issuer: p.issuer, Keys: discover(tb, p.issuer, opts...), Audience: []string{apiAudience},
		Algorithms: []jwtx.Algorithm{jwtx.RS256}, HeaderTypes: []string{"JWT"}}
}

func newVerifier(tb testing.TB, keys jwtx.VerificationKeys) *jwtx.Verifier[jwtx.NoUser, jwtx.AccessTokenClaims] {
	tb.Helper()
	ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](keys, jwtx.WithAccessTokenProfile(), jwtx.WithLeeway(5*time.Second))
	if err != nil {
		tb.Fatal(err)
	}
	return ver
}

// Discovery finds the provider's keys, and a token from a real client
// credentials grant verifies with its typed RFC 9068 claims.
func TestDiscovery(t *testing.T) {
	t.Parallel()
	p := startProvider(t)
	set, err := jwtx.NewIssuerSet(trusted(t, p))
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := newVerifier(t, set).Verify(context.Background(), token(t, p.issuer, serviceID, "orders:read", "orders:write"))
	if err != nil {
		t.Fatalf("Verify() = %v", err)
	}
	got := struct {
		Issuer, Subject, Client string
		Audience                jwtx.Audience
		Scopes                  jwtx.Scopes
	}{c.Issuer, c.Subject, c.Client(), c.Audience, c.Scopes()}
	want := struct {
		Issuer, Subject, Client string
		Audience                jwtx.Audience
		Scopes                  jwtx.Scopes
	}{p.issuer, serviceID, serviceID, jwtx.Audience{apiAudience}, jwtx.Scopes{"orders:read", "orders:write"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims (-want +got):\n%s", diff)
	}
	// Without the typ ZITADEL writes, its tokens are not RFC 9068 tokens.
	strict, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](discover(t, p.issuer), jwtx.WithIssuer(p.issuer),
		jwtx.WithAudience(apiAudience), jwtx.WithAccessTokenProfile())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := strict.Verify(context.Background(), token(t, p.issuer, serviceID)); !errors.Is(err, jwtx.ErrTokenType) {
		t.Errorf("Verify(typ JWT, at+jwt required) = %v, want ErrTokenType", err)
	}
}

// The provider rotates its signing key: the first token of the new key
// brings it in with one fetch, tokens of the previous key (still
// published) keep working, and once the provider drops a key its tokens
// are refused after the next fetch.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	p := startProvider(t)
	clock := testutil.NewClock(time.Now()) // the key set's clock, for the refetch interval
	var mu sync.Mutex
	var fetchErrs []error
	keys := discover(t, p.issuer, jwtx.WithClock(clock), jwtx.WithJWKSErrorHandler(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		fetchErrs = append(fetchErrs, err)
	}))
	ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](keys, jwtx.WithIssuer(p.issuer), jwtx.WithAudience(apiAudience),
		jwtx.WithAccessTokenProfile("JWT"), jwtx.WithLeeway(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first := token(t, p.issuer, serviceID)
	if err := p.keys.rotate(); err != nil {
		t.Fatal(err)
	}
	second := token(t, p.issuer, serviceID)
	for _, step := range []struct {
		name    string
		advance time.Duration
		rotate  bool
		tok     string
		wantErr error
		wantIDs []string
	}{
		{name: "token of the key before the rotation", tok: first, wantIDs: []string{"key-1"}},
		{name: "token of the new key: fetched", tok: second, wantIDs: []string{"key-1", "key-2"}},
		{name: "token of the old key, still published", tok: first, wantIDs: []string{"key-1", "key-2"}},
		{name: "after a second rotation the first key is gone", advance: time.Minute, rotate: true, tok: "", wantIDs: []string{"key-2", "key-3"}},
		{name: "token of the dropped key", tok: first, wantErr: jwtx.ErrKeyNotFound, wantIDs: []string{"key-2", "key-3"}},
		{name: "token of the previous key", tok: second, wantIDs: []string{"key-2", "key-3"}},
	} {
		clock.Advance(step.advance)
		if step.rotate {
			if err := p.keys.rotate(); err != nil {
				t.Fatal(err)
			}
			step.tok = token(t, p.issuer, serviceID) // key-3: unknown, fetched
		}
		_, _, err := ver.Verify(ctx, step.tok)
		if diff := cmp.Diff(step.wantErr, err, cmpopts.EquateErrors()); diff != "" {
			t.Errorf("%s: Verify() error (-want +got):\n%s", step.name, diff)
		}
		var ids []string
		for _, k := range []string{"key-1", "key-2", "key-3"} {
			if hasKID(t, keys, k) {
				ids = append(ids, k)
			}
		}
		if diff := cmp.Diff(step.wantIDs, ids); diff != "" {
			t.Errorf("%s: keys in use (-want +got):\n%s", step.name, diff)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(fetchErrs) != 0 {
		t.Errorf("fetch errors: %v", fetchErrs)
	}
}

// hasKID reports whether the key set in use holds kid.
func hasKID(tb testing.TB, keys *jwtx.RemoteKeySet, kid string) bool {
	tb.Helper()
	doc, err := keys.Keys().PublicJWKS()
	if err != nil {
		tb.Fatal(err)
	}
	return containsKID(doc, kid)
}

// Two providers trusted at once, both with keys named key-1: each one's
// tokens verify with its own keys, and a token signed by one provider
// with the other's iss never does.
func TestTwoProviders(t *testing.T) {
	t.Parallel()
	a, b, other := startProvider(t), startProvider(t), startProvider(t)
	impostor := startImpostor(t, a, b.issuer) // a's keys, b's iss
	set, err := jwtx.NewIssuerSet(trusted(t, a), trusted(t, b))
	if err != nil {
		t.Fatal(err)
	}
	ver := newVerifier(t, set)
	for _, tc := range []struct {
		name    string
		base    string // where the token comes from
		wantErr error
		wantIss string
	}{
		{name: "token of a", base: a.issuer, wantIss: a.issuer},
		{name: "token of b", base: b.issuer, wantIss: b.issuer},
		{name: "a's key, b's iss", base: impostor.issuer, wantErr: jwtx.ErrSignature},
		{name: "a provider not trusted", base: other.issuer, wantErr: jwtx.ErrIssuer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _, err := ver.Verify(context.Background(), token(t, tc.base, serviceID))
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("Verify() error (-want +got):\n%s", diff)
			}
			if c.Issuer != tc.wantIss {
				t.Errorf("iss = %q, want %q", c.Issuer, tc.wantIss)
			}
		})
	}
}

// The dynamic form: issuers resolved per tenant from a table, their keys
// discovered on first use.
func TestIssuerResolver(t *testing.T) {
	t.Parallel()
	a, b := startProvider(t), startProvider(t)
	impostor := startImpostor(t, a, b.issuer)
	other := startProvider(t)
	tenants := map[string]bool{a.issuer: true, b.issuer: true}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r, err := jwtx.NewIssuerResolver(ctx, func(ctx context.Context, iss string) (jwtx.TrustedIssuer, error) {
		if !tenants[iss] {
			return jwtx.TrustedIssuer{}, jwtx.ErrIssuer
		}
		keys, err := jwtx.DiscoverKeySet(ctx, iss, jwtx.WithJWKSAllowHTTP(true))
		if err != nil {
			return jwtx.TrustedIssuer{}, err
		}
		return jwtx.TrustedIssuer{Issuer: iss, Keys: keys, Audience: []string{apiAudience}, HeaderTypes: []string{"JWT"}}, nil
	}, jwtx.WithMaxIssuers(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	ver := newVerifier(t, r)
	for _, tc := range []struct {
		base    string
		wantErr error
	}{
		{base: a.issuer}, {base: b.issuer}, {base: impostor.issuer, wantErr: jwtx.ErrSignature}, {base: other.issuer, wantErr: jwtx.ErrIssuer},
	} {
		_, _, err := ver.Verify(context.Background(), token(t, tc.base, serviceID))
		if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
			t.Errorf("token from %s: Verify() error (-want +got):\n%s", tc.base, diff)
		}
	}
	if r.Len() != 2 {
		t.Errorf("Len() = %d, want 2 (the refused issuer is not kept)", r.Len())
	}
}

// A service behind httpx that accepts both providers refuses a token
// without the route's scope with 403 and scope="...", and one without the
// route's authentication with 401 insufficient_user_authentication.
func TestScopeAndStepUpRefusals(t *testing.T) {
	t.Parallel()
	a, b := startProvider(t), startProvider(t)
	set, err := jwtx.NewIssuerSet(trusted(t, a), trusted(t, b))
	if err != nil {
		t.Fatal(err)
	}
	auth, err := httpx.New(newVerifier(t, set))
	if err != nil {
		t.Fatal(err)
	}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := jwtx.From[jwtx.AccessTokenClaims](r.Context())
		io.WriteString(w, c.Client())
	})
	mux := http.NewServeMux()
	mux.Handle("GET /orders", auth.RequireScopes(httpx.AllScopes, "orders:read")(ok))
	mux.Handle("POST /orders", auth.RequireScopes(httpx.AnyScope, "orders:write", "orders:admin")(ok))
	mux.Handle("POST /refunds", auth.RequireStepUp(httpx.StepUp{ACRValues: []string{"mfa"}, MaxAge: 5 * time.Minute})(ok))
	api := httptest.NewServer(mux)
	t.Cleanup(api.Close)

	const scopeRefused = `Bearer realm="api", error="insufficient_scope", error_description="insufficient scope", scope=`
	const stepUpRefused = `Bearer realm="api", error="insufficient_user_authentication", error_description="stronger or more recent authentication required", acr_values="mfa", max_age="300"`
	type answer struct {
		Status    int
		Challenge string
		Body      string
	}
	for _, tc := range []struct {
		name   string
		route  string
		issuer string
		client string
		scopes []string
		want   answer
	}{
		{name: "a, read with orders:read", route: "GET /orders", issuer: a.issuer, client: serviceID, scopes: []string{"orders:read"}, want: answer{200, "", serviceID}},
		{name: "b, read with orders:read", route: "GET /orders", issuer: b.issuer, client: serviceID, scopes: []string{"orders:read", "profile"}, want: answer{200, "", serviceID}},
		{name: "read without orders:read", route: "GET /orders", issuer: a.issuer, client: serviceID, scopes: []string{"orders:write"},
			want: answer{403, scopeRefused + `"orders:read"`, `{"msg":"insufficient scope"}`}},
		{name: "write with one of the scopes", route: "POST /orders", issuer: b.issuer, client: serviceID, scopes: []string{"orders:admin"}, want: answer{200, "", serviceID}},
		{name: "write with neither", route: "POST /orders", issuer: b.issuer, client: serviceID, scopes: []string{"orders:read"},
			want: answer{403, scopeRefused + `"orders:write orders:admin"`, `{"msg":"insufficient scope"}`}},
		{name: "refund without MFA", route: "POST /refunds", issuer: a.issuer, client: serviceID,
			want: answer{401, stepUpRefused, `{"msg":"stronger or more recent authentication required"}`}},
		{name: "refund with MFA just now", route: "POST /refunds", issuer: a.issuer, client: mfaServiceID, want: answer{200, "", mfaServiceID}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method, path, _ := cut(tc.route)
			req, err := http.NewRequest(method, api.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token(t, tc.issuer, tc.client, tc.scopes...))
			resp, err := api.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			got := answer{resp.StatusCode, resp.Header.Get("WWW-Authenticate"), trimNewline(string(body))}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}
