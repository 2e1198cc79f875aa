package testutil

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	_ "crypto/sha512" // registers SHA-384 and SHA-512 for crypto.Hash.New
	"crypto/x509"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
)

// DefaultSeed is the seed of keys made without [WithSeed].
const DefaultSeed = "testutil"

// rsaBits is the size of generated RSA keys: the smallest jwtx accepts.
const rsaBits = 2048

// Key is a test key bound to one algorithm. It keeps the signing *jwtx.Key
// for an Issuer, its public half for a Verifier, and the raw material, so
// that forged tokens can be signed with it. A Key is immutable and safe for
// concurrent use. Its String method shows the algorithm, kid and seed, never
// the material.
type Key struct {
	alg     jwtx.Algorithm
	kid     string
	seed    string
	private *jwtx.Key
	public  *jwtx.Key
	secret  []byte
	rsa     *rsa.PrivateKey
	ec      *ecdsa.PrivateKey
	ed      ed25519.PrivateKey
}

// A KeyOption configures [NewKey].
type KeyOption interface{ applyKey(*keyConfig) }

type keyConfig struct {
	seed string
	kid  string
}

type keyOption func(*keyConfig)

func (o keyOption) applyKey(c *keyConfig) { o(c) }

// WithSeed sets the seed the key is derived from. The same algorithm and
// seed give the same key: in every run for HMAC, ECDSA and Ed25519 keys,
// within one test binary for RSA keys. Pass t.Name() for a key of the test's
// own, or any two different seeds for two different keys. Default:
// [DefaultSeed].
func WithSeed(seed string) KeyOption { return keyOption(func(c *keyConfig) { c.seed = seed }) }

// WithKeyID sets the kid; "" means none. Default: "test-" and the algorithm
// in lower case, such as "test-hs256".
func WithKeyID(kid string) KeyOption { return keyOption(func(c *keyConfig) { c.kid = kid }) }

// NewKey makes a key for alg: an HMAC secret of the hash's length, an
// RSA-2048 key, an EC key on the algorithm's curve or an Ed25519 key.
//
// HMAC secrets, Ed25519 seeds and ECDSA private scalars are derived from
// the seed with HKDF-SHA-256, so these keys are the same in every run (an
// ECDSA key is built from its scalar with ecdsa.ParseRawPrivateKey, since
// ecdsa.GenerateKey is not deterministic either). RSA keys cannot be
// derived: rsa.GenerateKey makes no promise of determinism for a given
// reader, and since Go 1.26 it ignores the reader altogether. They are
// generated at random, once per seed per test binary, and cached, because
// generating one takes ~100 ms: every RS* and PS* key with the same seed
// shares one *rsa.PrivateKey, which callers must not modify.
//
// An unknown algorithm fails the test.
func NewKey(tb testing.TB, alg jwtx.Algorithm, opts ...KeyOption) *Key {
	tb.Helper()
	cfg := keyConfig{seed: DefaultSeed, kid: "test-" + strings.ToLower(string(alg))}
	for _, o := range opts {
		if o == nil {
			tb.Fatalf("testutil: nil KeyOption")
		}
		o.applyKey(&cfg)
	}
	k, err := newKey(alg, cfg)
	if err != nil {
		tb.Fatalf("testutil: key for %s: %v", alg, err)
	}
	return k
}

func newKey(alg jwtx.Algorithm, cfg keyConfig) (*Key, error) {
	k := &Key{alg: alg, kid: cfg.kid, seed: cfg.seed}
	var jopts []jwtx.KeyOption
	if cfg.kid != "" {
		jopts = append(jopts, jwtx.WithKeyID(cfg.kid))
	}
	var err error
	switch h, fam := spec(alg); fam {
	case familyHMAC:
		if k.secret, err = derive(cfg.seed, "hmac "+string(alg), h.Size()); err == nil {
			k.private, err = jwtx.NewKey(alg, k.secret, jopts...)
		}
	case familyRSA:
		if k.rsa, err = cachedRSA(cfg.seed); err == nil {
			k.private, err = jwtx.NewKey(alg, k.rsa, jopts...)
		}
	case familyECDSA:
		if k.ec, err = deriveECDSA(cfg.seed, curveOf(alg)); err == nil {
			k.private, err = jwtx.NewKey(alg, k.ec, jopts...)
		}
	case familyEdDSA:
		var seed []byte
		if seed, err = derive(cfg.seed, "ed25519", ed25519.SeedSize); err == nil {
			k.ed = ed25519.NewKeyFromSeed(seed)
			k.private, err = jwtx.NewKey(alg, k.ed, jopts...)
		}
	default:
		return nil, fmt.Errorf("unsupported algorithm %q", alg)
	}
	if err != nil {
		return nil, err
	}
	k.public = k.private.Public()
	return k, nil
}

