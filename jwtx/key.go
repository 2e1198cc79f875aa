package jwtx

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"

	"github.com/typedjwt/typedjwt/jwtx/internal/jose"
)

// Algorithm names a JWS signature algorithm (RFC 7518 §3, RFC 8037, RFC 9864).
type Algorithm string

// The supported algorithms. "none" is not among them and never will be.
const (
	HS256   Algorithm = "HS256"
	HS384   Algorithm = "HS384"
	HS512   Algorithm = "HS512"
	RS256   Algorithm = "RS256"
	RS384   Algorithm = "RS384"
	RS512   Algorithm = "RS512"
	PS256   Algorithm = "PS256"
	PS384   Algorithm = "PS384"
	PS512   Algorithm = "PS512"
	ES256   Algorithm = "ES256"
	ES384   Algorithm = "ES384"
	ES512   Algorithm = "ES512"
	EdDSA   Algorithm = "EdDSA"
	Ed25519 Algorithm = "Ed25519" // the RFC 9864 name for EdDSA over Ed25519
)

// KeyMaterial lists the Go types a [Key] can be built from: a secret for
// HS256, HS384 and HS512, and the standard library's key types for the
// others. A private key can sign, and verifies with its public half; a
// public key can only verify.
type KeyMaterial interface {
	[]byte |
		*rsa.PrivateKey | *rsa.PublicKey |
		*ecdsa.PrivateKey | *ecdsa.PublicKey |
		ed25519.PrivateKey | ed25519.PublicKey
}

// Key is a key bound to exactly one [Algorithm], with an optional key id
// (kid). A Key is immutable and safe for concurrent use. It never reveals its
// material: it has no exported fields and its String method prints only the
// algorithm and kid.
//
// A *Key is both a [SigningKey] (when it holds private or secret material)
// and a [VerificationKeys]. Verification uses public halves only: a Key
// built from a private key ([NewKey], or [ParseJWK] given a private JWK)
// signs with it but verifies with its public half, a [KeySet] keeps only
// the public halves of the keys it is given, and [Key.PublicJWK],
// [MarshalJWKS] and the PublicJWKS methods publish public members
// only. Give a service that only verifies [Key.Public] or a public JWK, so
// that it never holds signing material. An HMAC key is one secret that both
// signs and verifies.
type Key struct {
	k   *jose.Key
	alg Algorithm
	kid string
	pub *Key // the verification-only copy of a key with a private half, else nil
}

// A KeyOption configures a [Key].
type KeyOption interface{ applyKey(*Key) error }

type keyID string

func (id keyID) applyKey(k *Key) error {
	k.kid = string(id)
	return nil
}

// WithKeyID sets the key id. An issuer writes it into the kid header; a
// verifier with several keys selects the key by it. Default: no kid, or the
// JWK's own kid for [ParseJWK].
func WithKeyID(kid string) KeyOption { return keyID(kid) }

// NewKey binds material to alg and checks that they fit: HMAC secrets at least
// as long as the hash output (32, 48 or 64 bytes), RSA keys of at least 2048
// bits, EC keys on the curve alg names (P-256 for ES256, P-384 for ES384,
// P-521 for ES512), Ed25519 keys for EdDSA and Ed25519. On error it returns
// nil and an error wrapping [ErrKey].
func NewKey[M KeyMaterial](alg Algorithm, material M, opts ...KeyOption) (*Key, error) {
	jk, err := jose.New(string(alg), any(material))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return newKey(jk, "", opts)
}

func newKey(jk *jose.Key, kid string, opts []KeyOption) (*Key, error) {
	k := &Key{k: jk, alg: Algorithm(jk.Alg()), kid: kid}
	if err := applyOptions(opts, func(o KeyOption) error { return o.applyKey(k) }); err != nil {
		return nil, err
	}
	if pub := jk.Public(); pub != jk {
		k.pub = &Key{k: pub, alg: k.alg, kid: k.kid}
	}
	return k, nil
}

