package jwtx_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	jwxjws "github.com/lestrrat-go/jwx/v2/jws"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// allAlgorithms lists every algorithm jwtx signs with.
var allAlgorithms = []jwtx.Algorithm{
	jwtx.HS256, jwtx.HS384, jwtx.HS512,
	jwtx.RS256, jwtx.RS384, jwtx.RS512,
	jwtx.PS256, jwtx.PS384, jwtx.PS512,
	jwtx.ES256, jwtx.ES384, jwtx.ES512,
	jwtx.EdDSA, jwtx.Ed25519,
}

// testRSA returns the RSA key of the key tests, kid "rsa", bound to alg.
func testRSA(tb testing.TB, alg jwtx.Algorithm) *testutil.Key {
	tb.Helper()
	return testutil.NewKey(tb, alg, testutil.WithSeed("key tests"), testutil.WithKeyID("rsa"))
}

// rawPrivate returns the private material of k as jwx and jwtx.NewKey
// take it.
func rawPrivate(k *testutil.Key) any {
	switch {
	case k.RSA() != nil:
		return k.RSA()
	case k.ECDSA() != nil:
		return k.ECDSA()
	case k.Ed25519() != nil:
		return k.Ed25519()
	}
	return k.Secret()
}

func newKeyAny(alg jwtx.Algorithm, raw any, opts ...jwtx.KeyOption) (*jwtx.Key, error) {
	switch m := raw.(type) {
	case []byte:
		return jwtx.NewKey(alg, m, opts...)
	case *rsa.PrivateKey:
		return jwtx.NewKey(alg, m, opts...)
	case *rsa.PublicKey:
		return jwtx.NewKey(alg, m, opts...)
	case *ecdsa.PrivateKey:
		return jwtx.NewKey(alg, m, opts...)
	case *ecdsa.PublicKey:
		return jwtx.NewKey(alg, m, opts...)
	case ed25519.PrivateKey:
		return jwtx.NewKey(alg, m, opts...)
	case ed25519.PublicKey:
		return jwtx.NewKey(alg, m, opts...)
	}
	return nil, errors.New("unknown key type")
}

func publicOf(raw any) any {
	switch m := raw.(type) {
	case *rsa.PrivateKey:
		return &m.PublicKey
	case *ecdsa.PrivateKey:
		return &m.PublicKey
	case ed25519.PrivateKey:
		return m.Public()
	}
	return raw
}

