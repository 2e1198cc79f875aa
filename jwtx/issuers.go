package jwtx

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// TrustedIssuer is one issuer whose tokens a Verifier accepts, with the
// keys, audiences and algorithms that apply to its tokens alone. It is the
// element of an [IssuerSet] and what the function of an [IssuerResolver]
// returns.
type TrustedIssuer struct {
	// Issuer is the iss its tokens carry, compared byte for byte. Required.
	Issuer string
	// Keys verify its tokens, and no other issuer's. Required; typically a
	// [RemoteKeySet] from [DiscoverKeySet].
	Keys VerificationKeys
	// Audience lists the aud values its tokens may carry for this service
	// (one of them must be present). Empty: the Verifier's [WithAudience].
	Audience []string
	// Algorithms narrows the algorithms its tokens may use, as
	// [WithAlgorithms] does for a whole Verifier. Empty: its keys'.
	Algorithms []Algorithm
	// HeaderTypes lists the header typ values its access tokens may carry
	// under [WithAccessTokenProfile], for providers that do not write
	// RFC 9068's "at+jwt" (ZITADEL, Keycloak and Entra ID write "JWT").
	// Empty: the Verifier's. Without the profile it must be empty.
	HeaderTypes []string
}

// validate checks one trusted issuer's settings.
func (t *TrustedIssuer) validate() error {
	switch {
	case t.Issuer == "":
		return fmt.Errorf("%w: a TrustedIssuer without Issuer", ErrConfig)
	case t.Keys == nil:
		return fmt.Errorf("%w: trusted issuer %q has no Keys", ErrConfig, truncate(t.Issuer))
	}
	if err := t.Keys.usable(); err != nil {
		return fmt.Errorf("%w: trusted issuer %q: %w", ErrConfig, truncate(t.Issuer), err)
	}
	if _, ok := t.Keys.(issuerSource); ok {
		return fmt.Errorf("%w: trusted issuer %q: its Keys choose by issuer themselves; give each issuer its own keys", ErrConfig, truncate(t.Issuer))
	}
	if slices.Contains(t.Audience, "") {
		return fmt.Errorf("%w: trusted issuer %q: empty audience", ErrConfig, truncate(t.Issuer))
	}
	for i, typ := range t.HeaderTypes {
		if t.HeaderTypes[i] = withoutApplication(typ); t.HeaderTypes[i] == "" {
			return fmt.Errorf("%w: trusted issuer %q: empty header type", ErrConfig, truncate(t.Issuer))
		}
	}
	return nil
}

// clone returns a copy that shares no slice with t.
func (t TrustedIssuer) clone() TrustedIssuer {
	t.Audience = slices.Clone(t.Audience)
	t.Algorithms = slices.Clone(t.Algorithms)
	t.HeaderTypes = slices.Clone(t.HeaderTypes)
	return t
}

// IssuerSet is a [VerificationKeys] for tokens of several issuers, each
// with its own keys, audiences and algorithms: several identity providers,
// or a provider and other services, trusted by one Verifier.
//
// The Verifier reads the token's iss before any key is touched, with the
// strict scanner it decodes claims with, after the size limit: a token
// whose iss names no issuer of the set is refused with [ErrIssuer], and
// its signature is never checked. The key is then chosen among the keys of
// that issuer only, so a key of one issuer never verifies a token claiming
// another, even when both publish keys with the same kid. Once the
// signature has verified, iss is checked again, now authentic, and aud
// against that issuer's audiences. No URL is ever taken from the token:
// the issuers and their keys are the ones configured.
//
// A Verifier built on an IssuerSet takes no [WithIssuer]; its
// [WithAudience] is the default for issuers without Audience. An IssuerSet
// is immutable and safe for concurrent use.
type IssuerSet struct {
	byIssuer map[string]*TrustedIssuer
}

// NewIssuerSet builds an IssuerSet of issuers. It refuses an empty set,
// two entries for one issuer, and entries without Issuer or Keys.
func NewIssuerSet(issuers ...TrustedIssuer) (*IssuerSet, error) {
	if len(issuers) == 0 {
		return nil, fmt.Errorf("%w: an IssuerSet needs at least one issuer", ErrConfig)
	}
	s := &IssuerSet{byIssuer: make(map[string]*TrustedIssuer, len(issuers))}
	for _, t := range issuers {
		t = t.clone()
		if err := t.validate(); err != nil {
			return nil, err
		}
		if _, dup := s.byIssuer[t.Issuer]; dup {
			return nil, fmt.Errorf("%w: issuer %q given twice", ErrConfig, truncate(t.Issuer))
		}
		s.byIssuer[t.Issuer] = &t
	}
	return s, nil
}

// Issuers returns the issuers of the set, in no particular order.
func (s *IssuerSet) Issuers() []string {
	out := make([]string, 0, len(s.byIssuer))
	for iss := range s.byIssuer {
		out = append(out, iss)
	}
	return out
}

func (s *IssuerSet) trusted(_ context.Context, iss string) (*TrustedIssuer, error) {
	if t, ok := s.byIssuer[iss]; ok {
		return t, nil
	}
	return nil, errUnknownIssuer(iss)
}

func (s *IssuerSet) each(f func(*TrustedIssuer) error) error {
	for _, t := range s.byIssuer {
		if err := f(t); err != nil {
			return err
		}
	}
	return nil
}

