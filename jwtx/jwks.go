package jwtx

import (
	"fmt"

	"github.com/typedjwt/typedjwt/jwtx/internal/jose"
)

// PublicJWKS returns the ring's public keys as a JWK Set document; see
// [PublicKeySource].
func (r *KeyRing) PublicJWKS() ([]byte, error) { return MarshalJWKS(r.Keys()...) }

// A PublicKeySource publishes public keys as a JWK Set (RFC 7517 §5), for a
// JWKS endpoint. *Key, *KeySet and *KeyRing implement it.
type PublicKeySource interface {
	PublicJWKS() ([]byte, error)
}

// MarshalJWKS encodes the public halves of keys as a JWK Set document, each
// with kid, alg and use "sig". HMAC keys have no public half and are
// refused: a JWKS never carries private or secret material.
func MarshalJWKS(keys ...*Key) ([]byte, error) {
	js := make([]jose.JWK, 0, len(keys))
	for _, k := range keys {
		j, err := k.publicJWK()
		if err != nil {
			return nil, err
		}
		js = append(js, j)
	}
	b, err := jose.MarshalSet(js)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	return b, nil
}

// PublicJWKS returns the key's public half as a JWK Set document.
func (k *Key) PublicJWKS() ([]byte, error) { return MarshalJWKS(k) }

// PublicJWKS returns the set's public keys as a JWK Set document.
func (s *KeySet) PublicJWKS() ([]byte, error) {
	var keys []*Key
	for _, a := range s.algs {
		keys = append(keys, s.byAlg[string(a)]...)
	}
	return MarshalJWKS(keys...)
}