// TestAlgorithmsRoundTrip issues and verifies with every algorithm, and
// checks each token against jwx's own verifier and each jwx-signed token
// against jwtx, so both sides agree on the wire format. jwx v2 does not know
// the RFC 9864 name Ed25519: it verifies such tokens as EdDSA and signs
// only EdDSA, which a key bound to Ed25519 refuses.
func TestAlgorithmsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, alg := range allAlgorithms {
		t.Run(string(alg), func(t *testing.T) {
			t.Parallel()
			k := testutil.NewKey(t, alg, testutil.WithSeed("key tests"), testutil.WithKeyID("k"))
			raw := rawPrivate(k)
			priv, err := newKeyAny(alg, raw, jwtx.WithKeyID("k"))
			if err != nil {
				t.Fatalf("NewKey: %v", err)
			}
			pub, err := newKeyAny(alg, publicOf(raw), jwtx.WithKeyID("k"))
			if err != nil {
				t.Fatalf("NewKey(public): %v", err)
			}
			iss, err := jwtx.NewIssuer[string, Claims](priv, jwtx.WithClaims(func(_ context.Context, u string) (Claims, error) {
				return Claims{Roles: []string{u}}, nil
			}))
			if err != nil {
				t.Fatalf("NewIssuer: %v", err)
			}
			ver, err := jwtx.NewClaimsVerifier[Claims](pub)
			if err != nil {
				t.Fatalf("NewClaimsVerifier: %v", err)
			}
			tok, err := iss.Access(ctx, "bob")
			if err != nil {
				t.Fatalf("Access: %v", err)
			}
			claims, _, err := ver.Verify(ctx, tok.Raw)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if diff := cmp.Diff([]string{"bob"}, claims.Roles); diff != "" {
				t.Errorf("roles (-want +got):\n%s", diff)
			}

			jwxAlg := jwa.SignatureAlgorithm(alg)
			if alg == jwtx.Ed25519 {
				jwxAlg = jwa.EdDSA
			}
			if _, err := jwxjws.Verify([]byte(tok.Raw), jwxjws.WithKey(jwxAlg, publicOf(raw))); err != nil {
				t.Errorf("jwx rejects the jwtx token: %v", err)
			}
			hdr := jwxjws.NewHeaders()
			for k, v := range map[string]any{"typ": "at+jwt", "kid": "k"} {
				if err := hdr.Set(k, v); err != nil {
					t.Fatal(err)
				}
			}
			payload := `{"sub":"carol","type":"access","exp":9999999999,"roles":["carol"]}`
			signed, err := jwxjws.Sign([]byte(payload), jwxjws.WithKey(jwxAlg, raw, jwxjws.WithProtectedHeaders(hdr)))
			if err != nil {
				t.Fatalf("jwxjws.Sign: %v", err)
			}
			if alg == jwtx.Ed25519 {
				// jwx wrote "EdDSA": refused by the key bound to Ed25519,
				// accepted by the same material bound to EdDSA.
				if _, _, err := ver.Verify(ctx, string(signed)); !errors.Is(err, jwtx.ErrAlgorithm) {
					t.Errorf("Verify(jwx EdDSA token) with an Ed25519 key = %v, want ErrAlgorithm", err)
				}
				eddsa, err := jwtx.NewClaimsVerifier[Claims](testutil.NewKey(t, jwtx.EdDSA, testutil.WithSeed("key tests"), testutil.WithKeyID("k")).Public())
				if err != nil {
					t.Fatal(err)
				}
				ver = eddsa
			}
			claims, _, err = ver.Verify(ctx, string(signed))
			if err != nil {
				t.Fatalf("Verify(jwx token): %v", err)
			}
			if claims.Subject != "carol" {
				t.Errorf("Subject = %q, want carol", claims.Subject)
			}
		})
	}
}

func TestNewKeyRefusesWeakKeys(t *testing.T) {
	t.Parallel()
	smallRSA, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaPriv := testRSA(t, jwtx.RS256).RSA()
	evenE := rsaPriv.PublicKey
	evenE.E = 65536
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	offCurve := p256.PublicKey
	offCurve.Y = new(big.Int).Add(offCurve.Y, big.NewInt(1))
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, tc := range []struct {
		name string
		alg  jwtx.Algorithm
		raw  any
	}{
		{"HS256 31 bytes", jwtx.HS256, make([]byte, 31)},
		{"HS384 47 bytes", jwtx.HS384, make([]byte, 47)},
		{"HS512 63 bytes", jwtx.HS512, make([]byte, 63)},
		{"HS256 empty", jwtx.HS256, []byte{}},
		{"RSA 1024", jwtx.RS256, smallRSA},
		{"RSA even exponent", jwtx.RS256, &evenE},
		{"RSA key for HMAC", jwtx.HS256, rsaPriv},
		{"secret for RSA", jwtx.RS256, make([]byte, 64)},
		{"P-256 for ES384", jwtx.ES384, p256},
		{"point off the curve", jwtx.ES256, &offCurve},
		{"EC point without coordinates", jwtx.ES256, &ecdsa.PublicKey{Curve: elliptic.P256()}},
		{"EC private key without D", jwtx.ES256, &ecdsa.PrivateKey{PublicKey: p256.PublicKey}},
		{"EC private key with D zero", jwtx.ES256, &ecdsa.PrivateKey{PublicKey: p256.PublicKey, D: new(big.Int)}},
		{"EC private key not matching its public key", jwtx.ES256, &ecdsa.PrivateKey{PublicKey: p256.PublicKey, D: other.D}},
		{"Ed25519 short", jwtx.EdDSA, ed25519.PublicKey(make([]byte, 31))},
		{"none", "none", make([]byte, 32)},
		{"unknown", "HS1024", make([]byte, 256)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := newKeyAny(tc.alg, tc.raw)
			if !errors.Is(err, jwtx.ErrKey) || k != nil {
				t.Errorf("NewKey = %v, %v; want nil, ErrKey", k, err)
			}
		})
	}
}

