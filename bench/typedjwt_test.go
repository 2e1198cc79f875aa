package bench

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Claims is the typedjwt claims type of the fixture.
type Claims struct {
	jwtx.RegisteredClaims
	Roles  []string `json:"roles"`
	Tenant string   `json:"tenant"`
}

// typedjwtKey binds the fixture key to its jwtx algorithm.
func typedjwtKey(k keyMaterial, opts ...jwtx.KeyOption) *jwtx.Key {
	var key *jwtx.Key
	var err error
	switch k.alg {
	case "HS256":
		key, err = jwtx.NewKey(jwtx.HS256, k.secret, opts...)
	case "RS256":
		key, err = jwtx.NewKey[*rsa.PrivateKey](jwtx.RS256, k.rsa, opts...)
	case "ES256":
		key, err = jwtx.NewKey[*ecdsa.PrivateKey](jwtx.ES256, k.ec, opts...)
	case "EdDSA":
		key, err = jwtx.NewKey(jwtx.EdDSA, k.ed, opts...)
	}
	if err != nil {
		panic(err)
	}
	return key
}

// newTypedjwtIssuer builds an issuer of the fixture's access tokens with
// roles. The user is the subject (U is string).
func newTypedjwtIssuer(key jwtx.SigningKey, roles []string) *jwtx.Issuer[string, Claims] {
	iss, err := jwtx.NewIssuer[string, Claims](key,
		jwtx.WithIssuer(fxIssuer),
		jwtx.WithAudience(fxAudience),
		jwtx.WithAccessTTL(fxTTL),
		jwtx.WithClaims(func(context.Context, string) (Claims, error) {
			return Claims{Roles: roles, Tenant: fxTenant}, nil
		}),
	)
	if err != nil {
		panic(err)
	}
	return iss
}

// newTypedjwtVerifier builds a verifier with every default check on, plus
// iss and aud.
func newTypedjwtVerifier(keys jwtx.VerificationKeys) *jwtx.Verifier[jwtx.NoUser, Claims] {
	v, err := jwtx.NewClaimsVerifier[Claims](keys,
		jwtx.WithIssuer(fxIssuer),
		jwtx.WithAudience(fxAudience),
	)
	if err != nil {
		panic(err)
	}
	return v
}

// typedjwtSide issues with the private key and verifies with the public one.
func typedjwtSide(k keyMaterial, roles []string) side {
	key := typedjwtKey(k)
	iss := newTypedjwtIssuer(key, roles)
	ver := newTypedjwtVerifier(key.Public())
	ctx := context.Background()
	return side{
		name:  "typedjwt",
		roles: roles,
		issue: func() (string, error) {
			t, err := iss.Access(ctx, fxSubject)
			return t.Raw, err
		},
		verify: func(token string) (result, error) {
			c, _, err := ver.Verify(ctx, token)
			if err != nil {
				return result{}, err
			}
			return result{Subject: c.Subject, Roles: c.Roles, Tenant: c.Tenant}, nil
		},
	}
}