// derive expands seed into n bytes for purpose with HKDF-SHA-256.
func derive(seed, purpose string, n int) ([]byte, error) {
	return hkdf.Key(sha256.New, []byte(seed), nil, "typedjwt testutil "+purpose, n)
}

// deriveECDSA derives a private scalar from seed, retrying with a counter in
// the unlikely case that the bytes are not below the curve order.
func deriveECDSA(seed string, curve elliptic.Curve) (*ecdsa.PrivateKey, error) {
	size := (curve.Params().BitSize + 7) / 8
	for i := 0; i < 64; i++ {
		b, err := derive(seed, "ecdsa "+curve.Params().Name+" "+strconv.Itoa(i), size)
		if err != nil {
			return nil, err
		}
		b[0] &= byte(0xff >> (8*size - curve.Params().BitSize))
		if k, err := ecdsa.ParseRawPrivateKey(curve, b); err == nil {
			return k, nil
		}
	}
	return nil, fmt.Errorf("no %s scalar for seed %q", curve.Params().Name, seed)
}

// rsaKeys caches RSA keys by seed for the life of the test binary; see
// "Global state" in the package documentation. Each value is a
// func() (*rsa.PrivateKey, error) made by sync.OnceValues, so concurrent
// tests asking for the same seed generate the key once and all see it
// complete.
var rsaKeys sync.Map

func cachedRSA(seed string) (*rsa.PrivateKey, error) {
	gen := sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, rsaBits) })
	f, _ := rsaKeys.LoadOrStore(seed, gen)
	return f.(func() (*rsa.PrivateKey, error))()
}

// Algorithm returns the algorithm the key is bound to.
func (k *Key) Algorithm() jwtx.Algorithm { return k.alg }

// ID returns the kid, or "" when the key has none.
func (k *Key) ID() string { return k.kid }

// Seed returns the seed the key was made from.
func (k *Key) Seed() string { return k.seed }

// Private returns the signing key, for jwtx.NewIssuer. For an HMAC key it
// is the same key as [Key.Public].
func (k *Key) Private() *jwtx.Key { return k.private }

// Public returns the verification-only half, for jwtx.NewVerifier and
// jwtx.NewKeySet. For an HMAC key it is the secret key itself.
func (k *Key) Public() *jwtx.Key { return k.public }

// Secret returns a copy of an HMAC key's secret, or nil for other keys.
func (k *Key) Secret() []byte { return append([]byte(nil), k.secret...) }

// RSA returns the private key of an RS* or PS* key, or nil for other keys.
// It is shared by every key with the same seed: do not modify it.
func (k *Key) RSA() *rsa.PrivateKey { return k.rsa }

// ECDSA returns the private key of an ES* key, or nil for other keys.
func (k *Key) ECDSA() *ecdsa.PrivateKey { return k.ec }

// Ed25519 returns the private key of an EdDSA or Ed25519 key, or nil for
// other keys.
func (k *Key) Ed25519() ed25519.PrivateKey { return k.ed }

// String describes the key without its material.
func (k *Key) String() string {
	return "testutil.Key(" + string(k.alg) + ", kid " + strconv.Quote(k.kid) + ", seed " + strconv.Quote(k.seed) + ")"
}

// Sign returns the JWS signature of input under the key's algorithm (RFC
// 7518 §3), computed with the standard library's crypto, not with jwtx: an
// HMAC, a PKCS #1 v1.5 or PSS signature (salt as long as the hash), the
// fixed-length R||S of ECDSA, or an Ed25519 signature. HMAC, PKCS #1 v1.5
// and Ed25519 signatures are the same for the same key and input; PSS and
// ECDSA signatures are randomized. A signing failure fails the test.
func (k *Key) Sign(tb testing.TB, input []byte) []byte {
	tb.Helper()
	sig, err := k.sign(k.alg, input)
	if err != nil {
		tb.Fatalf("testutil: sign with %v: %v", k, err)
	}
	return sig
}