// keyFromJWK builds a Key from a parsed JWK, as [ParseJWK] documents.
func keyFromJWK(j jose.JWK, alg Algorithm, opts ...KeyOption) (*Key, error) {
	jk, kid, err := jose.FromJWK(j, string(alg))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return newKey(jk, kid, opts)
}

// ParseJWK parses a JWK document (RFC 7517) and builds a Key from it. The algorithm is alg when it is not
// empty, else the JWK's "alg" member, else the one algorithm an EC or
// Ed25519 key's curve allows; RSA and oct keys without "alg" need alg. Both
// given and different is an error. The JWK's kid becomes the key id unless a
// [WithKeyID] option overrides it. A JWK whose "use" is not "sig" or whose
// "key_ops" allow neither signing nor verifying is refused. A private JWK
// gives a Key that can sign, unless its "key_ops" leave out "sign": then
// only its public half is kept; a Key parsed from a private JWK verifies
// with its public half (see [Key]).
func ParseJWK(data []byte, alg Algorithm, opts ...KeyOption) (*Key, error) {
	j, err := jose.ParseKey(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return keyFromJWK(j, alg, opts...)
}

// Algorithm returns the algorithm the key is bound to.
func (k *Key) Algorithm() Algorithm { return k.alg }

// ID returns the key id, or "" when the key has none.
func (k *Key) ID() string { return k.kid }

// CanSign reports whether the key holds private or secret material.
func (k *Key) CanSign() bool { return k.usable() == nil && k.k.CanSign() }

// usable refuses a nil or zero Key, which holds no key.
func (k *Key) usable() error {
	if k == nil || k.k == nil {
		return fmt.Errorf("%w: nil or zero Key; build keys with NewKey", ErrKey)
	}
	return nil
}

// Public returns a verification-only copy of an asymmetric key, which keeps
// no reference to the private key. A key without a private half, such as an
// HMAC key, is returned unchanged.
func (k *Key) Public() *Key {
	if k.pub != nil {
		return k.pub
	}
	return k
}

// PublicJWK returns the public half of an asymmetric key as a JWK document
// (RFC 7517) with kid, alg and use "sig". It refuses HMAC keys, so secret
// material never leaves a Key this way.
func (k *Key) PublicJWK() ([]byte, error) {
	j, err := k.publicJWK()
	if err != nil {
		return nil, err
	}
	b, err := jose.MarshalKey(j)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return b, nil
}

// publicJWK returns the public half as a parsed JWK.
func (k *Key) publicJWK() (jose.JWK, error) {
	j, err := k.k.PublicJWK(k.kid)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return j, nil
}

// String describes the key without its material.
func (k *Key) String() string {
	if k.kid == "" {
		return "jwtx.Key(" + string(k.alg) + ")"
	}
	return "jwtx.Key(" + string(k.alg) + ", kid " + k.kid + ")"
}

// A SigningKey supplies the key an [Issuer] signs with. *Key implements it;
// only this module can add implementations.
type SigningKey interface {
	signingKey() (*Key, error)
}

func (k *Key) signingKey() (*Key, error) {
	if err := k.usable(); err != nil {
		return nil, err
	}
	if !k.CanSign() {
		return nil, fmt.Errorf("%w: %v has no private or secret material", ErrKey, k)
	}
	return k, nil
}

// VerificationKeys supplies the keys a [Verifier] trusts, each bound to one
// algorithm. *Key and *KeySet implement it; only this module can add
// implementations.
type VerificationKeys interface {
	// verificationKey returns the key for a token whose header names kid
	// (hasKID false when the header has none) and alg.
	verificationKey(ctx context.Context, kid []byte, hasKID bool, alg []byte) (*Key, error)
	// algorithms lists the algorithms of the keys known now.
	algorithms() []Algorithm
	// usable refuses a nil or zero value.
	usable() error
}

func (k *Key) verificationKey(_ context.Context, kid []byte, hasKID bool, alg []byte) (*Key, error) {
	if hasKID && string(kid) != k.kid {
		return nil, ErrKeyNotFound
	}
	if string(alg) != string(k.alg) {
		return nil, ErrAlgorithm
	}
	return k.Public(), nil
}

func (k *Key) algorithms() []Algorithm { return []Algorithm{k.alg} }

// KeySet is a fixed set of verification keys, for example the current and
// the previous key during a rotation. Keys are selected by kid; a token
// without a kid is accepted only when the set holds exactly one key for the
// token's algorithm. A KeySet is immutable and safe for concurrent use.
type KeySet struct {
	byKID map[string]*Key
	byAlg map[string][]*Key
	algs  []Algorithm
}

// NewKeySet builds a KeySet of the public halves of keys: private keys are
// reduced to their public halves. It refuses an empty set, two keys with
// the same kid, two keys without a kid for the same algorithm, and a mix of
// HMAC and asymmetric keys (a set that holds both invites key confusion).
func NewKeySet(keys ...*Key) (*KeySet, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: empty key set: pass at least one key", ErrKey)
	}
	s := &KeySet{byKID: make(map[string]*Key), byAlg: make(map[string][]*Key)}
	symmetric := 0
	for _, k := range keys {
		if err := k.usable(); err != nil {
			return nil, err
		}
		k = k.Public()
		if k.k.Family() == jose.HMAC {
			symmetric++
		}
		if k.kid != "" {
			if _, dup := s.byKID[k.kid]; dup {
				return nil, fmt.Errorf("%w: two keys with kid %q", ErrKey, truncate(k.kid))
			}
			s.byKID[k.kid] = k
		} else {
			for _, o := range s.byAlg[string(k.alg)] {
				if o.kid == "" {
					return nil, fmt.Errorf("%w: two %s keys without a kid: give each a kid (WithKeyID), so that tokens name theirs", ErrKey, k.alg)
				}
			}
		}
		if len(s.byAlg[string(k.alg)]) == 0 {
			s.algs = append(s.algs, k.alg)
		}
		s.byAlg[string(k.alg)] = append(s.byAlg[string(k.alg)], k)
	}
	if symmetric != 0 && symmetric != len(keys) {
		return nil, fmt.Errorf("%w: a key set cannot mix HMAC and asymmetric keys", ErrKey)
	}
	return s, nil
}

