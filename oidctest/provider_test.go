package oidctest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Service clients every provider knows. Each may use the client
// credentials grant and receives JWT access tokens for apiAudience.
const (
	serviceID     = "svc-orders" // an ordinary service
	mfaServiceID  = "svc-mfa"    // its tokens say acr "mfa" and a fresh auth_time
	serviceSecret = "test-only-secret"
	apiAudience   = "https://orders.test"
)

// provider is one running instance of ZITADEL's example OpenID provider:
// its op package and example storage, on 127.0.0.1.
type provider struct {
	issuer string
	keys   *rotatingKeys
}

// startProvider starts a provider on 127.0.0.1 whose issuer is its URL,
// stopped when the test ends.
func startProvider(tb testing.TB) *provider {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	issuer := "http://" + ln.Addr().String()
	keys := newRotatingKeys(tb)
	serve(tb, ln, issuer, keys)
	return &provider{issuer: issuer, keys: keys}
}

// startImpostor starts a provider on 127.0.0.1 that signs with the keys
// of p but writes issuer into its tokens: a token of p's provider
// claiming another's iss.
func startImpostor(tb testing.TB, p *provider, issuer string) *provider {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	serve(tb, ln, issuer, p.keys)
	return &provider{issuer: "http://" + ln.Addr().String(), keys: p.keys}
}

// serve runs the example OP for issuer with keys on ln.
func serve(tb testing.TB, ln net.Listener, issuer string, keys *rotatingKeys) {
	tb.Helper()
	users := storage.NewUserStore(issuer)
	st := &jwtStorage{Storage: storage.NewStorageWithClients(users, map[string]*storage.Client{}), keys: keys}
	router := exampleop.SetupServer(issuer, st, nil, false)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: router, ReadHeaderTimeout: 5 * time.Second}}
	srv.Start()
	tb.Cleanup(srv.Close)
}

