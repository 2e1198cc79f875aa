package jwtx

import "context"

// IdentityFunc turns a user into the subject (sub claim) of a token, as
// flask-jwt-extended's user_identity_loader does. U is the application's
// user type.
type IdentityFunc[U any] func(user U) (string, error)

// ClaimsFunc builds the typed claims of a token from a user, as
// flask-jwt-extended's additional_claims_loader does. U is the application's
// user type and C its claims type.
type ClaimsFunc[U any, C Claims] func(ctx context.Context, user U) (C, error)

// UserLoader loads the user a verified token names, as flask-jwt-extended's
// user_lookup_loader does. U is the application's user type. It returns
// [ErrUserNotFound], possibly wrapped, when there is no such user.
type UserLoader[U any] func(ctx context.Context, subject string) (U, error)

// NoUser is the user type of a Verifier that only checks claims; see
// [NewClaimsVerifier].
type NoUser = struct{}
