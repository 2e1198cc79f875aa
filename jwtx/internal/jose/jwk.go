package jose

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// JWK is a JSON Web Key as jwx represents it.
type JWK = jwk.Key

// JWKSet is a JSON Web Key Set as jwx represents it.
type JWKSet = jwk.Set

// FromJWK binds a JWK to an algorithm and returns the key and its kid.
//
// alg may be empty; the JWK's own "alg" is used then, or, for EC and Ed25519
// keys, the one algorithm their curve allows. When both are given they must
// be equal. A JWK whose "use" is not "sig", or whose "key_ops" lists neither
// "sign" nor "verify", is refused. A private JWK whose "key_ops" leave out
// "sign" gives only its public half.
func FromJWK(k JWK, alg string) (*Key, string, error) {
	if k == nil {
		return nil, "", errors.New("nil JWK")
	}
	if use := k.KeyUsage(); use != "" && use != "sig" {
		return nil, "", fmt.Errorf("JWK use is %q, not \"sig\"", truncate(use))
	}
	ops := k.KeyOps()
	canSign := len(ops) == 0 || slices.Contains(ops, jwk.KeyOpSign)
	if !canSign && !slices.Contains(ops, jwk.KeyOpVerify) {
		return nil, "", errors.New("JWK key_ops allow neither sign nor verify")
	}
	own := ""
	if a := k.Algorithm(); a != nil {
		own = a.String()
	}
	switch {
	case alg == "" && own == "":
		alg = inferAlg(k)
		if alg == "" {
			return nil, "", fmt.Errorf("JWK of type %s has no \"alg\" and none was given", k.KeyType())
		}
	case alg == "":
		alg = own
	case own != "" && own != alg:
		return nil, "", fmt.Errorf("JWK alg %q differs from %q", truncate(own), alg)
	}
	if rk, ok := k.(interface {
		N() []byte
		E() []byte
	}); ok {
		for name, v := range map[string][]byte{"n": rk.N(), "e": rk.E()} {
			if len(v) == 0 || v[0] == 0 {
				return nil, "", fmt.Errorf("RSA JWK member %q is not a minimal unsigned integer (RFC 7518 §6.3.1)", name)
			}
		}
	}
	var raw any
	if err := k.Raw(&raw); err != nil {
		return nil, "", fmt.Errorf("JWK: %w", err)
	}
	key, err := New(alg, raw)
	if err != nil {
		return nil, "", err
	}
	if !canSign {
		key = key.Public()
	}
	return key, k.KeyID(), nil
}

func inferAlg(k JWK) string {
	var raw any
	if err := k.Raw(&raw); err != nil {
		return ""
	}
	switch r := raw.(type) {
	case *ecdsa.PublicKey:
		return curveAlg(curveName(r.Curve))
	case *ecdsa.PrivateKey:
		return curveAlg(curveName(r.Curve))
	case ed25519.PublicKey, ed25519.PrivateKey:
		return "EdDSA"
	}
	return ""
}

func curveAlg(crv string) string {
	switch crv {
	case "P-256":
		return "ES256"
	case "P-384":
		return "ES384"
	case "P-521":
		return "ES512"
	}
	return ""
}

// HasPrivate reports whether the JWK carries private or secret material.
func HasPrivate(k JWK) bool {
	var raw any
	if err := k.Raw(&raw); err != nil {
		return false
	}
	switch raw.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey, []byte:
		return true
	}
	return false
}

// ParseSet parses a JWK Set document.
func ParseSet(data []byte) (JWKSet, error) {
	set, err := jwk.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("JWK set: %w", err)
	}
	return set, nil
}

// ParseKey parses one JWK document.
func ParseKey(data []byte) (JWK, error) {
	k, err := jwk.ParseKey(data)
	if err != nil {
		return nil, fmt.Errorf("JWK: %w", err)
	}
	return k, nil
}

// Keys returns the keys of a set in order.
func Keys(set JWKSet) []JWK {
	keys := make([]JWK, 0, set.Len())
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		keys = append(keys, k)
	}
	return keys
}

// PublicJWK returns the public half of k as a JWK with kid, alg and
// use "sig". An HMAC key has no public half and is refused.
func (k *Key) PublicJWK(kid string) (JWK, error) {
	var raw any
	switch k.spec.family {
	case HMAC:
		return nil, fmt.Errorf("a %s key has no public half", k.alg)
	case RSA, RSAPSS:
		raw = k.rsaPub
	case ECDSA:
		raw = k.ecPub
	case EdDSA:
		raw = k.edPub
	}
	j, err := jwk.FromRaw(raw)
	if err != nil {
		return nil, err
	}
	for name, v := range map[string]any{jwk.AlgorithmKey: k.alg, jwk.KeyUsageKey: "sig"} {
		if err := j.Set(name, v); err != nil {
			return nil, err
		}
	}
	if kid != "" {
		if err := j.Set(jwk.KeyIDKey, kid); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// MarshalSet encodes public keys as a JWK Set document.
func MarshalSet(keys []JWK) ([]byte, error) {
	set := jwk.NewSet()
	for _, k := range keys {
		if err := set.AddKey(k); err != nil {
			return nil, err
		}
	}
	return json.Marshal(set)
}

// MarshalKey encodes one JWK as JSON.
func MarshalKey(k JWK) ([]byte, error) { return json.Marshal(k) }
