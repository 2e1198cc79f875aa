// Package jose holds every call jwtx makes into github.com/lestrrat-go/jwx, so
// that a move to a later jwx major version touches this package alone.
//
// A [Key] is bound to exactly one JWS algorithm when it is built and is
// checked then: HMAC secrets at least as long as the hash output, RSA moduli
// of at least 2048 bits with an odd exponent, EC points on the curve the
// algorithm names, Ed25519 keys of the right length.
//
// Signing goes through jwx's jws signers, except HMAC, which keeps a pool of
// keyed hash states per key, and ECDSA, which signs with the stored key
// (jwx copies it per call, losing crypto/ecdsa's per-key precomputation). Verification uses the standard library's crypto
// primitives directly and strictly: RSA-PSS with the salt length equal to the
// hash size (RFC 7518 §3.5; jwx v2 accepts any salt length), ECDSA signatures
// of exactly twice the coordinate size, and no per-call key conversion.
package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"math/big"
	"slices"
	"sync"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// Limits on RSA moduli, in bits.
const (
	MinRSABits = 2048
	MaxRSABits = 8192
)

// Family groups algorithms that share a key type.
type Family int

// The algorithm families.
const (
	Unknown Family = iota
	HMAC
	RSA
	RSAPSS
	ECDSA
	EdDSA
)

// spec describes one algorithm.
type spec struct {
	family Family
	hash   crypto.Hash
	size   int // HMAC: minimum key bytes; ECDSA: coordinate bytes
	curve  string
}

func lookup(alg string) (spec, bool) {
	switch alg {
	case "HS256":
		return spec{family: HMAC, hash: crypto.SHA256, size: 32}, true
	case "HS384":
		return spec{family: HMAC, hash: crypto.SHA384, size: 48}, true
	case "HS512":
		return spec{family: HMAC, hash: crypto.SHA512, size: 64}, true
	case "RS256":
		return spec{family: RSA, hash: crypto.SHA256}, true
	case "RS384":
		return spec{family: RSA, hash: crypto.SHA384}, true
	case "RS512":
		return spec{family: RSA, hash: crypto.SHA512}, true
	case "PS256":
		return spec{family: RSAPSS, hash: crypto.SHA256}, true
	case "PS384":
		return spec{family: RSAPSS, hash: crypto.SHA384}, true
	case "PS512":
		return spec{family: RSAPSS, hash: crypto.SHA512}, true
	case "ES256":
		return spec{family: ECDSA, hash: crypto.SHA256, size: 32, curve: "P-256"}, true
	case "ES384":
		return spec{family: ECDSA, hash: crypto.SHA384, size: 48, curve: "P-384"}, true
	case "ES512":
		return spec{family: ECDSA, hash: crypto.SHA512, size: 66, curve: "P-521"}, true
	case "EdDSA", "Ed25519":
		return spec{family: EdDSA}, true
	}
	return spec{}, false
}

// Key is a signing or verification key bound to one algorithm. It is
// immutable and safe for concurrent use. Its public key is its own copy,
// so that a verification-only Key keeps no reference to the private key
// it came from and later changes to the caller's key do not reach it.
type Key struct {
	alg  string
	spec spec

	secret []byte
	macs   *sync.Pool // of keyed hash.Hash, HMAC only

	rsaPub  *rsa.PublicKey
	ecPub   *ecdsa.PublicKey
	edPub   ed25519.PublicKey
	private crypto.Signer // nil for a verification-only key
	signer  jws.Signer    // nil for HMAC, ECDSA and verification-only keys
}