// errUnknownIssuer refuses a token whose iss no configured issuer has.
func errUnknownIssuer(iss string) error {
	if iss == "" {
		return &ClaimError{Claim: "iss", Err: fmt.Errorf("%w: the token has no iss, and the verifier chooses keys by issuer", ErrIssuer)}
	}
	return &ClaimError{Claim: "iss", Err: fmt.Errorf("%w: %q is not a trusted issuer (its signature was not checked): add it to the IssuerSet, or check the iss the provider writes", ErrIssuer, truncate(iss))}
}

func (s *IssuerSet) verificationKey(context.Context, []byte, bool, []byte) (*Key, error) {
	return nil, fmt.Errorf("%w: an IssuerSet chooses keys by issuer", ErrKeyNotFound)
}

func (s *IssuerSet) algorithms() []Algorithm { return nil }

func (s *IssuerSet) usable() error {
	if s == nil || s.byIssuer == nil {
		return fmt.Errorf("%w: nil or zero IssuerSet; build it with NewIssuerSet", ErrKey)
	}
	return nil
}

// issuerSource is a VerificationKeys that chooses the keys by the token's
// iss: IssuerSet and IssuerResolver.
type issuerSource interface {
	VerificationKeys
	// trusted returns the issuer iss, or an error wrapping ErrIssuer (or
	// ErrJWKS when it cannot be told now).
	trusted(ctx context.Context, iss string) (*TrustedIssuer, error)
}

// trust is what one token is checked against: the keys, and the iss, aud,
// algorithms and header types they come with.
type trust struct {
	keys       VerificationKeys
	issuer     string
	audience   []string
	algorithms []Algorithm
	types      []string // profile header types; nil: the verifier's
}

// trustFor returns what the token is checked against: the Verifier's own
// settings, or, with an issuerSource, those of the issuer the token's iss
// names, read from the payload before the signature is checked. It then
// returns the decoded payload too, so that it is decoded once.
func (v *Verifier[U, C]) trustFor(ctx context.Context, tok compactToken) (trust, []byte, error) {
	src, ok := v.keys.(issuerSource)
	if !ok {
		return trust{keys: v.keys, issuer: v.cfg.issuer, audience: v.cfg.audience, algorithms: v.cfg.algorithms}, nil, nil
	}
	payload, err := v.compact.decode(nil, tok.payload, "payload")
	if err != nil {
		return trust{}, nil, err
	}
	iss, err := unverifiedIssuer(payload)
	if err != nil {
		return trust{}, nil, err
	}
	t, err := src.trusted(ctx, iss)
	if err != nil {
		return trust{}, nil, err
	}
	if _, static := src.(*IssuerSet); !static {
		if err := v.checkTrusted(t); err != nil { // checked at NewVerifier for a set
			return trust{}, nil, err
		}
	}
	tr := trust{keys: t.Keys, issuer: t.Issuer, audience: t.Audience, algorithms: v.cfg.algorithms, types: t.HeaderTypes}
	if len(tr.audience) == 0 {
		tr.audience = v.cfg.audience
	}
	if len(t.Algorithms) > 0 {
		tr.algorithms = t.Algorithms
	}
	return tr, payload, nil
}

// unverifiedIssuer reads iss from a payload whose signature has not been
// checked yet, with the scanner that decodes verified claims: one JSON
// object, no duplicate names, bounded depth. Only the choice of keys
// depends on it.
func unverifiedIssuer(payload []byte) (string, error) {
	var iss []byte
	err := jsonobj.Object(payload, maxClaimsDepth, func(name, value []byte) error {
		if string(name) != "iss" {
			return nil
		}
		s, err := jsonobj.String(value)
		if err != nil {
			return &ClaimError{Claim: "iss", Err: malformed("iss is not a string")}
		}
		iss = s
		return nil
	})
	if err != nil {
		return "", claimsScanError(err)
	}
	return string(iss), nil
}

// claimsScanError is the error of a scan of claims whose callback refuses
// a member with a *ClaimError: that error, or the scanner's refusal in
// jwtx's words.
func claimsScanError(err error) error {
	var ce *ClaimError
	if errors.As(err, &ce) {
		return err
	}
	return jsonMalformed("claims", err)
}

// checkIssuers checks the settings of a Verifier on an issuerSource: no
// WithIssuer, and under the profile an audience for every issuer.
func (v *Verifier[U, C]) checkIssuers() error {
	src, ok := v.keys.(issuerSource)
	if !ok {
		return nil
	}
	if v.cfg.issuer != "" {
		return fmt.Errorf("%w: WithIssuer with an IssuerSet or IssuerResolver: the set names the issuers", ErrConfig)
	}
	set, ok := src.(*IssuerSet)
	if !ok {
		return nil
	}
	return set.each(func(t *TrustedIssuer) error { return v.checkTrusted(t) })
}

// checkTrusted checks one trusted issuer against the Verifier's settings.
func (v *Verifier[U, C]) checkTrusted(t *TrustedIssuer) error {
	if !v.cfg.profile && len(t.HeaderTypes) > 0 {
		return fmt.Errorf("%w: trusted issuer %q: HeaderTypes needs WithAccessTokenProfile", ErrConfig, truncate(t.Issuer))
	}
	if v.cfg.profile && len(t.Audience) == 0 && len(v.cfg.audience) == 0 {
		return fmt.Errorf("%w: trusted issuer %q has no Audience and the verifier no WithAudience: RFC 9068 access tokens must be checked for this service's audience", ErrConfig, truncate(t.Issuer))
	}
	return nil
}