func TestParseJWKBinding(t *testing.T) {
	t.Parallel()
	ecPriv, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaPub := func(extra map[string]any) jwk.Key {
		k, err := jwk.FromRaw(&testRSA(t, jwtx.RS256).RSA().PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range extra {
			if err := k.Set(name, v); err != nil {
				t.Fatal(err)
			}
		}
		return k
	}
	ecJWK, _ := jwk.FromRaw(&ecPriv.PublicKey)
	for _, tc := range []struct {
		name    string
		key     jwk.Key
		alg     jwtx.Algorithm
		wantAlg jwtx.Algorithm
		wantKID string
		wantErr error
	}{
		{name: "alg from JWK", key: rsaPub(map[string]any{"alg": "PS256", "kid": "r1"}), wantAlg: jwtx.PS256, wantKID: "r1"},
		{name: "alg given", key: rsaPub(nil), alg: jwtx.RS384, wantAlg: jwtx.RS384},
		{name: "alg inferred from the curve", key: ecJWK, wantAlg: jwtx.ES384},
		{name: "RSA without alg", key: rsaPub(nil), wantErr: jwtx.ErrKey},
		{name: "alg conflict", key: rsaPub(map[string]any{"alg": "RS256"}), alg: jwtx.PS256, wantErr: jwtx.ErrKey},
		{name: "use enc", key: rsaPub(map[string]any{"alg": "RS256", "use": "enc"}), wantErr: jwtx.ErrKey},
		{name: "key_ops encrypt", key: rsaPub(map[string]any{"alg": "RS256", "key_ops": []string{"encrypt"}}), wantErr: jwtx.ErrKey},
		{name: "key_ops verify", key: rsaPub(map[string]any{"alg": "RS256", "key_ops": []string{"verify"}}), wantAlg: jwtx.RS256},
		{name: "alg RSA-OAEP", key: rsaPub(map[string]any{"alg": "RSA-OAEP"}), wantErr: jwtx.ErrKey},
		{name: "null", key: nil, alg: jwtx.RS256, wantErr: jwtx.ErrKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := json.Marshal(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			k, err := jwtx.ParseJWK(doc, tc.alg)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("error mismatch (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			if got := [2]string{string(k.Algorithm()), k.ID()}; got != [2]string{string(tc.wantAlg), tc.wantKID} {
				t.Errorf("alg, kid = %v, want %v", got, [2]string{string(tc.wantAlg), tc.wantKID})
			}
		})
	}
}

func TestKeyPublicJWKAndString(t *testing.T) {
	t.Parallel()
	priv := testRSA(t, jwtx.RS256).Private()
	b, err := priv.PublicJWK()
	if err != nil {
		t.Fatalf("PublicJWK: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := got[private]; ok {
			t.Errorf("public JWK carries private member %q", private)
		}
	}
	if diff := cmp.Diff(map[string]any{"alg": "RS256", "kid": "rsa", "use": "sig", "kty": "RSA"}, got,
		cmpopts.IgnoreMapEntries(func(k string, _ any) bool { return k == "n" || k == "e" })); diff != "" {
		t.Errorf("JWK (-want +got):\n%s", diff)
	}
	back, err := jwtx.ParseJWK(b, "")
	if err != nil {
		t.Fatalf("ParseJWK: %v", err)
	}
	if back.CanSign() || back.Algorithm() != jwtx.RS256 || back.ID() != "rsa" {
		t.Errorf("parsed key = %v, CanSign %v", back, back.CanSign())
	}
	if _, err := hsKey(t).PublicJWK(); !errors.Is(err, jwtx.ErrKey) {
		t.Errorf("HMAC JWK error = %v, want ErrKey", err)
	}
	secret := string(hsTestKey(t).Secret())
	if s := hsKey(t).String(); strings.Contains(s, secret) || s != "jwtx.Key(HS256, kid hs-1)" {
		t.Errorf("String() = %q", s)
	}
}

func TestKeySet(t *testing.T) {
	t.Parallel()
	ec1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k1, _ := jwtx.NewKey(jwtx.ES256, ec1, jwtx.WithKeyID("one"))
	k2, _ := jwtx.NewKey(jwtx.ES256, ec2, jwtx.WithKeyID("two"))
	noKID, _ := jwtx.NewKey(jwtx.ES256, ec2)
	noKID2, _ := jwtx.NewKey(jwtx.ES256, ec1)
	for _, tc := range []struct {
		name string
		keys []*jwtx.Key
		want error
	}{
		{name: "rotation pair", keys: []*jwtx.Key{k1, k2}},
		{name: "empty", want: jwtx.ErrKey},
		{name: "duplicate kid", keys: []*jwtx.Key{k1, k1}, want: jwtx.ErrKey},
		{name: "two keys without kid", keys: []*jwtx.Key{noKID, noKID2}, want: jwtx.ErrKey},
		{name: "HMAC mixed with EC", keys: []*jwtx.Key{k1, hsKey(t)}, want: jwtx.ErrKey},
		{name: "nil key", keys: []*jwtx.Key{nil}, want: jwtx.ErrKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := jwtx.NewKeySet(tc.keys...)
			if diff := cmp.Diff(tc.want, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}

	// Tokens from either key of a rotation verify; the kid picks the key.
	ctx := context.Background()
	set, err := jwtx.NewKeySet(k1.Public(), k2.Public())
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 2 {
		t.Errorf("Len = %d, want 2", set.Len())
	}
	ver, err := jwtx.NewClaimsVerifier[Claims](set)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []*jwtx.Key{k1, k2} {
		iss, err := jwtx.NewIssuer[string, Claims](k)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := iss.Access(ctx, "x")
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ver.Verify(ctx, tok.Raw); err != nil {
			t.Errorf("Verify(token of %v): %v", k, err)
		}
	}
	jwks, err := jwk.PublicSetOf(jwksOf(t, k1, k2))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(jwks)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := jwtx.ParseJWKS(doc, "")
	if err != nil {
		t.Fatalf("ParseJWKS: %v", err)
	}
	if parsed.Len() != 2 {
		t.Errorf("parsed Len = %d, want 2", parsed.Len())
	}
}

func jwksOf(t testing.TB, keys ...*jwtx.Key) jwk.Set {
	t.Helper()
	set := jwk.NewSet()
	for _, k := range keys {
		b, err := k.PublicJWK()
		if err != nil {
			t.Fatal(err)
		}
		j, err := jwk.ParseKey(b)
		if err != nil {
			t.Fatal(err)
		}
		if err := set.AddKey(j); err != nil {
			t.Fatal(err)
		}
	}
	return set
}

// TestKeyConstructorsRefuseZeroValues: a zero Key in a set and a nil
// option are errors, not panics.
func TestKeyConstructorsRefuseZeroValues(t *testing.T) {
	t.Parallel()
	if _, err := jwtx.NewKeySet(&jwtx.Key{}); !errors.Is(err, jwtx.ErrKey) {
		t.Errorf("NewKeySet(zero Key) = %v, want ErrKey", err)
	}
	if _, err := jwtx.NewKey(jwtx.HS256, make([]byte, 32), nil); !errors.Is(err, jwtx.ErrConfig) {
		t.Errorf("NewKey with a nil option = %v, want ErrConfig", err)
	}
}

// TestEd25519JWKSRoundTrip: a key bound to the RFC 9864 name publishes it,
// so verifiers reading its JWKS accept its tokens.
func TestEd25519JWKSRoundTrip(t *testing.T) {
	t.Parallel()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := jwtx.NewKey(jwtx.Ed25519, priv, jwtx.WithKeyID("ed"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := key.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}
	set, err := jwtx.ParseJWKS(doc, "")
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwtx.NewIssuer[string, Claims](key)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewClaimsVerifier[Claims](set)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := iss.Access(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ver.Verify(context.Background(), tok.Raw); err != nil {
		t.Errorf("Verify through the key's own JWKS: %v", err)
	}
}
