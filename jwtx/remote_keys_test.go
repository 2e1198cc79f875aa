package jwtx_test

// RemoteKeySet: which keys of a fetched set are used, and with which
// algorithm; concurrent use.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// Keys that cannot verify JWS signatures are dropped from a fetched set
// and reported, while the set's other keys stay usable (A12, A13, D6).
func TestRemoteKeySetDropsUnusableKeys(t *testing.T) {
	t.Parallel()
	// The keys under test, each with kid "bad".
	key := func(alg jwtx.Algorithm) *testutil.Key {
		return testutil.NewKey(t, alg, testutil.WithSeed(t.Name()), testutil.WithKeyID("bad"))
	}
	rs, es, p384, ed, hs := ringRSA(t, 0, jwtx.RS256, "bad"), key(jwtx.ES256), key(jwtx.ES384), key(jwtx.EdDSA), key(jwtx.HS256)
	rsaPriv, ecPriv, secret := rs.RSA(), es.ECDSA(), hs.Secret()
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	members := func(kv ...any) map[string]any {
		m := map[string]any{"kid": "bad"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	rs256 := remoteSignedBy(t, rs)
	es256 := remoteSignedBy(t, es)
	for _, tc := range []struct {
		name    string
		bad     func(t *testing.T) jwk.Key
		opts    []jwtx.RemoteOption
		token   string // signed by the bad key's private half, kid "bad"
		dropped bool
	}{
		// Controls: keys that are fine.
		{name: "RSA, use sig", bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members("alg", "RS256", "use", "sig"))
		}, token: rs256},
		{name: "EC, key_ops verify", bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &ecPriv.PublicKey, members("alg", "ES256", "key_ops", []string{"verify"}))
		}, token: es256},
		{name: "EC without alg", bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &ecPriv.PublicKey, members())
		}, token: es256},

		{name: "use enc", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members("alg", "RS256", "use", "enc"))
		}, token: rs256},
		{name: "key_ops encrypt", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members("alg", "RS256", "key_ops", []string{"encrypt", "wrapKey"}))
		}, token: rs256},
		{name: "key_ops sign without verify", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &ecPriv.PublicKey, members("alg", "ES256", "key_ops", []string{"sign"}))
		}, token: es256},
		{name: "alg RSA-OAEP", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members("alg", "RSA-OAEP"))
		}, token: rs256},
		{name: "RSA without alg", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members())
		}, token: rs256},
		{name: "alg not allowed", dropped: true, opts: []jwtx.RemoteOption{jwtx.WithJWKSAlgorithms(jwtx.ES256)}, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &rsaPriv.PublicKey, members("alg", "RS256"))
		}, token: rs256},
		{name: "ES256 on P-384", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &p384.ECDSA().PublicKey, members("alg", "ES256"))
		}, token: remoteSignedBy(t, p384)},
		{name: "RSA-1024", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, &weak.PublicKey, members("alg", "RS256"))
		}, token: vtSignRS256Raw(t, weak, remoteHeader("RS256", "bad"), remoteClaims())},
		{name: "EC private key", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, ecPriv, members("alg", "ES256"))
		}, token: es256},
		{name: "RSA private key", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, rsaPriv, members("alg", "RS256"))
		}, token: rs256},
		{name: "Ed25519 private key", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, ed.Ed25519(), members("alg", "EdDSA"))
		}, token: remoteSignedBy(t, ed)},
		{name: "oct key", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, secret, members("alg", "HS256"))
		}, token: remoteSignedBy(t, hs)},
		{name: "oct key, use sig", dropped: true, bad: func(t *testing.T) jwk.Key {
			return remoteJWK(t, secret, members("alg", "HS256", "use", "sig", "key_ops", []string{"verify"}))
		}, token: remoteSignedBy(t, hs)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			good := ringES256(t, "good")
			doc := remoteDoc(t, remotePublicJWK(t, good), tc.bad(t))
			srv := remoteStart(t, ringNew(t, good, testutil.NewClock(ringEpoch)), false)
			srv.set(remoteBody(http.StatusOK, "application/jwk-set+json", doc))
			var errs remoteErrors
			opts := append([]jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true), jwtx.WithJWKSErrorHandler(errs.handle)}, tc.opts...)
			keys := remoteKeySet(t, srv.url(), opts...)

			wantLen, wantReports, wantErr := 2, 0, error(nil)
			if tc.dropped {
				wantLen, wantReports, wantErr = 1, 1, jwtx.ErrKeyNotFound
			}
			if got := keys.Keys().Len(); got != wantLen {
				t.Errorf("Keys().Len() = %d, want %d", got, wantLen)
			}
			remoteCheckReported(t, &errs, 0, wantReports)
			if _, err := keys.Health(); err != nil {
				t.Errorf("Health() error = %v, want nil: the set was accepted", err)
			}
			v := ringVerifier(t, keys, testutil.NewClock(ringEpoch))
			if diff := cmp.Diff(wantErr, ringVerify(v, tc.token), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Verify(token of the %q key) error mismatch (-want +got):\n%s", tc.name, diff)
			}
			if err := ringVerify(v, ringToken(t, ringIssuer(t, good, testutil.NewClock(ringEpoch)))); err != nil {
				t.Errorf("Verify(token of the good key) = %v, want nil", err)
			}
		})
	}
}

