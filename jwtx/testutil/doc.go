// Package testutil helps test code that uses jwtx and httpx: keys made on
// the fly, a controllable clock, an Issuer and a Verifier built in one call,
// deliberately bad tokens for negative tests, net/http/httptest requests that
// carry tokens, and go-cmp options for claims.
//
// Every helper that can fail takes a [testing.TB] first, marks itself with
// tb.Helper and stops the test with tb.Fatalf; none panics. The package is
// for tests only: it imports testing and net/http/httptest, and its keys are
// test keys.
//
//	func TestMe(t *testing.T) {
//		env := testutil.NewEnv[string, Claims](t)
//		tok := env.Access(t, "alice")
//		env.Clock.Advance(time.Hour)
//		_, _, err := env.Verifier.Verify(ctx, tok.Raw) // errors.Is(err, jwtx.ErrExpired)
//	}
//
// # Keys
//
// [NewKey] makes a [Key] for any jwtx algorithm. It holds the signing
// *jwtx.Key for an Issuer, its public half for a Verifier, and the raw
// crypto material, so that [Key.Sign] can sign arbitrary bytes. HMAC, ECDSA
// and Ed25519 keys are derived from a seed ([WithSeed]) and are the same in
// every run. RSA keys cannot be: rsa.GenerateKey makes no promise of
// determinism for a given reader, and since Go 1.26 it ignores the reader
// altogether, so RSA keys are random, generated once per seed and test
// binary.
//
// # Environment
//
// [NewEnv] builds an [Env]: one Key, one [Clock], an Issuer and a Verifier
// that share both, and a [Forger] that agrees with them about the issuer,
// audience, subject and header types. Set those with this package's
// [WithIssuer], [WithAudience], [WithSubject] and [WithHeaderTypes] rather
// than jwtx's, so that forged tokens match. Move the clock to test expiry
// without sleeping.
//
// # Forged tokens
//
// [Sign], [SigningInput] and [Compact] build tokens from header and claims
// JSON taken byte for byte, never re-serialised, for tests of odd inputs.
// [SignAs] signs with a key's material under another algorithm (PS256 with
// an RS256 key, ES384 with a P-256 key, an HMAC keyed with a public key),
// [SignHMAC] with any secret, weak ones included, and [SignSegments] over
// segments that are not base64url of anything; [Key.SignPSS] and
// [ECDSASignature] make the odd signatures of PSS salt-length and ECDSA
// range tests. Signatures come from the standard library's crypto, never
// from jwtx.
//
// A [Forger] mints a valid token and, for each [Flaw], a token that is valid
// but for that one flaw; [Flaw.Err] names the sentinel error jwtx refuses it
// with. Loop over [Flaws] to check that a handler refuses every one of them.
// [Forger.Claims] is the claims JSON of the valid token, to edit with
// [WithClaim] and sign by hand.
//
// # HTTP
//
// [BearerRequest] and [CookieRequest] build requests carrying tokens in the
// Authorization header or in the cookies of an httpx.Auth, with the
// matching X-CSRF-Token header; [AddRawCookie] adds one byte for byte, for
// malformed or repeated cookies; [ResponseCookie] reads back a cookie a
// handler set. [Env.Auth] builds an httpx.Auth on the environment's
// Verifier, [Serve] runs one request through a handler, and a [Browser] is
// a TLS test server with a client that keeps cookies as a browser does.
// [Payload] and [Tamper] read and alter a token's claims without a key.
//
// # Stores and sessions
//
// [StoreContract] checks a revocation and rotation store against the rules
// jwtx's stores follow; [SessionContract] drives random cookie sessions
// through httpx against a reference model of which tokens must be refused.
//
// # Interoperability
//
// [PyJWT] runs Python's PyJWT beside a test, to sign tokens as
// flask-jwt-extended does and to check tokens jwtx signs.
//
// # Comparing claims
//
// [IgnoreVolatile] makes cmp.Diff ignore the claims that differ between two
// issues of the same token: jti, iat, nbf, exp, csrf and fam.
//
// # Global state
//
// The package keeps one unexported, package-level cache: RSA keys by seed
// (see [NewKey]). Generating an RSA-2048 key takes around 100 ms, and a test
// binary that made one per test would spend seconds on it. The cache is
// written once per seed, under sync.OnceValues, before any caller sees the
// key, and never changed afterwards, so parallel tests can share it. Nothing
// else is global.
package testutil
