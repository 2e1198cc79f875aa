package demo

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"

	"github.com/typedjwt/typedjwt/jwtx"
)

// NewKey returns a new random signing key for alg: a 32-byte secret for
// HS256, a P-256 key for ES256. Any other algorithm is an error. The
// examples make their key at start-up, so their tokens die with the
// process.
func NewKey(alg jwtx.Algorithm) (*jwtx.Key, error) {
	switch alg {
	case jwtx.HS256:
		secret := make([]byte, 32)
		rand.Read(secret) // never fails since Go 1.24
		return jwtx.NewKey(alg, secret)
	case jwtx.ES256:
		priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		return jwtx.NewKey(alg, priv)
	default:
		return nil, fmt.Errorf("demo: cannot make a key for %q, only for HS256 or ES256", alg)
	}
}
