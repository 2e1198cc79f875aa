package jwtx

// An internal test of package jwtx: it cannot import testutil, which imports
// jwtx, so it makes its own keys.

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lestrrat-go/jwx/v2/jwk"
)

// privateJWK returns the private JWK of signer with kid "k", alg and extra
// members, as jwx represents it and as JSON.
func privateJWK(t *testing.T, signer crypto.Signer, alg Algorithm, extra map[string]any) (jwk.Key, []byte) {
	t.Helper()
	j, err := jwk.FromRaw(signer)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{jwk.KeyIDKey: "k", jwk.AlgorithmKey: string(alg)} {
		extra[name] = v
	}
	for name, v := range extra {
		if err := j.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	return j, b
}

// jwkMembers returns the member names of every key of a JWK Set document.
func jwkMembers(t *testing.T, doc []byte) [][]string {
	t.Helper()
	var set struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, k := range set.Keys {
		names := make([]string, 0, len(k))
		for name := range k {
			names = append(names, name)
		}
		slices.Sort(names)
		out = append(out, names)
	}
	return out
}

// TestParseJWKKeepsPrivateKeyMaterial reproduces finding 11: a Key parsed
// from a private JWK kept its private half for verification, while
// ParseJWKS reduced keys to public halves. Whatever a verification key is
// built from (a private JWK, a Go private key, a set of either), the key a
// Verifier verifies with holds no private half, and what it publishes has
// only public members. A private key given as such can still sign, unless
// its JWK's key_ops allow verifying only.
func TestParseJWKKeepsPrivateKeyMaterial(t *testing.T) {
	t.Parallel()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, kt := range []struct {
		name    string
		alg     Algorithm
		signer  crypto.Signer
		newKey  func() (*Key, error)
		members []string // of the published JWK
	}{
		{
			name: "RSA", alg: RS256, signer: rsaKey,
			newKey:  func() (*Key, error) { return NewKey(RS256, rsaKey, WithKeyID("k")) },
			members: []string{"alg", "e", "kid", "kty", "n", "use"},
		},
		{
			name: "EC", alg: ES256, signer: ecKey,
			newKey:  func() (*Key, error) { return NewKey(ES256, ecKey, WithKeyID("k")) },
			members: []string{"alg", "crv", "kid", "kty", "use", "x", "y"},
		},
		{
			name: "OKP", alg: EdDSA, signer: edKey,
			newKey:  func() (*Key, error) { return NewKey(EdDSA, edKey, WithKeyID("k")) },
			members: []string{"alg", "crv", "kid", "kty", "use", "x"},
		},
	} {
		j, doc := privateJWK(t, kt.signer, kt.alg, map[string]any{})
		_, verifyOnly := privateJWK(t, kt.signer, kt.alg, map[string]any{jwk.KeyOpsKey: []string{"verify"}})
		set := []byte(`{"keys":[` + string(doc) + `]}`)
		for _, tc := range []struct {
			name    string
			build   func() (VerificationKeys, error)
			canSign bool // for a *Key: it still signs
		}{
			{name: "ParseJWK", build: func() (VerificationKeys, error) { return ParseJWK(doc, "") }, canSign: true},
			{name: "keyFromJWK", build: func() (VerificationKeys, error) { return keyFromJWK(j, "") }, canSign: true},
			{name: "NewKey", build: func() (VerificationKeys, error) { return kt.newKey() }, canSign: true},
			{name: "ParseJWK key_ops verify", build: func() (VerificationKeys, error) { return ParseJWK(verifyOnly, "") }},
			{name: "NewKeySet", build: func() (VerificationKeys, error) {
				k, err := kt.newKey()
				if err != nil {
					return nil, err
				}
				return NewKeySet(k)
			}},
			{name: "ParseJWKS", build: func() (VerificationKeys, error) { return ParseJWKS(set, "") }},
			{name: "keySetFromJWKS", build: func() (VerificationKeys, error) {
				s, err := jwk.Parse(set)
				if err != nil {
					return nil, err
				}
				return keySetFromJWKS(s, "")
			}},
		} {
			t.Run(kt.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				keys, err := tc.build()
				if err != nil {
					t.Fatalf("building the keys: %v", err)
				}
				vk, err := keys.verificationKey(context.Background(), []byte("k"), true, []byte(kt.alg))
				if err != nil {
					t.Fatalf("verificationKey: %v", err)
				}
				if vk.k.CanSign() {
					t.Errorf("the key a Verifier verifies with holds the private half")
				}
				published, err := keys.(PublicKeySource).PublicJWKS()
				if err != nil {
					t.Fatalf("PublicJWKS: %v", err)
				}
				if diff := cmp.Diff([][]string{kt.members}, jwkMembers(t, published)); diff != "" {
					t.Errorf("members of the published JWKS (-want +got):\n%s", diff)
				}
				k, ok := keys.(*Key)
				if !ok {
					return
				}
				if got := k.CanSign(); got != tc.canSign {
					t.Errorf("CanSign() = %v, want %v", got, tc.canSign)
				}
				b, err := k.PublicJWK()
				if err != nil {
					t.Fatalf("PublicJWK: %v", err)
				}
				if diff := cmp.Diff([][]string{kt.members}, jwkMembers(t, []byte(`{"keys":[`+string(b)+`]}`))); diff != "" {
					t.Errorf("members of PublicJWK() (-want +got):\n%s", diff)
				}
				if !tc.canSign {
					return
				}
				iss, err := NewIssuer[string, RegisteredClaims](k)
				if err != nil {
					t.Fatalf("NewIssuer: %v", err)
				}
				tok, err := iss.Access(context.Background(), "alice")
				if err != nil {
					t.Fatalf("Access: %v", err)
				}
				ver, err := NewClaimsVerifier[RegisteredClaims](k)
				if err != nil {
					t.Fatalf("NewClaimsVerifier: %v", err)
				}
				if _, _, err := ver.Verify(context.Background(), tok.Raw); err != nil {
					t.Errorf("Verify(token the key signed): %v", err)
				}
			})
		}
	}
}
