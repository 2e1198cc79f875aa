package jwtx

import (
	"context"
	"fmt"
	"time"
)

// TokenInfo identifies a verified token to a revocation store. Stores key
// revocations by ID (the jti), never by the token text: the same token has
// several valid encodings (an ECDSA signature (r, s) is as valid as
// (r, n-s)), its ID has one.
type TokenInfo struct {
	ID        string
	Subject   string
	Issuer    string
	Type      TokenType
	Family    string // the refresh-token family, or ""
	CSRF      string // the csrf claim, or ""
	IssuedAt  time.Time
	ExpiresAt time.Time // zero for a token without exp
}

// A RevocationChecker tells a Verifier whether a token has been revoked. It
// must be safe for concurrent use. An error means the answer is unknown; the
// Verifier then refuses the token with [ErrRevocationUnavailable].
type RevocationChecker interface {
	Revoked(ctx context.Context, token TokenInfo) (bool, error)
}

// A Revoker records that a token is revoked until it expires. Logout
// handlers call it; a store that is also a [RevocationChecker] then refuses
// the token.
type Revoker interface {
	Revoke(ctx context.Context, token TokenInfo) error
}

// Info returns the TokenInfo of the claims.
func (r RegisteredClaims) Info() TokenInfo {
	return TokenInfo{
		ID:        r.ID,
		Subject:   r.Subject,
		Issuer:    r.Issuer,
		Type:      r.Type,
		Family:    r.Family,
		CSRF:      r.CSRF,
		IssuedAt:  r.IssuedAt.Time,
		ExpiresAt: r.ExpiresAt.Time,
	}
}

// A RevocationStore records revocations and answers a Verifier's questions
// about them: a [Revoker] and a [RevocationChecker], plus "log out
// everywhere". Revoke revokes the token and, when it belongs to a family,
// the whole family. Every record must live as long as a token it covers can
// verify: its exp plus [MaxLeeway]. Implementations are safe for
// concurrent use.
type RevocationStore interface {
	Revoker
	RevocationChecker
	// RevokeSubject revokes every token of subject issued before (or at)
	// before.
	RevokeSubject(ctx context.Context, subject string, before time.Time) error
}

// A RotationStore tracks refresh-token families so that each refresh token
// is used once. An Issuer built with [WithRotation] starts each family in
// the store as it issues the family's first refresh token; a family the
// store does not know is refused, never taken for a new one, so losing
// state fails closed. Implementations are safe for concurrent use and keep
// a family at least until its last refresh token's exp plus [MaxLeeway].
type RotationStore interface {
	// Start records a new family, first.Family, whose current refresh
	// token is first.ID, kept until first.ExpiresAt plus MaxLeeway.
	// Starting it again with the same first token does nothing.
	Start(ctx context.Context, first TokenInfo) error
	// Rotate retires refresh token id from of family fam and makes to the
	// one token of the family that may be used next; until is when to
	// expires. It must be atomic: of two calls with the same from, exactly
	// one succeeds. A from that is not the family's current token revokes
	// the family and returns ErrReused; a revoked or unknown family returns
	// an error wrapping ErrRevoked.
	Rotate(ctx context.Context, fam, from, to string, until time.Time) error
}

// errUnknownFamily is a Rotate of a family the store never started, or
// has forgotten.
var errUnknownFamily = fmt.Errorf("%w: the store does not know this refresh family (never started by an Issuer built with WithRotation, or lost): the user must log in again", ErrRevoked)
