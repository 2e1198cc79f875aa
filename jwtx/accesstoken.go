package jwtx

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// AccessTokenClaims are the claims of an OAuth 2.0 access token in the JWT
// profile of RFC 9068, as identity providers (Auth0, Okta, Keycloak, Entra
// ID, ZITADEL, ...) issue them: use it as the claims type of a Verifier with
// [WithAccessTokenProfile], or embed it in a claims type of your own that
// adds a provider's private claims.
//
//	ver, err := jwtx.NewClaimsVerifier[jwtx.AccessTokenClaims](keys,
//		jwtx.WithIssuer("https://id.example.com/"), jwtx.WithAudience("https://api.example.com"),
//		jwtx.WithAccessTokenProfile())
type AccessTokenClaims struct {
	RegisteredClaims
	// ClientID is the OAuth 2.0 client the token was issued to (RFC 9068
	// §2.2, RFC 8693 §4.3).
	ClientID string `json:"client_id,omitempty"`
	// AuthorizedParty is the OpenID Connect azp, which Auth0, Keycloak and
	// Entra ID write instead of client_id.
	AuthorizedParty string `json:"azp,omitempty"`
	// Scope is the space-separated scope claim (RFC 8693 §4.2).
	Scope Scopes `json:"scope,omitzero"`
	// SCP is the scp claim, which Okta (an array) and Entra ID (a
	// space-separated string) write instead of scope.
	SCP Scopes `json:"scp,omitzero"`
	// AuthTime is when the user last authenticated actively (auth_time).
	AuthTime NumericDate `json:"auth_time,omitzero"`
	// ACR is the authentication context class of that authentication.
	ACR string `json:"acr,omitempty"`
	// AMR lists the authentication methods used (RFC 8176).
	AMR []string `json:"amr,omitempty"`
	// Groups, Roles and Entitlements are the SCIM attributes of RFC 9068
	// §2.2.3.1, when the provider writes them as arrays of strings.
	Groups       []string `json:"groups,omitempty"`
	Roles        []string `json:"roles,omitempty"`
	Entitlements []string `json:"entitlements,omitempty"`
}

// Client returns the client the token was issued to: client_id, or azp
// when the provider writes that instead.
func (c AccessTokenClaims) Client() string {
	if c.ClientID != "" {
		return c.ClientID
	}
	return c.AuthorizedParty
}

// Scopes returns the token's scopes: scope, or scp when the provider writes
// that instead.
func (c AccessTokenClaims) Scopes() Scopes {
	if len(c.Scope) > 0 {
		return c.Scope
	}
	return c.SCP
}

// Scopes is a set of OAuth 2.0 scopes. On the wire it is one string of
// space-separated scope tokens (RFC 6749 §3.3, RFC 8693 §4.2); decoding
// also accepts an array of strings, as Okta's scp claim is.
type Scopes []string

// Contains reports whether scope is one of the scopes, compared exactly.
func (s Scopes) Contains(scope string) bool { return slices.Contains(s, scope) }

// ContainsAll reports whether every one of scopes is among s.
func (s Scopes) ContainsAll(scopes ...string) bool {
	for _, want := range scopes {
		if !s.Contains(want) {
			return false
		}
	}
	return true
}

// ContainsAny reports whether at least one of scopes is among s.
func (s Scopes) ContainsAny(scopes ...string) bool { return slices.ContainsFunc(scopes, s.Contains) }

// String returns the scopes space-separated, as on the wire.
func (s Scopes) String() string { return strings.Join(s, " ") }