// New binds material to alg. Accepted material: []byte for HS*;
// *rsa.PrivateKey or *rsa.PublicKey for RS* and PS*; *ecdsa.PrivateKey or
// *ecdsa.PublicKey for ES*; ed25519.PrivateKey or ed25519.PublicKey for
// EdDSA and Ed25519.
func New(alg string, material any) (*Key, error) {
	s, ok := lookup(alg)
	if !ok {
		return nil, fmt.Errorf("unsupported algorithm %q", truncate(alg))
	}
	k := &Key{alg: alg, spec: s}
	var err error
	switch s.family {
	case HMAC:
		err = k.setHMAC(material)
	case RSA, RSAPSS:
		err = k.setRSA(material)
	case ECDSA:
		err = k.setECDSA(material)
	case EdDSA:
		err = k.setEdDSA(material)
	}
	if err != nil {
		return nil, err
	}
	if k.private != nil && s.family != HMAC && s.family != ECDSA {
		signer, err := jws.NewSigner(jwa.SignatureAlgorithm(jwaName(alg)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", alg, err)
		}
		k.signer = signer
	}
	return k, nil
}

// jwaName maps the RFC 9864 name Ed25519 to the name jwx v2 knows.
func jwaName(alg string) string {
	if alg == "Ed25519" {
		return "EdDSA"
	}
	return alg
}

func (k *Key) setHMAC(material any) error {
	secret, ok := material.([]byte)
	if !ok {
		return fmt.Errorf("%s needs a []byte secret, not %T", k.alg, material)
	}
	if len(secret) < k.spec.size {
		return fmt.Errorf("%s secret has %d bytes, at least %d are required", k.alg, len(secret), k.spec.size)
	}
	k.secret = append([]byte(nil), secret...)
	newHash := hashFunc(k.spec.hash)
	key := k.secret
	k.macs = &sync.Pool{New: func() any { return hmac.New(newHash, key) }}
	return nil
}

func hashFunc(h crypto.Hash) func() hash.Hash {
	switch h {
	case crypto.SHA384:
		return sha512.New384
	case crypto.SHA512:
		return sha512.New
	}
	return sha256.New
}

func (k *Key) setRSA(material any) error {
	switch m := material.(type) {
	case *rsa.PrivateKey:
		if m == nil {
			break
		}
		if err := checkRSA(k.alg, &m.PublicKey); err != nil {
			return err
		}
		if err := m.Validate(); err != nil {
			return fmt.Errorf("%s private key: %w", k.alg, err)
		}
		k.rsaPub, k.private = &rsa.PublicKey{N: new(big.Int).Set(m.N), E: m.E}, m
		return nil
	case *rsa.PublicKey:
		if m == nil {
			break
		}
		if err := checkRSA(k.alg, m); err != nil {
			return err
		}
		k.rsaPub = &rsa.PublicKey{N: new(big.Int).Set(m.N), E: m.E}
		return nil
	}
	return fmt.Errorf("%s needs an *rsa.PrivateKey or *rsa.PublicKey, not %T", k.alg, material)
}

func checkRSA(alg string, pub *rsa.PublicKey) error {
	if pub.N == nil || pub.N.BitLen() < MinRSABits || pub.N.BitLen() > MaxRSABits {
		return fmt.Errorf("%s key size outside %d to %d bits", alg, MinRSABits, MaxRSABits)
	}
	if pub.E < 3 || pub.E%2 == 0 {
		return fmt.Errorf("%s key has an invalid public exponent", alg)
	}
	if rocaFingerprint(pub.N) {
		return fmt.Errorf("%s key has the structure of CVE-2017-15361 (ROCA): its private key can be computed", alg)
	}
	return nil
}

// rocaFingerprint reports whether n has the fingerprint of the RSA keys of
// Infineon's RSALib (CVE-2017-15361, "ROCA", Nemec et al., CCS 2017): for
// each odd prime r up to 167, n mod r lies in the subgroup that 65537
// generates modulo r. The primes of such keys are 65537^a mod M plus a
// multiple of M, a product of small primes, which forces it; a random
// modulus shows it with negligible probability. The primes are those of
// the authors' detector.
func rocaFingerprint(n *big.Int) bool {
	var m big.Int
	for r := int64(3); r <= 167; r += 2 {
		if !big.NewInt(r).ProbablyPrime(0) {
			continue
		}
		res := m.Mod(n, big.NewInt(r)).Int64()
		g, x, in := 65537%r, 65537%r, false
		for {
			if x == res {
				in = true
				break
			}
			if x = x * g % r; x == g {
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}

func (k *Key) setECDSA(material any) error {
	var pub *ecdsa.PublicKey
	var priv *ecdsa.PrivateKey
	switch m := material.(type) {
	case *ecdsa.PrivateKey:
		if m != nil {
			pub, priv = &m.PublicKey, m
		}
	case *ecdsa.PublicKey:
		pub = m
	}
	if pub == nil {
		return fmt.Errorf("%s needs an *ecdsa.PrivateKey or *ecdsa.PublicKey, not %T", k.alg, material)
	}
	if pub.Curve == nil || pub.Curve.Params().Name != k.spec.curve {
		return fmt.Errorf("%s needs a key on %s", k.alg, k.spec.curve)
	}
	if pub.X == nil || pub.Y == nil {
		return fmt.Errorf("%s public key has no coordinates", k.alg)
	}
	point, err := pub.ECDH()
	if err != nil {
		return fmt.Errorf("%s public key is not a valid point on %s", k.alg, k.spec.curve)
	}
	if priv != nil {
		if priv.D == nil {
			return fmt.Errorf("%s private key has no private scalar", k.alg)
		}
		scalar, err := priv.ECDH()
		if err != nil {
			return fmt.Errorf("%s private key has an invalid private scalar", k.alg)
		}
		if !scalar.PublicKey().Equal(point) {
			return fmt.Errorf("%s private key does not match its public key", k.alg)
		}
		k.private = priv
	}
	k.ecPub = &ecdsa.PublicKey{Curve: pub.Curve, X: new(big.Int).Set(pub.X), Y: new(big.Int).Set(pub.Y)}
	return nil
}

func (k *Key) setEdDSA(material any) error {
	switch m := material.(type) {
	case ed25519.PrivateKey:
		if len(m) != ed25519.PrivateKeySize {
			return fmt.Errorf("%s private key has %d bytes, want %d", k.alg, len(m), ed25519.PrivateKeySize)
		}
		k.edPub, k.private = m.Public().(ed25519.PublicKey), m
		return nil
	case ed25519.PublicKey:
		if len(m) != ed25519.PublicKeySize {
			return fmt.Errorf("%s public key has %d bytes, want %d", k.alg, len(m), ed25519.PublicKeySize)
		}
		k.edPub = m
		return nil
	}
	return fmt.Errorf("%s needs an ed25519.PrivateKey or ed25519.PublicKey, not %T", k.alg, material)
}

// Alg returns the algorithm the key is bound to.
func (k *Key) Alg() string { return k.alg }

// Family returns the key's algorithm family.
func (k *Key) Family() Family { return k.spec.family }

// CanSign reports whether the key holds private or secret material.
func (k *Key) CanSign() bool { return k.secret != nil || k.private != nil }

// Public returns a verification-only copy of k, which keeps no reference to
// the private key. For an HMAC key, which has no public half, and a key
// without a private half it returns k itself.
func (k *Key) Public() *Key {
	if k.spec.family == HMAC || k.private == nil {
		return k
	}
	p := *k
	p.private, p.signer = nil, nil
	return &p
}

// SignatureSize returns the length in bytes of the key's signatures.
func (k *Key) SignatureSize() int {
	switch k.spec.family {
	case HMAC:
		return k.spec.hash.Size()
	case RSA, RSAPSS:
		return k.rsaPub.Size()
	case ECDSA:
		return 2 * k.spec.size
	}
	return ed25519.SignatureSize
}

// Sign appends the signature of input to dst.
func (k *Key) Sign(dst, input []byte) ([]byte, error) {
	if k.spec.family == HMAC {
		h := k.macs.Get().(hash.Hash)
		h.Reset()
		h.Write(input)
		dst = h.Sum(dst)
		k.macs.Put(h)
		return dst, nil
	}
	if k.private == nil {
		return nil, fmt.Errorf("%s key has no private part", k.alg)
	}
	if k.spec.family == ECDSA {
		return k.signECDSA(dst, input)
	}
	sig, err := k.signer.Sign(input, k.private)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", k.alg, err)
	}
	return append(dst, sig...), nil
}

// Verify reports whether sig is a valid signature of input under k.
func (k *Key) Verify(input, sig []byte) bool {
	switch k.spec.family {
	case HMAC:
		var buf [sha512.Size]byte
		h := k.macs.Get().(hash.Hash)
		h.Reset()
		h.Write(input)
		mac := h.Sum(buf[:0])
		k.macs.Put(h)
		return hmac.Equal(sig, mac)
	case RSA:
		var buf [sha512.Size]byte
		return rsa.VerifyPKCS1v15(k.rsaPub, k.spec.hash, digest(buf[:0], k.spec.hash, input), sig) == nil
	case RSAPSS:
		var buf [sha512.Size]byte
		opts := rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: k.spec.hash}
		return rsa.VerifyPSS(k.rsaPub, k.spec.hash, digest(buf[:0], k.spec.hash, input), sig, &opts) == nil
	case ECDSA:
		return k.verifyECDSA(input, sig)
	case EdDSA:
		return len(sig) == ed25519.SignatureSize && ed25519.Verify(k.edPub, input, sig)
	}
	return false
}

func digest(dst []byte, h crypto.Hash, input []byte) []byte {
	switch h {
	case crypto.SHA384:
		d := sha512.Sum384(input)
		return append(dst, d[:]...)
	case crypto.SHA512:
		d := sha512.Sum512(input)
		return append(dst, d[:]...)
	}
	d := sha256.Sum256(input)
	return append(dst, d[:]...)
}

// signECDSA appends the JWS form of an ECDSA signature (RFC 7518 §3.4): R
// and S as big-endian integers of the coordinate size, concatenated. It
// signs with the stored *ecdsa.PrivateKey itself: jwx's signer copies the
// key on every call, which throws away crypto/ecdsa's per-key precomputation
// and makes every signature pay for it again.
func (k *Key) signECDSA(dst, input []byte) ([]byte, error) {
	var buf [sha512.Size]byte
	r, s, err := ecdsa.Sign(rand.Reader, k.private.(*ecdsa.PrivateKey), digest(buf[:0], k.spec.hash, input))
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", k.alg, err)
	}
	n := k.spec.size
	dst = slices.Grow(dst, 2*n)
	out := dst[len(dst) : len(dst)+2*n]
	r.FillBytes(out[:n])
	s.FillBytes(out[n:])
	return dst[:len(dst)+2*n], nil
}

// verifyECDSA checks a JWS ECDSA signature, the fixed-length big-endian
// concatenation R||S (RFC 7518 §3.4), by re-encoding it as ASN.1 DER for
// ecdsa.VerifyASN1, which avoids big.Int arithmetic.
func (k *Key) verifyECDSA(input, sig []byte) bool {
	n := k.spec.size
	if len(sig) != 2*n {
		return false
	}
	var der [2*66 + 16]byte
	r, s := trimZeros(sig[:n]), trimZeros(sig[n:])
	if len(r) == 0 || len(s) == 0 {
		return false
	}
	body := derIntLen(r) + derIntLen(s)
	out := der[:0]
	out = append(out, 0x30)
	if body >= 0x80 {
		out = append(out, 0x81)
	}
	out = append(out, byte(body))
	out = appendDERInt(out, r)
	out = appendDERInt(out, s)
	var buf [sha512.Size]byte
	return ecdsa.VerifyASN1(k.ecPub, digest(buf[:0], k.spec.hash, input), out)
}

func trimZeros(b []byte) []byte {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

func derIntLen(v []byte) int {
	n := len(v)
	if v[0]&0x80 != 0 {
		n++
	}
	return n + 2
}

func appendDERInt(dst, v []byte) []byte {
	n := len(v)
	if v[0]&0x80 != 0 {
		n++
	}
	dst = append(dst, 0x02, byte(n))
	if v[0]&0x80 != 0 {
		dst = append(dst, 0)
	}
	return append(dst, v...)
}

// curveName returns the JWK curve name of an elliptic curve.
func curveName(c elliptic.Curve) string {
	if c == nil {
		return ""
	}
	return c.Params().Name
}

func truncate(s string) string {
	const max = 32
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
