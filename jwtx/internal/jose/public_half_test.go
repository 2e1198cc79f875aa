package jose_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"runtime"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx/internal/jose"
)

// collected reports whether the cleanup that closes done has run, giving
// the collector a bounded number of cycles to get there.
func collected(done <-chan struct{}) bool {
	for range 50 {
		runtime.GC()
		select {
		case <-done:
			return true
		default:
			runtime.Gosched()
		}
	}
	return false
}

// TestPublicHalfDoesNotRetainPrivateKey: the public half of a key, and a
// key built from a public key, keep no reference to the private key it came
// from. An RSA or ECDSA public half used to point into the private key's
// struct, which kept the private exponent or scalar in memory for as long
// as a verifier held the public half.
func TestPublicHalfDoesNotRetainPrivateKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		build func(t *testing.T, done chan struct{}) *jose.Key
	}{
		{name: "RSA Public", build: func(t *testing.T, done chan struct{}) *jose.Key {
			priv, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			runtime.AddCleanup(priv, closeDone, done)
			return mustNew(t, "RS256", priv).Public()
		}},
		{name: "RSA from &priv.PublicKey", build: func(t *testing.T, done chan struct{}) *jose.Key {
			priv, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			runtime.AddCleanup(priv, closeDone, done)
			return mustNew(t, "RS256", &priv.PublicKey)
		}},
		{name: "ECDSA Public", build: func(t *testing.T, done chan struct{}) *jose.Key {
			priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			runtime.AddCleanup(priv, closeDone, done)
			return mustNew(t, "ES256", priv).Public()
		}},
		{name: "ECDSA from &priv.PublicKey", build: func(t *testing.T, done chan struct{}) *jose.Key {
			priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			runtime.AddCleanup(priv, closeDone, done)
			return mustNew(t, "ES256", &priv.PublicKey)
		}},
		{name: "Ed25519 Public", build: func(t *testing.T, done chan struct{}) *jose.Key {
			_, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			runtime.AddCleanup(&priv[0], closeDone, done)
			return mustNew(t, "EdDSA", priv).Public()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			done := make(chan struct{})
			pub := tc.build(t, done)
			if pub.CanSign() {
				t.Fatalf("the public half can sign")
			}
			if !collected(done) {
				t.Errorf("the private key stays reachable from the public half")
			}
			runtime.KeepAlive(pub)
		})
	}
}

func mustNew(t *testing.T, alg string, material any) *jose.Key {
	t.Helper()
	k, err := jose.New(alg, material)
	if err != nil {
		t.Fatalf("New(%s): %v", alg, err)
	}
	return k
}

func closeDone(done chan struct{}) { close(done) }