// MarshalJSON writes the scopes as one space-separated string.
func (s Scopes) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON accepts a space-separated string or an array of strings.
func (s *Scopes) UnmarshalJSON(b []byte) error {
	v, err := scopesClaim(b)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// scopesClaim decodes a scope or scp value: a string of space-separated
// scope tokens, or an array of strings.
func scopesClaim(value []byte) (Scopes, error) {
	if len(value) > 0 && value[0] == '[' {
		var out Scopes
		err := jsonobj.Array(value, 1, func(elem []byte) error {
			s, err := jsonobj.String(elem)
			if err != nil || len(s) == 0 {
				return malformed("a scope array holds something other than non-empty strings")
			}
			out = append(out, string(s))
			return nil
		})
		if err != nil {
			return nil, malformed("scopes are neither a string nor an array of strings")
		}
		return out, nil
	}
	s, err := jsonobj.String(value)
	if err != nil {
		return nil, malformed("scopes are neither a string nor an array of strings")
	}
	return strings.Fields(string(s)), nil
}

// profileConfig holds the settings of WithAccessTokenProfile.
type profileConfig struct {
	profile      bool
	profileTypes []string
}

// WithAccessTokenProfile makes the Verifier check access tokens by the JWT
// profile for OAuth 2.0 access tokens (RFC 9068), the tokens identity
// providers and other OAuth 2.0 authorization servers issue, instead of
// the layout typedjwt's own Issuer writes:
//
//   - the header typ must be "at+jwt" (or "application/at+jwt"), or one of
//     types; give "JWT" for providers that write that (ZITADEL, Keycloak,
//     Entra ID), preferably per issuer with [TrustedIssuer.HeaderTypes];
//   - iss, sub, aud, exp and iat are required, and client_id (or azp,
//     which Auth0, Keycloak and Entra ID write instead); jti only with
//     [WithRevocation], as before, since Entra ID writes none;
//   - no type claim is needed; a token that has one must say "access";
//   - refresh tokens are refused: VerifyRefresh always fails with
//     [ErrTokenType];
//   - an audience is required: [WithAudience], or Audience on every
//     [TrustedIssuer] (RFC 9068 §4).
//
// The typedjwt access tokens of another service pass when they carry an
// aud and a client_id (add one with the Issuer's WithClaims). Fresh
// tokens still work with VerifyFresh. Default: off (typedjwt's layout).
func WithAccessTokenProfile(types ...string) VerifierOption {
	return verifierOption(func(c *verifierConfig) error {
		list := []string{"at+jwt"}
		for _, t := range types {
			if t = withoutApplication(t); t == "" {
				return fmt.Errorf("%w: WithAccessTokenProfile: an empty header type; name each extra typ, such as \"JWT\"", ErrConfig)
			}
			list = append(list, t)
		}
		c.profile, c.profileTypes = true, list
		return nil
	})
}

// checkHeader judges the header once the signature has verified: under
// the profile, typ against the access token types; else as checkSigned.
func (v *Verifier[U, C]) checkHeader(h *header, want Expect, tr *trust) error {
	if !v.cfg.profile {
		wantTyp := v.cfg.accessTyp
		if want == ExpectRefresh {
			wantTyp = v.cfg.refreshTyp
		}
		otherTyp := wantTyp
		if v.cfg.flask {
			otherTyp = flaskTyp
		}
		return h.checkSigned(wantTyp, otherTyp)
	}
	if h.refused != nil {
		return h.refused
	}
	if want == ExpectRefresh {
		return &HeaderError{Param: "typ", Err: fmt.Errorf("%w: WithAccessTokenProfile verifies access tokens only", ErrTokenType)}
	}
	types := v.cfg.profileTypes
	if len(tr.types) > 0 {
		types = append([]string{"at+jwt"}, tr.types...)
	}
	for _, t := range types {
		if h.hasTyp && typMatches(h.typ, t) {
			return nil
		}
	}
	got := "no typ"
	if h.hasTyp {
		got = fmt.Sprintf("typ %q", truncate(string(h.typ)))
	}
	return &HeaderError{Param: "typ", Err: fmt.Errorf("%w: %s where an access token (%s) is needed; list the provider's typ in WithAccessTokenProfile or TrustedIssuer.HeaderTypes", ErrTokenType, got, quoteList(types))}
}

// checkProfile applies the RFC 9068 claim rules that the registered-claim
// checks do not already.
func (v *Verifier[U, C]) checkProfile(r *RegisteredClaims, tr *trust, payload []byte, fail func(claim string, err error)) {
	if r.Type != "" && r.Type != Access {
		fail("type", fmt.Errorf("%w: a %s token where an access token is needed", ErrTokenType, tokenKind(r.Type)))
	}
	if r.Issuer == "" && tr.issuer == "" {
		fail("iss", ErrMissingClaim)
	}
	if r.Audience == nil {
		fail("aud", ErrMissingClaim)
	}
	if r.IssuedAt.IsZero() && v.cfg.maxAge == 0 { // WithMaxAge reports it already
		fail("iat", ErrMissingClaim)
	}
	info, err := RawClaims(payload).Access()
	switch {
	case err != nil:
		fail("client_id", err)
	case info.ClientID == "":
		fail("client_id", fmt.Errorf("%w: an RFC 9068 access token names its client in client_id (or azp)", ErrMissingClaim))
	}
}

// AccessInfo is what a verified access token says of its client, its
// scopes and the user's authentication, read by name from the payload
// whatever the claims type: what scope and step-up checks need.
type AccessInfo struct {
	ClientID string    // client_id, or azp
	Scopes   Scopes    // scope, or scp
	AuthTime time.Time // auth_time; zero when absent
	ACR      string    // acr
	AMR      []string  // amr
	IssuedAt time.Time // iat
	Fresh    Fresh     // typedjwt's fresh claim (first-party tokens)
}

// Access reads the [AccessInfo] of verified claims, with exact member
// names. It fails with an error wrapping [ErrMalformed] when one of them
// has the wrong JSON type.
func (r RawClaims) Access() (AccessInfo, error) {
	var a AccessInfo
	var azp string
	var scp Scopes
	var reg RegisteredClaims // iat only
	err := jsonobj.Object(r, maxClaimsDepth, func(name, value []byte) error {
		var err error
		n := string(name)
		switch n {
		case "client_id":
			a.ClientID, err = stringClaim(value)
		case "azp":
			azp, err = stringClaim(value)
		case "scope":
			a.Scopes, err = scopesClaim(value)
		case "scp":
			scp, err = scopesClaim(value)
		case "auth_time":
			a.AuthTime, err = dateClaim(value)
		case "acr":
			a.ACR, err = stringClaim(value)
		case "amr":
			err = jsonobj.Array(value, 1, func(elem []byte) error {
				s, err := jsonobj.String(elem)
				a.AMR = append(a.AMR, string(s))
				return err
			})
		case "fresh":
			err = a.Fresh.UnmarshalJSON(value)
		case "iat":
			_, err = decodeRegistered(&reg, name, value)
		}
		if err != nil {
			return &ClaimError{Claim: truncate(n), Err: malformed("%s has the wrong type", truncate(n))}
		}
		return nil
	})
	if err != nil {
		return AccessInfo{}, claimsScanError(err)
	}
	if a.ClientID == "" {
		a.ClientID = azp
	}
	if len(a.Scopes) == 0 {
		a.Scopes = scp
	}
	a.IssuedAt = reg.IssuedAt.Time
	return a, nil
}
