package bench

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

// The shared fixture: a typical access token. Every side issues and verifies
// a token with these claims (iss, sub, aud, exp, nbf, iat, jti, type, fresh,
// and the two custom claims roles and tenant) and applies the same checks:
// signature with a pinned algorithm, exp (required), nbf, iat, iss, aud, the
// type claim and a non-empty sub, then decodes roles and tenant into a typed
// struct. typedjwt's issuer always writes fresh (false here), so the peers
// write it too.
const (
	fxIssuer     = "https://id.example.com"
	fxSubject    = "user-1234"
	fxAudience   = "api"
	fxTenant     = "acme"
	fxTTL        = time.Hour // long enough for one benchmark binary's run
	fxHeaderTyp  = "at+jwt"  // the header typ every side writes (RFC 9068)
	maxTokenSize = 8 << 10   // typedjwt's default size limit; the floor applies it too
)

var fxRoles = []string{"reader", "writer"}

// algs are the algorithms compared, in table order.
var algs = []string{"HS256", "RS256", "ES256", "EdDSA"}

// keyMaterial is the key of one algorithm in standard-library form.
type keyMaterial struct {
	alg    string
	secret []byte             // HS256
	rsa    *rsa.PrivateKey    // RS256 (2048 bits)
	ec     *ecdsa.PrivateKey  // ES256 (P-256)
	ed     ed25519.PrivateKey // EdDSA (Ed25519)
}

// signKey returns the private (or secret) key as the peers take it.
func (k keyMaterial) signKey() any {
	switch k.alg {
	case "HS256":
		return k.secret
	case "RS256":
		return k.rsa
	case "ES256":
		return k.ec
	}
	return k.ed
}

// verifyKey returns the public (or secret) key as the peers take it.
func (k keyMaterial) verifyKey() any {
	switch k.alg {
	case "HS256":
		return k.secret
	case "RS256":
		return &k.rsa.PublicKey
	case "ES256":
		return &k.ec.PublicKey
	}
	return k.ed.Public().(ed25519.PublicKey)
}

// keys are generated once per benchmark binary, lazily, so a run of the HS256
// benchmarks alone does not pay for an RSA key generation.
var keys = map[string]func() keyMaterial{
	"HS256": sync.OnceValue(func() keyMaterial {
		return keyMaterial{alg: "HS256", secret: hmacSecret(0)}
	}),
	"RS256": sync.OnceValue(func() keyMaterial {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		k.Precompute()
		return keyMaterial{alg: "RS256", rsa: k}
	}),
	"ES256": sync.OnceValue(func() keyMaterial {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return keyMaterial{alg: "ES256", ec: k}
	}),
	"EdDSA": sync.OnceValue(func() keyMaterial {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		return keyMaterial{alg: "EdDSA", ed: k}
	}),
}

// hmacSecret returns a fixed 32-byte HS256 secret, distinct for each i.
func hmacSecret(i int) []byte {
	s := sha256.Sum256(fmt.Appendf(nil, "typedjwt benchmark secret %d (test only)", i))
	return s[:]
}

// result is what every side's verify hands back: the typed custom claims
// and the subject, so the compiler cannot drop the decoding.
type result struct {
	Subject string
	Roles   []string
	Tenant  string
}

// side is one implementation under test for one algorithm.
type side struct {
	name   string
	issue  func() (string, error)
	verify func(token string) (result, error)
}

// sides builds the implementations for alg once per binary.
var sides = func() map[string]func() []side {
	m := make(map[string]func() []side)
	for _, alg := range algs {
		m[alg] = sync.OnceValue(func() []side {
			k := keys[alg]()
			return []side{typedjwtSide(k), golangJWTSide(k), jwxSide(k), floorSide(k)}
		})
	}
	return m
}()

// inOrder returns the benchmarks of one comparison in the order to run
// them: as listed, or reversed when the environment variable
// BENCH_ORDER is "reverse". cmd/benchtable reverses every other round, so
// that no side always runs first (or last) in its group.
func inOrder[T any](list []T) []T {
	if os.Getenv("BENCH_ORDER") == "reverse" {
		list = slices.Clone(list)
		slices.Reverse(list)
	}
	return list
}

// checkResult fails tb unless r holds the fixture's claims.
func checkResult(tb testing.TB, who string, r result) {
	tb.Helper()
	if r.Subject != fxSubject || r.Tenant != fxTenant || len(r.Roles) != 2 || r.Roles[0] != fxRoles[0] || r.Roles[1] != fxRoles[1] {
		tb.Fatalf("%s: verify returned %+v, want the fixture's claims", who, r)
	}
}

// mustToken issues one token with s and checks that s verifies it.
func mustToken(tb testing.TB, s side) string {
	tb.Helper()
	tok, err := s.issue()
	if err != nil {
		tb.Fatalf("%s: issue: %v", s.name, err)
	}
	r, err := s.verify(tok)
	if err != nil {
		tb.Fatalf("%s: verify own token: %v", s.name, err)
	}
	checkResult(tb, s.name, r)
	return tok
}