// token obtains an access token from the provider at base (its URL, which
// is its issuer unless it is an impostor) through a real client
// credentials request to the token endpoint its discovery document names.
func token(tb testing.TB, base, clientID string, scopes ...string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var meta struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	getJSON(tb, ctx, base+"/.well-known/openid-configuration", &meta)
	// The document names the token endpoint under the issuer; an impostor
	// serves it on its own address.
	u, err := url.Parse(meta.TokenEndpoint)
	if err != nil {
		tb.Fatal(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {strings.Join(scopes, " ")}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+u.Path, strings.NewReader(form.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, serviceSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		tb.Fatalf("client credentials grant at %s: status %d, error %q, decode %v", base, resp.StatusCode, tok.Error, err)
	}
	return tok.AccessToken
}

func getJSON(tb testing.TB, ctx context.Context, u string, v any) {
	tb.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: status %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		tb.Fatalf("GET %s: %v", u, err)
	}
}

// jwtStorage is the example storage with what a resource-server test
// needs configured in it: service clients that receive JWT access tokens
// (the example's own service user receives opaque ones), the requested
// scopes asserted into them as RFC 9068's scope claim, and signing keys
// that rotate (the example has one key for its whole life).
type jwtStorage struct {
	*storage.Storage
	keys *rotatingKeys
}

// ClientCredentials authenticates the service clients.
func (s *jwtStorage) ClientCredentials(_ context.Context, clientID, clientSecret string) (op.Client, error) {
	if (clientID != serviceID && clientID != mfaServiceID) || clientSecret != serviceSecret {
		return nil, fmt.Errorf("wrong client or secret")
	}
	return serviceClient(clientID), nil
}

// ClientCredentialsTokenRequest makes the token request of a client: the
// client is the subject, the API the audience.
func (s *jwtStorage) ClientCredentialsTokenRequest(_ context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	return &oidc.JWTTokenRequest{Subject: clientID, Audience: []string{apiAudience}, Scopes: scopes}, nil
}

// GetPrivateClaimsFromScopes asserts the scopes into the access token
// and, for the MFA client, the authentication it stands for.
func (s *jwtStorage) GetPrivateClaimsFromScopes(_ context.Context, _, clientID string, scopes []string) (map[string]any, error) {
	claims := map[string]any{"scope": strings.Join(scopes, " ")}
	if clientID == mfaServiceID {
		claims["acr"] = "mfa"
		claims["auth_time"] = time.Now().Unix()
	}
	return claims, nil
}

// SigningKey returns the current key.
func (s *jwtStorage) SigningKey(context.Context) (op.SigningKey, error) { return s.keys.current(), nil }

// SignatureAlgorithms returns RS256, the algorithm of every key.
func (s *jwtStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet publishes the current key and the one before it.
func (s *jwtStorage) KeySet(context.Context) ([]op.Key, error) { return s.keys.published(), nil }

// serviceClient is an op.Client for the client credentials grant with
// JWT access tokens.
type serviceClient string

func (c serviceClient) GetID() string                       { return string(c) }
func (c serviceClient) RedirectURIs() []string              { return nil }
func (c serviceClient) PostLogoutRedirectURIs() []string    { return nil }
func (c serviceClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c serviceClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c serviceClient) ResponseTypes() []oidc.ResponseType  { return nil }
func (c serviceClient) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeClientCredentials}
}
func (c serviceClient) LoginURL(string) string               { return "" }
func (c serviceClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c serviceClient) IDTokenLifetime() time.Duration       { return time.Hour }
func (c serviceClient) DevMode() bool                        { return false }
func (c serviceClient) IsScopeAllowed(string) bool           { return true }
func (c serviceClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c serviceClient) ClockSkew() time.Duration             { return 0 }
func (c serviceClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c serviceClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// rotatingKeys holds a provider's RSA signing key and the one before it.
// Key ids are "key-1", "key-2", ... in every provider, so two providers
// publish keys with the same kid.
type rotatingKeys struct {
	mu   sync.Mutex
	n    int
	keys []*signingKey // current last; at most two
}

func newRotatingKeys(tb testing.TB) *rotatingKeys {
	tb.Helper()
	k := &rotatingKeys{}
	if err := k.rotate(); err != nil {
		tb.Fatal(err)
	}
	return k
}

// rotate makes a new key current; the previous one stays published, the
// one before it goes.
func (k *rotatingKeys) rotate() error {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.n++
	k.keys = append(k.keys, &signingKey{id: fmt.Sprintf("key-%d", k.n), key: priv})
	if len(k.keys) > 2 {
		k.keys = k.keys[len(k.keys)-2:]
	}
	return nil
}

func (k *rotatingKeys) current() *signingKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.keys[len(k.keys)-1]
}

func (k *rotatingKeys) published() []op.Key {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]op.Key, 0, len(k.keys))
	for _, s := range k.keys {
		out = append(out, publicKey{s})
	}
	return out
}

// signingKey is an op.SigningKey.
type signingKey struct {
	id  string
	key *rsa.PrivateKey
}

func (s *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (s *signingKey) Key() any                                    { return s.key }
func (s *signingKey) ID() string                                  { return s.id }

// publicKey is the op.Key published for a signingKey.
type publicKey struct{ s *signingKey }

func (p publicKey) ID() string                         { return p.s.id }
func (p publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (p publicKey) Use() string                        { return "sig" }
func (p publicKey) Key() any                           { return &p.s.key.PublicKey }

// containsKID reports whether a JWK Set document holds a key with kid.
func containsKID(doc []byte, kid string) bool {
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
		} `json:"keys"`
	}
	if json.Unmarshal(doc, &set) != nil {
		return false
	}
	for _, k := range set.Keys {
		if k.KID == kid {
			return true
		}
	}
	return false
}

// cut splits "METHOD /path" into its method and path.
func cut(route string) (method, path string, ok bool) { return strings.Cut(route, " ") }

func trimNewline(s string) string { return strings.TrimSuffix(s, "\n") }
