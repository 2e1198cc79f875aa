package jwtx

// flaskTyp is the header typ PyJWT writes, on both kinds of token.
const flaskTyp = "JWT"

// FlaskCompat makes an Issuer and a Verifier speak the wire format of
// flask-jwt-extended 4 (on PyJWT), so that a Go service and a Flask service
// share tokens while a fleet migrates one service at a time:
//
//   - An Issuer writes header typ "JWT" on access and refresh tokens, as
//     PyJWT does, and copies the claims of ClaimsFunc, ExtraClaims and
//     Modify into refresh tokens too ([WithRefreshClaims]), as Flask's
//     additional claims are.
//   - A Verifier accepts both layouts: header typ "JWT" as well as its own
//     types ([WithHeaderTypes]; "at+jwt" and "refresh+jwt" by default),
//     and a subject that is a JSON integer (create_access_token(identity=
//     user.id)), read as its decimal form ("42"). The type claim still
//     tells access and refresh tokens apart.
//
// Everything else is already Flask's layout: sub, iat, nbf, exp, jti, the
// type claim ("access", "refresh"), fresh (a boolean or a time), csrf.
// Flask's refresh tokens carry no fam claim; httpx's refresh endpoint with
// rotation adopts them into a family on first use. Default: off.
func FlaskCompat() Option {
	return flaskOption{}
}

type flaskOption struct{}

func (flaskOption) applyIssuer(c *issuerConfig) error {
	c.flask, c.refreshClaims = true, true
	c.accessTyp, c.refreshTyp = flaskTyp, flaskTyp
	return nil
}

func (flaskOption) applyVerifier(c *verifierConfig) error {
	c.flask = true
	return nil
}
