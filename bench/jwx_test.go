package bench

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

var errJWXClaims = errors.New("jwx: custom claims of the wrong type")

// jwxParseOptions verify the signature with the pinned algorithm and
// validate exp (required), nbf, iat, iss, aud, sub and the type claim; jwx
// checks exp, nbf and iat by default when validating.
func jwxParseOptions(alg jwa.SignatureAlgorithm, verifyKey any) []jwt.ParseOption {
	return []jwt.ParseOption{
		jwt.WithKey(alg, verifyKey),
		jwt.WithValidate(true),
		jwt.WithIssuer(fxIssuer),
		jwt.WithAudience(fxAudience),
		jwt.WithRequiredClaim(jwt.ExpirationKey),
		jwt.WithRequiredClaim(jwt.SubjectKey),
		jwt.WithClaimValue("type", "access"),
	}
}

// jwxNewToken builds the fixture's claims, with roles, as a jwx token.
func jwxNewToken(roles []string) (jwt.Token, error) {
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	now := time.Unix(time.Now().Unix(), 0)
	t := jwt.New()
	for _, kv := range []struct {
		k string
		v any
	}{
		{jwt.IssuerKey, fxIssuer},
		{jwt.SubjectKey, fxSubject},
		{jwt.AudienceKey, fxAudience},
		{jwt.ExpirationKey, now.Add(fxTTL)},
		{jwt.NotBeforeKey, now},
		{jwt.IssuedAtKey, now},
		{jwt.JwtIDKey, base64.RawURLEncoding.EncodeToString(rnd[:])},
		{"type", "access"},
		{"fresh", false},
		{"roles", roles},
		{"tenant", fxTenant},
	} {
		if err := t.Set(kv.k, kv.v); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// jwxResult decodes the custom claims into the typed result.
func jwxResult(t jwt.Token) (result, error) {
	r := result{Subject: t.Subject()}
	v, ok := t.Get("tenant")
	if !ok {
		return result{}, errJWXClaims
	}
	if r.Tenant, ok = v.(string); !ok {
		return result{}, errJWXClaims
	}
	v, ok = t.Get("roles")
	if !ok {
		return result{}, errJWXClaims
	}
	list, ok := v.([]any)
	if !ok {
		return result{}, errJWXClaims
	}
	r.Roles = make([]string, len(list))
	for i, e := range list {
		if r.Roles[i], ok = e.(string); !ok {
			return result{}, errJWXClaims
		}
	}
	return r, nil
}

func jwxSide(k keyMaterial, roles []string) side {
	alg := jwa.SignatureAlgorithm(k.alg)
	hdr := jws.NewHeaders()
	if err := hdr.Set(jws.TypeKey, fxHeaderTyp); err != nil {
		panic(err)
	}
	signOpt := jwt.WithKey(alg, k.signKey(), jws.WithProtectedHeaders(hdr))
	parseOpts := jwxParseOptions(alg, k.verifyKey())
	return side{
		name:  "jwx",
		roles: roles,
		issue: func() (string, error) {
			t, err := jwxNewToken(roles)
			if err != nil {
				return "", err
			}
			b, err := jwt.Sign(t, signOpt)
			return string(b), err
		},
		verify: func(token string) (result, error) {
			t, err := jwt.Parse([]byte(token), parseOpts...)
			if err != nil {
				return result{}, err
			}
			return jwxResult(t)
		},
	}
}
