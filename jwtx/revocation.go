package jwtx

import (
	"context"
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
