package jwtx

import (
	"fmt"
	"time"
)

// An IssueOption adjusts one token as it is issued. Only this package can
// create them.
type IssueOption interface {
	applyIssue(*issueConfig) error
}

// issueConfig holds the per-call settings.
type issueConfig struct {
	fresh        Fresh
	freshFor     time.Duration
	extra        map[string]any
	modifiers    []func(claims any) error
	audience     Audience
	expiresIn    time.Duration
	expiresAt    time.Time
	neverExpires bool
	csrf         *bool
	family       string
}

type issueOption func(*issueConfig) error

func (o issueOption) applyIssue(c *issueConfig) error { return o(c) }

// AsFresh marks an access token as fresh or not, for example fresh right
// after a password check and not fresh after a refresh. Default: not fresh.
func AsFresh(fresh bool) IssueOption {
	return issueOption(func(c *issueConfig) error {
		c.fresh, c.freshFor = FreshFlag(fresh), 0
		return nil
	})
}

// FreshFor marks an access token as fresh for d from now, written as a time
// in the fresh claim (flask-jwt-extended's timedelta form).
func FreshFor(d time.Duration) IssueOption {
	return issueOption(func(c *issueConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: fresh duration %v", ErrConfig, d)
		}
		c.fresh, c.freshFor = Fresh{}, d
		return nil
	})
}

// ExtraClaims adds claims to the token, over what ClaimsFunc and [Issuer.Modify]
// produced: on a tie the extra claim wins. Values must encode as JSON, and
// the merged claims must still decode into the claims type. Reserved claims
// (sub, exp, iat, nbf, jti, type, fresh, csrf, fam) need [AllowOverride].
func ExtraClaims(claims map[string]any) IssueOption {
	return issueOption(func(c *issueConfig) error {
		if c.extra == nil {
			c.extra = make(map[string]any, len(claims))
		}
		for k, v := range claims {
			c.extra[k] = v
		}
		return nil
	})
}

// Modify changes the typed claims of one token after ClaimsFunc built them.
// The compiler checks that f takes the Issuer's claims type:
//
//	tok, err := iss.Access(ctx, user, iss.Modify(func(c *Claims) { c.AMR = []string{"pwd"} }))
//
// Passing the option to an Issuer of another claims type fails the issue
// with [ErrConfig].
func (i *Issuer[U, C]) Modify(f func(claims *C)) IssueOption {
	return issueOption(func(c *issueConfig) error {
		if f == nil {
			return fmt.Errorf("%w: nil Modify function", ErrConfig)
		}
		c.modifiers = append(c.modifiers, func(p any) error {
			claims, ok := p.(*C)
			if !ok {
				return fmt.Errorf("%w: a Modify option of an Issuer of %T, given to an Issuer of %T", ErrConfig, *new(C), p)
			}
			f(claims)
			return nil
		})
		return nil
	})
}

// ForAudience sets the aud claim of one token, over the Issuer's
// [WithAudience] and ClaimsFunc. Giving an aud in [ExtraClaims] as well is
// an error ([ErrConfig]), not a silent override.
func ForAudience(aud ...string) IssueOption {
	return issueOption(func(c *issueConfig) error {
		if len(aud) == 0 {
			return fmt.Errorf("%w: no audience given", ErrConfig)
		}
		c.audience = append(Audience(nil), aud...)
		return nil
	})
}

// ExpiresIn sets the lifetime of one token, over the Issuer's default.
func ExpiresIn(d time.Duration) IssueOption {
	return issueOption(func(c *issueConfig) error {
		if d <= 0 {
			return fmt.Errorf("%w: lifetime %v", ErrConfig, d)
		}
		c.expiresIn, c.expiresAt, c.neverExpires = d, time.Time{}, false
		return nil
	})
}

// ExpiresAt sets the expiry of one token, over the Issuer's default.
func ExpiresAt(t time.Time) IssueOption {
	return issueOption(func(c *issueConfig) error {
		if t.IsZero() {
			return fmt.Errorf("%w: zero expiry", ErrConfig)
		}
		c.expiresAt, c.expiresIn, c.neverExpires = t, 0, false
		return nil
	})
}

// NeverExpires issues one token without exp. It works only with an Issuer
// built with WithExpiryRequired(false), and such tokens verify only with a
// Verifier built the same way: a token that never expires stays valid until
// its key is retired or it is revoked.
func NeverExpires() IssueOption {
	return issueOption(func(c *issueConfig) error {
		c.neverExpires, c.expiresIn, c.expiresAt = true, 0, time.Time{}
		return nil
	})
}

// InFamily continues the refresh-token family fam: the new tokens carry it
// instead of a new one. Every token minted from a token of a family must
// stay in it, so that revoking the family reaches it: refresh handlers and
// implicit refresh pass the family of the token they renew. It works with
// any Issuer, with or without [WithFamilies].
func InFamily(fam string) IssueOption {
	return issueOption(func(c *issueConfig) error {
		if fam == "" {
			return fmt.Errorf("%w: empty family", ErrConfig)
		}
		c.family = fam
		return nil
	})
}

// WithTokenCSRF says whether one token carries a csrf claim, over the
// Issuer's [WithCSRF].
func WithTokenCSRF(on bool) IssueOption {
	return issueOption(func(c *issueConfig) error {
		c.csrf = &on
		return nil
	})
}
