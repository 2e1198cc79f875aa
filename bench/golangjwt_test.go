package bench

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// gjClaims is the fixture's claims type for golang-jwt.
type gjClaims struct {
	jwt.RegisteredClaims
	Type   string   `json:"type"`
	Fresh  bool     `json:"fresh"`
	Roles  []string `json:"roles"`
	Tenant string   `json:"tenant"`
}

var errGJClaims = errors.New("golang-jwt: wrong type or empty sub")

// Validate is called by golang-jwt after its own claim checks
// (jwt.ClaimsValidator): the checks typedjwt makes that golang-jwt has no
// option for.
func (c gjClaims) Validate() error {
	if c.Type != "access" || c.Subject == "" {
		return errGJClaims
	}
	return nil
}

func gjMethod(alg string) jwt.SigningMethod {
	switch alg {
	case "HS256":
		return jwt.SigningMethodHS256
	case "RS256":
		return jwt.SigningMethodRS256
	case "ES256":
		return jwt.SigningMethodES256
	}
	return jwt.SigningMethodEdDSA
}

// newGJParser builds a parser with exp (required), nbf, iat, iss and aud
// validation, the algorithm pinned, and strict base64 (as typedjwt).
func newGJParser(alg string) *jwt.Parser {
	return jwt.NewParser(
		jwt.WithValidMethods([]string{alg}),
		jwt.WithIssuer(fxIssuer),
		jwt.WithAudience(fxAudience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithStrictDecoding(),
	)
}

// gjIssue mints the fixture's token: the same claims as typedjwt, a 128-bit
// random jti, and the header typ typedjwt writes.
func gjIssue(method jwt.SigningMethod, key any, roles []string) (string, error) {
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", err
	}
	now := time.Unix(time.Now().Unix(), 0)
	c := gjClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    fxIssuer,
			Subject:   fxSubject,
			Audience:  jwt.ClaimStrings{fxAudience},
			ExpiresAt: jwt.NewNumericDate(now.Add(fxTTL)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        base64.RawURLEncoding.EncodeToString(rnd[:]),
		},
		Type:   "access",
		Roles:  roles,
		Tenant: fxTenant,
	}
	t := jwt.NewWithClaims(method, c)
	t.Header["typ"] = fxHeaderTyp
	return t.SignedString(key)
}

func golangJWTSide(k keyMaterial, roles []string) side {
	method := gjMethod(k.alg)
	p := newGJParser(k.alg)
	signKey, verifyKey := k.signKey(), k.verifyKey()
	keyFunc := func(*jwt.Token) (any, error) { return verifyKey, nil }
	return side{
		name:  "golang-jwt",
		roles: roles,
		issue: func() (string, error) { return gjIssue(method, signKey, roles) },
		verify: func(token string) (result, error) {
			var c gjClaims
			if _, err := p.ParseWithClaims(token, &c, keyFunc); err != nil {
				return result{}, err
			}
			return result{Subject: c.Subject, Roles: c.Roles, Tenant: c.Tenant}, nil
		},
	}
}
