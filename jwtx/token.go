package jwtx

import (
	"log/slog"
	"time"
)

// Token is an issued token and what its holder needs to know about it.
// Its String and LogValue methods leave out the token itself, so logging a
// Token never leaks it; use Raw to send it.
type Token struct {
	Raw       string    // the compact JWS
	Type      TokenType // Access or Refresh
	ID        string    // the jti
	Subject   string    // the sub
	IssuedAt  time.Time // the iat
	ExpiresAt time.Time // the exp; zero for a token that never expires
	CSRF      string    // the csrf claim, or ""
	Family    string    // the fam claim, or ""
}

// String describes the token without revealing it.
func (t Token) String() string {
	return "jwtx.Token(" + string(t.Type) + ", jti " + t.ID + ")"
}

// LogValue describes the token for log/slog without revealing it.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("type", string(t.Type)),
		slog.String("jti", t.ID),
		slog.String("sub", t.Subject),
		slog.Time("exp", t.ExpiresAt),
	)
}

// MaxAge returns the time left until the token expires, as of now, for
// cookie Max-Age; 0 for a token without exp or already expired.
func (t Token) MaxAge(now time.Time) time.Duration {
	if t.ExpiresAt.IsZero() || !now.Before(t.ExpiresAt) {
		return 0
	}
	return t.ExpiresAt.Sub(now)
}

// TokenPair is an access token and the refresh token issued with it.
type TokenPair struct {
	Access  Token
	Refresh Token
}

// Info returns what a revocation or rotation store needs of the token.
func (t Token) Info() TokenInfo {
	return TokenInfo{
		ID: t.ID, Subject: t.Subject, Type: t.Type, Family: t.Family, CSRF: t.CSRF,
		IssuedAt: t.IssuedAt, ExpiresAt: t.ExpiresAt,
	}
}
