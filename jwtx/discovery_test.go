package jwtx_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// idpEpoch is the time at which the tokens of an idp are issued and verified.
var idpEpoch = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// idp is an identity provider on loopback, as far as a resource server
// sees one: metadata documents and a JWKS, all under the test's control.
type idp struct {
	srv    *httptest.Server
	issuer string
	keyPtr atomic.Pointer[testutil.Key] // the signing key, swapped to rotate
	// paths maps a request path to the answer; the test edits it before
	// the first request only.
	paths map[string]http.HandlerFunc
	hits  atomic.Int64 // requests to the JWKS
}

// startIDP starts a provider whose issuer is its URL plus path, with an
// OpenID Connect Discovery document and a JWKS of key (ES256, kid "k1",
// seeded with seed). tls serves it over HTTPS.
func startIDP(tb testing.TB, path, seed string, tls bool) *idp {
	tb.Helper()
	p := &idp{paths: map[string]http.HandlerFunc{}}
	p.keyPtr.Store(testutil.NewKey(tb, jwtx.ES256, testutil.WithSeed(seed), testutil.WithKeyID("k1")))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, ok := p.paths[r.URL.Path]; ok {
			f(w, r)
			return
		}
		http.NotFound(w, r)
	})
	if tls {
		p.srv = httptest.NewTLSServer(h)
	} else {
		p.srv = httptest.NewServer(h)
	}
	tb.Cleanup(p.srv.Close)
	p.issuer = p.srv.URL + path
	p.paths[strings.TrimSuffix(path, "/")+"/.well-known/openid-configuration"] = p.metadata(p.issuer, p.srv.URL+"/keys")
	p.paths["/keys"] = func(w http.ResponseWriter, _ *http.Request) {
		p.hits.Add(1)
		doc, err := p.key().Public().PublicJWKS()
		if err != nil {
			http.Error(w, "no keys", http.StatusInternalServerError)
			return
		}
		w.Write(doc)
	}
	return p
}

// metadata answers with a metadata document naming issuer and jwksURI.
func (p *idp) metadata(issuer, jwksURI string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": issuer, "jwks_uri": jwksURI, "token_endpoint": issuer + "/token"})
	}
}

// token signs claims (a JSON object, used byte for byte) with the
// provider's key under header typ.
func (p *idp) token(tb testing.TB, typ, claims string) string {
	tb.Helper()
	k := p.key()
	return testutil.Sign(tb, k, `{"alg":"ES256","kid":"`+k.ID()+`","typ":"`+typ+`"}`, claims)
}

// key returns the provider's signing key.
func (p *idp) key() *testutil.Key { return p.keyPtr.Load() }

