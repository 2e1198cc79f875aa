package httpx

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
)

// RefreshHandler returns the refresh endpoint: it takes a refresh token from
// the configured locations, loads its user and answers with a new access
// token from iss, not fresh; with [WithRotation], with a new refresh token
// too. The new tokens stay in the refresh token's family (its fam claim),
// so that logout and reuse detection reach them. A token that came from a
// cookie is answered with cookies (and {"msg": "refreshed"}), so the token
// never reaches JavaScript; otherwise with JSON {"access_token",
// "token_type", "expires_in"} and, when rotating, "refresh_token".
func (a *Auth[U, C]) RefreshHandler(iss *jwtx.Issuer[U, C]) http.Handler {
	return a.serve(rule[U, C]{want: jwtx.ExpectRefresh, rotating: a.cfg.rotation != nil}, func(w http.ResponseWriter, r *http.Request, loc Location) error {
		tokens, err := a.refresh(r, iss)
		if err != nil {
			return err
		}
		if loc == FromCookie {
			a.SetCookies(w, tokens...)
			WriteJSON(w, http.StatusOK, map[string]string{"msg": "refreshed"})
			return nil
		}
		body := map[string]any{
			"access_token": tokens[0].Raw,
			"token_type":   a.cfg.challengeScheme(),
			"expires_in":   int(tokens[0].MaxAge(a.ver.Now()) / time.Second),
		}
		if len(tokens) == 2 {
			body["refresh_token"] = tokens[1].Raw
		}
		WriteJSON(w, http.StatusOK, body)
		return nil
	})
}

// refresh issues the new tokens for a verified refresh request: an access
// token, and with rotation a refresh token that replaces the presented one.
func (a *Auth[U, C]) refresh(r *http.Request, iss *jwtx.Issuer[U, C]) ([]jwtx.Token, error) {
	ctx := r.Context()
	user, err := jwtx.UserFromContext[U](ctx)
	if err != nil {
		return nil, err
	}
	claims, _ := jwtx.From[C](ctx)
	reg := jwtx.InfoOf(claims)
	if a.cfg.rotation == nil {
		tok, err := iss.Access(ctx, user, renewal(reg)...)
		if err != nil {
			return nil, fmt.Errorf("httpx: refresh: %w", err)
		}
		return []jwtx.Token{tok}, nil
	}
	adopted := reg.Family == ""
	if adopted {
		if reg.Family, err = a.adopt(ctx, reg); err != nil {
			return nil, err
		}
	}
	pair, err := iss.Pair(ctx, user, renewal(reg)...)
	if err != nil {
		return nil, fmt.Errorf("httpx: refresh: %w", err)
	}
	if err := a.cfg.rotation.Rotate(ctx, reg.Family, reg.ID, pair.Refresh.ID, pair.Refresh.ExpiresAt); err != nil {
		if !errors.Is(err, jwtx.ErrReused) && !errors.Is(err, jwtx.ErrRevoked) {
			err = fmt.Errorf("%w: %w", jwtx.ErrRevocationUnavailable, err)
		}
		return nil, err
	}
	if adopted {
		// The adopted token is retired for good, not only while its new
		// family is remembered: a store that later drops the family must
		// not let it start another.
		retired := reg
		retired.Family = ""
		if rv := a.adoptionRevoker(); rv != nil {
			if err := rv.Revoke(ctx, retired); err != nil {
				return nil, fmt.Errorf("%w: %w", jwtx.ErrRevocationUnavailable, err)
			}
		}
	}
	return []jwtx.Token{pair.Access, pair.Refresh}, nil
}

// burnAdopted handles a refresh token refused with err at the refresh
// endpoint: one without a family that was refused as revoked was adopted
// and retired, and presenting it again is a replay, so its adopted family
// is revoked, as Rotate's reuse detection revokes any family. It returns
// the refusal, or ErrRevocationUnavailable when the family could not be
// revoked.
func (a *Auth[U, C]) burnAdopted(ctx context.Context, err error) error {
	var te *jwtx.TokenError
	if !errors.As(err, &te) || !errors.Is(te.Err, jwtx.ErrRevoked) || te.Token.Family != "" || te.Token.Type != jwtx.Refresh {
		return err
	}
	rv := a.adoptionRevoker()
	if rv == nil {
		return err
	}
	burn := te.Token
	burn.Family = adoptedFamily(burn)
	if rerr := rv.Revoke(ctx, burn); rerr != nil {
		return fmt.Errorf("%w: %w", jwtx.ErrRevocationUnavailable, rerr)
	}
	return fmt.Errorf("%w: %w", jwtx.ErrReused, err)
}

// adoptionRevoker is where an adopted token is retired: the WithRevoker
// store, else the rotation store when it revokes too (both of jwtx's do).
func (a *Auth[U, C]) adoptionRevoker() jwtx.Revoker {
	if a.cfg.revoker != nil {
		return a.cfg.revoker
	}
	rv, _ := a.cfg.rotation.(jwtx.Revoker)
	return rv
}

// adoptedPrefix starts the family of a refresh token adopted into rotation.
const adoptedPrefix = "adopted."

// adopt starts a family for a verified refresh token that has none (one
// issued before rotation was turned on, or by flask-jwt-extended), with the
// token as its current one, and returns the family. The family is named
// after the token (adoptedFamily), so the same token can be adopted once:
// presented again after its rotation, Start finds the family (ErrReused,
// ignored here) and the Rotate that follows sees a retired token and
// revokes the family, as for any replay; and once adopted, the token is
// revoked for good (see refresh).
func (a *Auth[U, C]) adopt(ctx context.Context, reg jwtx.TokenInfo) (string, error) {
	if reg.ID == "" {
		return "", &jwtx.ClaimError{Claim: "jti", Err: jwtx.ErrMissingClaim}
	}
	fam := adoptedFamily(reg)
	first := reg
	first.Family = fam
	if err := a.cfg.rotation.Start(ctx, first); err != nil && !errors.Is(err, jwtx.ErrReused) {
		return "", fmt.Errorf("%w: %w", jwtx.ErrRevocationUnavailable, err)
	}
	return fam, nil
}

// adoptedFamily is the family a token without one is adopted into: named
// after its issuer, subject and jti, so that tokens of two subjects (or
// issuers) that share a jti never share a family.
func adoptedFamily(t jwtx.TokenInfo) string {
	sum := sha256.Sum256([]byte(t.Issuer + "\x00" + t.Subject + "\x00" + t.ID))
	return adoptedPrefix + base64.RawURLEncoding.EncodeToString(sum[:16])
}

// renewal returns the issue options of a token minted from the verified
// token reg, by whatever path: the same choice of csrf claim, and the same
// family, so that revoking the family (logout, reuse detection) reaches
// every token minted from it.
func renewal(reg jwtx.TokenInfo) []jwtx.IssueOption {
	opts := []jwtx.IssueOption{jwtx.WithTokenCSRF(reg.CSRF != "")}
	if reg.Family != "" {
		opts = append(opts, jwtx.InFamily(reg.Family))
	}
	return opts
}
