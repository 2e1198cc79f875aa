// Package jwtx issues and verifies JSON Web Tokens as typed Go values.
//
// Applications keep users in a database and want tokens built from a user
// struct and turned back into typed values. jwtx gives them an [Issuer] that
// mints access and refresh tokens from a user, and a [Verifier] that returns
// the typed claims and the user of a token:
//
//	type Claims struct {
//		jwtx.RegisteredClaims
//		Roles []string `json:"roles"`
//	}
//
//	iss, err := jwtx.NewIssuer[User, Claims](key,
//		jwtx.WithIdentity(func(u User) (string, error) { return u.ID, nil }),
//		jwtx.WithClaims(func(ctx context.Context, u User) (Claims, error) {
//			return Claims{Roles: u.Roles}, nil
//		}))
//	pair, err := iss.Pair(ctx, user, jwtx.AsFresh(true))
//
//	ver, err := jwtx.NewVerifier[User, Claims](key,
//		jwtx.WithUserLoader(func(ctx context.Context, sub string) (User, error) { return db.User(ctx, sub) }))
//	claims, user, err := ver.Verify(ctx, pair.Access.Raw)
//
// Nothing downstream asserts types or reads a map[string]any, unless it asks
// for [RawClaims].
//
// # Concepts
//
// U is the application's user type and C its claims type: a struct that
// embeds [RegisteredClaims] by value, which the [Claims] constraint enforces
// at compile time. The Issuer turns a U into a subject with an
// [IdentityFunc] and into claims with a [ClaimsFunc]; the Verifier turns a
// subject back into a U with a [UserLoader]. A Verifier that needs no user
// is one line: [NewClaimsVerifier].
//
// A [Key] is bound to one [Algorithm] when it is built ([NewKey],
// [ParseJWK]). A Verifier trusts a *Key or a [KeySet] and accepts a token
// only if its header alg is exactly the algorithm of the key its kid selects.
//
// Access and refresh tokens differ in the header typ ("at+jwt" and
// "refresh+jwt") and in the type claim; both are checked, so neither can
// stand in for the other. Tokens can be fresh ([AsFresh], [FreshFor]) for
// routes that need a recent password check ([Verifier.VerifyFresh]).
//
// # Wire format
//
// Claim names follow RFC 7519 and flask-jwt-extended (sub, type, fresh, csrf,
// jti, iat, nbf, exp), so a Go service verifies the tokens of a Flask service
// it replaces, and the reverse; see [WithHeaderTypes] for Flask's "JWT" typ.
//
// # Security defaults
//
// Verification is strict unless an option says otherwise: an algorithm
// allow-list derived from the keys, never "none", never a key named by the
// token (jwk, jku, x5u, x5c are ignored), crit, b64, zip and JWE refused,
// compact serialization in strict base64url only, an 8 KiB size limit
// checked before decoding, header and claims each exactly one JSON object
// without duplicate names, exp required, token type checked, iss and aud
// checked when configured (and a token with an aud refused by a Verifier
// without one). Every failure wraps a sentinel error such as [ErrExpired] or
// [ErrSignature] for errors.Is, with details in [*ClaimError],
// [*HeaderError], [*UserError] and [*TokenError] (which names a correctly
// signed token that a later check refused). Messages never contain tokens or keys.
//
// # Context
//
// Middleware stores verified values in the request context; handlers read
// them with [From], [UserFrom] and [RawFrom], typed by their type argument.
// A user can also be loaded lazily, on first use (httpx.WithLazyUser).
//
// # For middleware authors
//
// Code that puts jwtx under another framework (httpx, the gin, echo, gRPC
// and Connect adapters) needs a few calls beyond Verify: [Verifier.VerifyClaims]
// verifies a token of a given kind without loading its user, and
// [Verifier.LoadUser] loads it later; [InfoOf] reads the registered claims
// of a generic claims type; [NewContext] stores claims and user for [From]
// and [UserFrom]; [Verifier.MaxTokenSize] bounds what a location may read,
// and [Verifier.Now] gives the verifier's time for cookie lifetimes. A
// refusal after the signature verified is a [*TokenError] carrying what
// the token says.
package jwtx