// accessClaims are RFC 9068 claims from iss for aud, with extra members.
func accessClaims(iss, aud string, extra ...string) string {
	var b strings.Builder
	b.WriteString(`{"iss":` + strconvQuote(iss) + `,"sub":"svc-1","aud":` + strconvQuote(aud) + `,"client_id":"svc-1","jti":"j1"`)
	b.WriteString(`,"iat":` + itoa(idpEpoch.Unix()) + `,"exp":` + itoa(idpEpoch.Add(time.Hour).Unix()))
	for _, e := range extra {
		b.WriteString("," + e)
	}
	b.WriteString("}")
	return b.String()
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// discover runs DiscoverKeySet for the length of the test.
func discover(tb testing.TB, issuer string, opts ...jwtx.RemoteOption) (*jwtx.RemoteKeySet, error) {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	return jwtx.DiscoverKeySet(ctx, issuer, opts...)
}

func TestDiscoverKeySet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		path    string                           // of the issuer
		edit    func(p *idp)                     // before discovery
		issuer  func(p *idp) string              // configured; default p.issuer
		wantErr []error                          // each must be wrapped
		opts    func(p *idp) []jwtx.RemoteOption // default: allow http
		tls     bool
	}{
		{name: "openid configuration"},
		{name: "issuer with a path", path: "/realms/acme"},
		{name: "issuer with a trailing slash", path: "/"},
		{name: "RFC 8414 metadata when there is no OpenID document", path: "/tenant", edit: func(p *idp) {
			delete(p.paths, "/tenant/.well-known/openid-configuration")
			p.paths["/.well-known/oauth-authorization-server/tenant"] = p.metadata(p.issuer, p.srv.URL+"/keys")
		}},
		{name: "document of another issuer", edit: func(p *idp) {
			p.paths["/.well-known/openid-configuration"] = p.metadata("https://evil.test", p.srv.URL+"/keys")
		}, wantErr: []error{jwtx.ErrJWKS, jwtx.ErrIssuer}},
		{name: "issuer differing by a trailing slash", path: "/", issuer: func(p *idp) string { return strings.TrimSuffix(p.issuer, "/") },
			wantErr: []error{jwtx.ErrJWKS, jwtx.ErrIssuer}},
		{name: "no metadata at all", edit: func(p *idp) { delete(p.paths, "/.well-known/openid-configuration") }, wantErr: []error{jwtx.ErrJWKS}},
		{name: "OpenID document failing is not a fallback", edit: func(p *idp) {
			p.paths["/.well-known/openid-configuration"] = func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", 500) }
			p.paths["/.well-known/oauth-authorization-server"] = p.metadata(p.issuer, p.srv.URL+"/keys")
		}, wantErr: []error{jwtx.ErrJWKS}},
		{name: "no jwks_uri", edit: func(p *idp) {
			p.paths["/.well-known/openid-configuration"] = func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"issuer":"` + p.issuer + `"}`)) }
		}, wantErr: []error{jwtx.ErrJWKS}},
		{name: "duplicate issuer member", edit: func(p *idp) {
			p.paths["/.well-known/openid-configuration"] = func(w http.ResponseWriter, _ *http.Request) {
				w.Write([]byte(`{"issuer":"https://evil.test","issuer":"` + p.issuer + `","jwks_uri":"` + p.srv.URL + `/keys"}`))
			}
		}, wantErr: []error{jwtx.ErrJWKS}},
		{name: "document too large", edit: func(p *idp) {
			p.paths["/.well-known/openid-configuration"] = func(w http.ResponseWriter, _ *http.Request) {
				w.Write([]byte(`{"issuer":"` + p.issuer + `","jwks_uri":"` + p.srv.URL + `/keys","x":"` + strings.Repeat("a", 300<<10) + `"}`))
			}
		}, wantErr: []error{jwtx.ErrJWKS}},
		{name: "redirect to another origin", edit: func(p *idp) {
			p.paths["/.well-known/openid-configuration"] = func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://localhost:1/.well-known/openid-configuration", http.StatusFound)
			}
		}, wantErr: []error{jwtx.ErrJWKS}},
		{name: "http issuer without WithJWKSAllowHTTP", opts: func(*idp) []jwtx.RemoteOption { return nil }, wantErr: []error{jwtx.ErrConfig}},
		{name: "issuer with a query", issuer: func(p *idp) string { return p.issuer + "?tenant=a" }, wantErr: []error{jwtx.ErrConfig}},
		{name: "https", tls: true, opts: func(p *idp) []jwtx.RemoteOption {
			return []jwtx.RemoteOption{jwtx.WithJWKSHTTPClient(p.srv.Client())}
		}},
		{name: "http jwks_uri from an https issuer", tls: true, edit: func(p *idp) {
			p.paths["/.well-known/openid-configuration"] = p.metadata(p.issuer, strings.Replace(p.srv.URL, "https:", "http:", 1)+"/keys")
		}, opts: func(p *idp) []jwtx.RemoteOption {
			return []jwtx.RemoteOption{jwtx.WithJWKSHTTPClient(p.srv.Client())}
		}, wantErr: []error{jwtx.ErrJWKS}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startIDP(t, tc.path, "discovery", tc.tls)
			if tc.edit != nil {
				tc.edit(p)
			}
			issuer := p.issuer
			if tc.issuer != nil {
				issuer = tc.issuer(p)
			}
			opts := []jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true)}
			if tc.opts != nil {
				opts = tc.opts(p)
			}
			keys, err := discover(t, issuer, opts...)
			for _, want := range tc.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("DiscoverKeySet() error = %v, want one wrapping %v", err, want)
				}
			}
			if len(tc.wantErr) > 0 {
				if keys != nil {
					t.Errorf("DiscoverKeySet() returned keys with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("DiscoverKeySet() = %v", err)
			}
			// The keys found verify the provider's tokens.
			ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](keys, jwtx.WithIssuer(p.issuer),
				jwtx.WithAudience("api"), jwtx.WithAccessTokenProfile(), jwtx.WithClock(testutil.NewClock(idpEpoch)))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := ver.Verify(context.Background(), p.token(t, "at+jwt", accessClaims(p.issuer, "api"))); err != nil {
				t.Errorf("Verify() = %v", err)
			}
		})
	}
}

// The discovered set is a RemoteKeySet: a key rotated at the provider is
// picked up by the first token that names it, with one fetch.
func TestDiscoverKeySetRotation(t *testing.T) {
	t.Parallel()
	p := startIDP(t, "", "rotation-old", false)
	keys, err := discover(t, p.issuer, jwtx.WithJWKSAllowHTTP(true), jwtx.WithClock(testutil.NewClock(idpEpoch)))
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](keys, jwtx.WithIssuer(p.issuer),
		jwtx.WithAudience("api"), jwtx.WithAccessTokenProfile(), jwtx.WithClock(testutil.NewClock(idpEpoch)))
	if err != nil {
		t.Fatal(err)
	}
	old := p.token(t, "at+jwt", accessClaims(p.issuer, "api"))
	p.keyPtr.Store(testutil.NewKey(t, jwtx.ES256, testutil.WithSeed("rotation-new"), testutil.WithKeyID("k2")))
	next := p.token(t, "at+jwt", accessClaims(p.issuer, "api"))
	if _, _, err := ver.Verify(context.Background(), next); err != nil {
		t.Errorf("Verify(token of the new key) = %v", err)
	}
	if got := p.hits.Load(); got != 2 {
		t.Errorf("JWKS fetches = %d, want 2 (start, rotation)", got)
	}
	_, _, err = ver.Verify(context.Background(), old)
	if diff := cmp.Diff(jwtx.ErrKeyNotFound, err, cmpopts.EquateErrors()); diff != "" {
		t.Errorf("Verify(token of the retired key) (-want +got):\n%s", diff)
	}
}