// SignAs returns the JWS signature of input under alg, made with the key's
// material, for tokens signed otherwise than the key is bound to:
//
//   - for an RSA key, any RS* or PS* algorithm;
//   - for an EC key, any ES* algorithm: a longer hash is truncated to the
//     curve's order, as ECDSA does, so a P-256 key signs ES384 and ES512;
//   - for an Ed25519 key, EdDSA or Ed25519, which sign alike;
//   - for any key, HS256, HS384 or HS512: an HMAC keyed with the secret of
//     an HMAC key, or with the public key of another key in PKIX DER form,
//     the classic key-confusion forgery.
//
// Any other algorithm fails the test, as does a signing failure.
func (k *Key) SignAs(tb testing.TB, alg jwtx.Algorithm, input []byte) []byte {
	tb.Helper()
	sig, err := k.sign(alg, input)
	if err != nil {
		tb.Fatalf("testutil: sign %s with %v: %v", alg, k, err)
	}
	return sig
}

// SignPSS returns an RSASSA-PSS signature of input (RFC 8017 §8.1.1) under
// the hash of the key's algorithm, with exactly saltLen bytes of random
// salt, 0 included: crypto/rsa reads a SaltLength of 0 as "as long as
// possible", so it cannot make a signature with an empty salt. It is for
// tests of a verifier's salt-length check; JWS requires a salt as long as
// the hash (RFC 7518 §3.5). A key that is not RS* or PS*, or a salt too
// long for the modulus, fails the test.
func (k *Key) SignPSS(tb testing.TB, input []byte, saltLen int) []byte {
	tb.Helper()
	h, fam := spec(k.alg)
	if fam != familyRSA {
		tb.Fatalf("testutil: SignPSS with %v, not an RSA key", k)
	}
	sig, err := signPSS(k.rsa, h, input, saltLen)
	if err != nil {
		tb.Fatalf("testutil: SignPSS with %v: %v", k, err)
	}
	return sig
}