// keySetFromJWKS builds a KeySet from a parsed JWK Set, as [ParseJWKS]
// documents.
func keySetFromJWKS(set jose.JWKSet, alg Algorithm) (*KeySet, error) {
	if set == nil {
		return nil, fmt.Errorf("%w: nil JWK set", ErrKey)
	}
	var keys []*Key
	for _, j := range jose.Keys(set) {
		k, err := keyFromJWK(j, alg)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return NewKeySet(keys...)
}

// ParseJWKS parses a JWK Set document (RFC 7517) and builds a KeySet, each
// key bound as [ParseJWK] binds it with alg (which may be empty). Private
// keys in the set are reduced to their public halves, as [NewKeySet]
// reduces them.
func ParseJWKS(data []byte, alg Algorithm) (*KeySet, error) {
	set, err := jose.ParseSet(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return keySetFromJWKS(set, alg)
}

// Len returns the number of keys in the set.
func (s *KeySet) Len() int {
	n := 0
	for _, ks := range s.byAlg {
		n += len(ks)
	}
	return n
}

func (s *KeySet) verificationKey(_ context.Context, kid []byte, hasKID bool, alg []byte) (*Key, error) {
	if hasKID {
		k, ok := s.byKID[string(kid)]
		if !ok {
			return nil, ErrKeyNotFound
		}
		if string(alg) != string(k.alg) {
			return nil, ErrAlgorithm
		}
		return k, nil
	}
	ks := s.byAlg[string(alg)]
	switch len(ks) {
	case 0:
		return nil, ErrAlgorithm
	case 1:
		return ks[0], nil
	}
	return nil, ErrKeyNotFound
}

func (s *KeySet) algorithms() []Algorithm { return s.algs }

func (s *KeySet) usable() error {
	if s == nil || len(s.algs) == 0 {
		return fmt.Errorf("%w: nil or empty KeySet; build sets with NewKeySet", ErrKey)
	}
	return nil
}