// A key's algorithm comes from the set and WithJWKSAlgorithms, and the
// header alg of a token must be exactly that algorithm.
func TestRemoteKeySetAlgorithmBinding(t *testing.T) {
	t.Parallel()
	rs := ringRSA(t, 0, jwtx.RS256, "rsa")
	ec := testutil.NewKey(t, jwtx.ES256, testutil.WithSeed(t.Name()), testutil.WithKeyID("ec"))
	rsaPriv, ecPriv := rs.RSA(), ec.ECDSA()
	rs256 := remoteSignedBy(t, rs)
	ps256 := remoteSignedBy(t, ringRSA(t, 0, jwtx.PS256, "rsa"))
	es256 := remoteSignedBy(t, ec)
	for _, tc := range []struct {
		name    string
		jwk     func(t *testing.T) jwk.Key
		opts    []jwtx.RemoteOption
		wantLen int
		tokens  map[string]error // token -> expected error
	}{
		{
			name:    "RSA without alg, RS256 configured",
			jwk:     func(t *testing.T) jwk.Key { return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa"}) },
			opts:    []jwtx.RemoteOption{jwtx.WithJWKSAlgorithms(jwtx.RS256, jwtx.ES256)},
			wantLen: 2,
			tokens:  map[string]error{rs256: nil, ps256: jwtx.ErrAlgorithm},
		},
		{
			name:    "RSA without alg, PS256 configured",
			jwk:     func(t *testing.T) jwk.Key { return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa"}) },
			opts:    []jwtx.RemoteOption{jwtx.WithJWKSAlgorithms(jwtx.PS256, jwtx.ES256)},
			wantLen: 2,
			tokens:  map[string]error{ps256: nil, rs256: jwtx.ErrAlgorithm},
		},
		{
			name:    "RSA without alg, RS256 and PS256 configured",
			jwk:     func(t *testing.T) jwk.Key { return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa"}) },
			opts:    []jwtx.RemoteOption{jwtx.WithJWKSAlgorithms(jwtx.RS256, jwtx.PS256, jwtx.ES256)},
			wantLen: 1,
			tokens:  map[string]error{rs256: jwtx.ErrKeyNotFound, ps256: jwtx.ErrKeyNotFound},
		},
		{
			name:    "RSA without alg, nothing configured",
			jwk:     func(t *testing.T) jwk.Key { return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa"}) },
			wantLen: 1,
			tokens:  map[string]error{rs256: jwtx.ErrKeyNotFound},
		},
		{
			name: "RSA with alg RS256, nothing configured",
			jwk: func(t *testing.T) jwk.Key {
				return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa", "alg": "RS256"})
			},
			wantLen: 2,
			tokens:  map[string]error{rs256: nil, ps256: jwtx.ErrAlgorithm},
		},
		{
			name: "RSA with alg RS256, only PS256 configured",
			jwk: func(t *testing.T) jwk.Key {
				return remoteJWK(t, &rsaPriv.PublicKey, map[string]any{"kid": "rsa", "alg": "RS256"})
			},
			opts:    []jwtx.RemoteOption{jwtx.WithJWKSAlgorithms(jwtx.PS256, jwtx.ES256)},
			wantLen: 1,
			tokens:  map[string]error{rs256: jwtx.ErrKeyNotFound, ps256: jwtx.ErrKeyNotFound},
		},
		{
			name:    "EC without alg, nothing configured",
			jwk:     func(t *testing.T) jwk.Key { return remoteJWK(t, &ecPriv.PublicKey, map[string]any{"kid": "ec"}) },
			wantLen: 2,
			tokens:  map[string]error{es256: nil, remoteSignedBy(t, remoteAttacker(t, "ec")): jwtx.ErrSignature},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			other := ringES256(t, "other")
			srv := remoteStart(t, ringNew(t, other, testutil.NewClock(ringEpoch)), false)
			srv.set(remoteBody(http.StatusOK, "application/json", remoteDoc(t, remotePublicJWK(t, other), tc.jwk(t))))
			keys := remoteKeySet(t, srv.url(), append([]jwtx.RemoteOption{jwtx.WithJWKSAllowHTTP(true)}, tc.opts...)...)
			if got := keys.Keys().Len(); got != tc.wantLen {
				t.Errorf("Keys().Len() = %d, want %d", got, tc.wantLen)
			}
			v := ringVerifier(t, keys, testutil.NewClock(ringEpoch))
			for tok, wantErr := range tc.tokens {
				if diff := cmp.Diff(wantErr, ringVerify(v, tok), cmpopts.EquateErrors()); diff != "" {
					t.Errorf("Verify(%s token) error mismatch (-want +got):\n%s", ringHeader(t, tok)["alg"], diff)
				}
			}
		})
	}
}

// A3 through a remote set: an HS256 token MACed with the RSA key's public
// material, under that key's kid, is refused for its algorithm; so are
// "none" and a header alg other than the key's.
func TestRemoteKeySetKeyConfusion(t *testing.T) {
	t.Parallel()
	rs := ringRSA(t, 0, jwtx.RS256, "rs-1")
	rsaPriv, rsKey := rs.RSA(), rs.Private()
	srv := remoteStart(t, ringNew(t, rsKey, testutil.NewClock(ringEpoch)), false)
	keys := remoteKeySet(t, srv.url(), jwtx.WithJWKSAllowHTTP(true))
	der, err := x509.MarshalPKIXPublicKey(&rsaPriv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	jwkJSON, err := json.Marshal(remotePublicJWK(t, rsKey))
	if err != nil {
		t.Fatal(err)
	}
	claims := remoteClaims()
	for _, tc := range []struct {
		name    string
		token   string
		wantErr error
	}{
		{name: "control: RS256", token: testutil.Sign(t, rs, remoteHeader("RS256", "rs-1"), claims)},
		{name: "control: RS256 without kid", token: testutil.Sign(t, rs, remoteHeader("RS256", ""), claims)},
		{name: "HS256 MACed with the PEM public key", token: testutil.SignHMAC(t, jwtx.HS256, pemBytes, remoteHeader("HS256", "rs-1"), claims), wantErr: jwtx.ErrAlgorithm},
		{name: "HS256 MACed with the DER public key", token: testutil.SignHMAC(t, jwtx.HS256, der, remoteHeader("HS256", "rs-1"), claims), wantErr: jwtx.ErrAlgorithm},
		{name: "HS256 MACed with the JWK", token: testutil.SignHMAC(t, jwtx.HS256, jwkJSON, remoteHeader("HS256", "rs-1"), claims), wantErr: jwtx.ErrAlgorithm},
		{name: "HS256 without kid", token: testutil.SignHMAC(t, jwtx.HS256, pemBytes, remoteHeader("HS256", ""), claims), wantErr: jwtx.ErrAlgorithm},
		{name: "none", token: testutil.Compact(remoteHeader("none", "rs-1"), claims, nil), wantErr: jwtx.ErrAlgorithm},
		{name: "PS256 header on the RS256 key", token: remoteSignedBy(t, ringRSA(t, 0, jwtx.PS256, "rs-1")), wantErr: jwtx.ErrAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := ringVerifier(t, keys, testutil.NewClock(ringEpoch))
			if diff := cmp.Diff(tc.wantErr, ringVerify(v, tc.token), cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Verify() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// None of these tokens names an unknown kid, so none caused a fetch.
	if got := srv.count(); got != 1 {
		t.Errorf("JWKS fetches = %d, want 1", got)
	}
}

// Verification, Refresh, Health and rotation run concurrently. Run under
// -race.
func TestRemoteKeySetConcurrent(t *testing.T) {
	t.Parallel()
	e := remoteSetup(t)
	tok := e.token(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if err := e.verify(tok); err != nil {
					t.Errorf("Verify() = %v, want nil", err)
					return
				}
				_, _ = e.keys.Health()
				_ = e.keys.Keys().Len()
			}
		})
	}
	for i := range 20 {
		ringRotate(t, e.ring, ringES256(t, fmt.Sprintf("k%d", i+2)), 24*time.Hour)
		if i%2 == 0 {
			if err := e.keys.Refresh(context.Background()); err != nil {
				t.Errorf("Refresh() = %v", err)
			}
		} else {
			e.clock.Advance(jwtx.DefaultJWKSMinRefreshInterval)
			if err := e.verify(e.token(t)); err != nil {
				t.Errorf("Verify(new kid) = %v, want nil", err)
			}
		}
	}
	wg.Wait()
	if got := e.keys.Keys().Len(); got != 21 {
		t.Errorf("Keys().Len() = %d, want 21", got)
	}
}

// remoteTransport serves requests in memory with an endpoint, so that a
// RemoteKeySet runs without network I/O inside a synctest bubble. A
// request whose context ends before the endpoint answers fails, as it
// would over a network.
type remoteTransport struct{ h http.Handler }

func (t remoteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	return rec.Result(), nil
}

// remoteBubble runs f in a synctest bubble with a context that ends when f
// returns, which stops the background refreshes of the RemoteKeySets f
// built. The bubble ends when every goroutine in it has.
func remoteBubble(t *testing.T, f func(t *testing.T, ctx context.Context)) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		f(t, ctx)
	})
}