// signPSS encodes the digest of input with EMSA-PSS (RFC 8017 §9.1.1) and
// a salt of saltLen bytes, and signs it with the raw RSA private-key
// operation.
func signPSS(key *rsa.PrivateKey, h crypto.Hash, input []byte, saltLen int) ([]byte, error) {
	d := h.New()
	d.Write(input)
	mHash := d.Sum(nil)
	hLen := h.Size()
	emBits := key.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	if saltLen < 0 || emLen < hLen+saltLen+2 {
		return nil, fmt.Errorf("salt length %d does not fit a %d-bit modulus", saltLen, key.N.BitLen())
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	// H = Hash(0x00 × 8 || mHash || salt)
	hh := h.New()
	hh.Write(make([]byte, 8))
	hh.Write(mHash)
	hh.Write(salt)
	H := hh.Sum(nil)
	// DB = PS || 0x01 || salt, masked with MGF1(H).
	db := make([]byte, emLen-hLen-1)
	db[len(db)-saltLen-1] = 0x01
	copy(db[len(db)-saltLen:], salt)
	mask := mgf1(h, H, len(db))
	for i := range db {
		db[i] ^= mask[i]
	}
	db[0] &= 0xff >> (8*emLen - emBits)
	em := append(append(db, H...), 0xbc)
	// s = em^d mod n, left-padded to the size of the modulus.
	m := new(big.Int).SetBytes(em)
	return new(big.Int).Exp(m, key.D, key.N).FillBytes(make([]byte, key.Size())), nil
}

// mgf1 is the mask generation function of RFC 8017 §B.2.1.
func mgf1(h crypto.Hash, seed []byte, n int) []byte {
	var out []byte
	for c := uint32(0); len(out) < n; c++ {
		d := h.New()
		d.Write(seed)
		d.Write([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
		out = d.Sum(out)
	}
	return out[:n]
}

// attacker returns a key like k, with the same algorithm and kid, made from
// another seed.
func (k *Key) attacker() (*Key, error) {
	return newKey(k.alg, keyConfig{seed: k.seed + " (attacker)", kid: k.kid})
}

// confusionSecret returns the bytes an attacker would use as an HMAC secret
// in a key-confusion attack: the public key in PKIX DER form, or for an
// HMAC key the secret itself.
func (k *Key) confusionSecret() ([]byte, error) {
	var pub crypto.PublicKey
	switch {
	case k.secret != nil:
		return k.secret, nil
	case k.rsa != nil:
		pub = &k.rsa.PublicKey
	case k.ec != nil:
		pub = &k.ec.PublicKey
	default:
		pub = k.ed.Public()
	}
	return x509.MarshalPKIXPublicKey(pub)
}

// sign signs input with alg: an algorithm of the key's own family (see
// [Key.SignAs]) or, for a key-confusion token, an HMAC algorithm keyed with
// [Key.confusionSecret].
func (k *Key) sign(alg jwtx.Algorithm, input []byte) ([]byte, error) {
	h, fam := spec(alg)
	_, own := spec(k.alg)
	switch {
	case fam == familyHMAC:
		secret, err := k.confusionSecret()
		if err != nil {
			return nil, err
		}
		return hmacSum(h, secret, input), nil
	case fam != own:
		return nil, fmt.Errorf("%v cannot sign %s", k, alg)
	case fam == familyEdDSA:
		return ed25519.Sign(k.ed, input), nil
	}
	d := h.New()
	d.Write(input)
	digest := d.Sum(nil)
	if fam == familyRSA {
		if strings.HasPrefix(string(alg), "PS") {
			return rsa.SignPSS(rand.Reader, k.rsa, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(nil, k.rsa, h, digest)
	}
	r, s, err := ecdsa.Sign(rand.Reader, k.ec, digest)
	if err != nil {
		return nil, err
	}
	return ECDSASignature(k.ec.Curve, r, s), nil
}

// hmacSum returns the HMAC of input with hash h under secret.
func hmacSum(h crypto.Hash, secret, input []byte) []byte {
	mac := hmac.New(h.New, secret)
	mac.Write(input)
	return mac.Sum(nil)
}

// ECDSASignature encodes an ECDSA signature as JWS does (RFC 7518 §3.4):
// r and s big-endian, each left-padded to the size of the curve's
// coordinates, and concatenated. A value wider than that keeps its extra
// bytes, so that tests can build out-of-range signatures such as (r, s+n).
func ECDSASignature(curve elliptic.Curve, r, s *big.Int) []byte {
	size := (curve.Params().BitSize + 7) / 8
	out := make([]byte, 0, 2*size)
	for _, v := range []*big.Int{r, s} {
		b := v.Bytes()
		if len(b) < size {
			out = append(out, make([]byte, size-len(b))...)
		}
		out = append(out, b...)
	}
	return out
}

// family groups the algorithms that share a key type.
type family int

const (
	familyNone family = iota
	familyHMAC
	familyRSA
	familyECDSA
	familyEdDSA
)

// spec returns the hash and family of alg; Ed25519 signs without a
// separate hash.
func spec(alg jwtx.Algorithm) (crypto.Hash, family) {
	switch alg {
	case jwtx.HS256:
		return crypto.SHA256, familyHMAC
	case jwtx.HS384:
		return crypto.SHA384, familyHMAC
	case jwtx.HS512:
		return crypto.SHA512, familyHMAC
	case jwtx.RS256, jwtx.PS256:
		return crypto.SHA256, familyRSA
	case jwtx.RS384, jwtx.PS384:
		return crypto.SHA384, familyRSA
	case jwtx.RS512, jwtx.PS512:
		return crypto.SHA512, familyRSA
	case jwtx.ES256:
		return crypto.SHA256, familyECDSA
	case jwtx.ES384:
		return crypto.SHA384, familyECDSA
	case jwtx.ES512:
		return crypto.SHA512, familyECDSA
	case jwtx.EdDSA, jwtx.Ed25519:
		return 0, familyEdDSA
	}
	return 0, familyNone
}

func curveOf(alg jwtx.Algorithm) elliptic.Curve {
	switch alg {
	case jwtx.ES384:
		return elliptic.P384()
	case jwtx.ES512:
		return elliptic.P521()
	}
	return elliptic.P256()
}
