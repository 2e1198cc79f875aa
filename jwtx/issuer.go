package jwtx

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// Default token lifetimes.
const (
	DefaultAccessTTL  = 15 * time.Minute
	DefaultRefreshTTL = 30 * 24 * time.Hour
)

// Issuer mints access and refresh tokens for users. U is the application's
// user type and C its claims type, a struct embedding [RegisteredClaims].
//
// For each token the user goes through the IdentityFunc (the subject) and,
// for access tokens, the ClaimsFunc (the typed claims) once; a pair calls
// each once for both tokens. The Issuer then sets the claims it owns: sub,
// type, jti (128 random bits), iat, nbf, exp, fresh (access tokens), and
// csrf, fam, iss and aud when configured. The header carries alg, the key's kid, and typ
// "at+jwt" (RFC 9068) or "refresh+jwt".
//
// An Issuer is immutable and safe for concurrent use.
type Issuer[U any, C Claims] struct {
	key      SigningKey
	cfg      issuerConfig
	identity IdentityFunc[U]
	claims   ClaimsFunc[U, C]
	names    claimNames
	enc      claimsEncoder
	headers  atomic.Pointer[headerSegments] // of the key signed with last
}

// headerSegments are the encoded headers for one key.
type headerSegments struct {
	key             *Key
	access, refresh string
}

// NewIssuer builds an Issuer that signs with key. Options configure the
// rest; see [IssuerOption] and [Option]. It needs a [WithIdentity] for U
// unless U is string.
func NewIssuer[U any, C Claims](key SigningKey, opts ...IssuerOption) (*Issuer[U, C], error) {
	if key == nil {
		return nil, fmt.Errorf("%w: no signing key: pass a *Key with private or secret material, or a KeyRing", ErrConfig)
	}
	if _, err := key.signingKey(); err != nil {
		return nil, err
	}
	i := &Issuer[U, C]{key: key, cfg: issuerConfig{
		shared:     defaultShared(),
		accessTTL:  DefaultAccessTTL,
		refreshTTL: DefaultRefreshTTL,
		random:     rand.Reader,
	}}
	if err := applyOptions(opts, func(o IssuerOption) error { return o.applyIssuer(&i.cfg) }); err != nil {
		return nil, err
	}
	names, err := inspectClaims[C]()
	if err != nil {
		return nil, err
	}
	i.names = names
	i.enc = newClaimsEncoder[C]()
	switch f := i.cfg.identity.(type) {
	case IdentityFunc[U]:
		i.identity = f
	case nil:
		if _, ok := any(*new(U)).(string); !ok {
			return nil, fmt.Errorf("%w: an issuer for user type %T needs WithIdentity to turn a user into its subject (or use string as the user type)", ErrConfig, *new(U))
		}
		i.identity = func(u U) (string, error) { return any(u).(string), nil }
	default:
		return nil, fmt.Errorf("%w: WithIdentity takes %T, the issuer's user type is %T", ErrConfig, f, *new(U))
	}
	if k, err := key.signingKey(); err == nil {
		if _, err := i.headerFor(k); err != nil {
			return nil, err
		}
	}
	if i.cfg.claims != nil {
		f, ok := i.cfg.claims.(ClaimsFunc[U, C])
		if !ok {
			return nil, fmt.Errorf("%w: WithClaims builds from %T, the issuer needs ClaimsFunc[%T, %T]", ErrConfig, i.cfg.claims, *new(U), *new(C))
		}
		i.claims = f
	}
	return i, nil
}

// Access issues an access token for user.
func (i *Issuer[U, C]) Access(ctx context.Context, user U, opts ...IssueOption) (Token, error) {
	ic, err := issueConfigOf(opts)
	if err != nil {
		return Token{}, err
	}
	sub, c, err := i.load(ctx, user, true)
	if err != nil {
		return Token{}, err
	}
	return i.mint(sub, c, Access, ic)
}

// Refresh issues a refresh token for user. Per-call options apply as for an
// access token, except that [AsFresh] and [FreshFor] have no effect on it,
// and [ExtraClaims] and [Issuer.Modify] only with [WithRefreshClaims].
func (i *Issuer[U, C]) Refresh(ctx context.Context, user U, opts ...IssueOption) (Token, error) {
	ic, err := issueConfigOf(opts)
	if err != nil {
		return Token{}, err
	}
	sub, c, err := i.load(ctx, user, i.cfg.refreshClaims)
	if err != nil {
		return Token{}, err
	}
	started, err := i.startFamily(&ic)
	if err != nil {
		return Token{}, err
	}
	if !i.cfg.refreshClaims {
		ic.extra, ic.modifiers = nil, nil
	}
	tok, err := i.mint(sub, c, Refresh, ic)
	if err != nil {
		return Token{}, err
	}
	if err := i.register(ctx, started, tok); err != nil {
		return Token{}, err
	}
	return tok, nil
}

// Pair issues an access token and a refresh token for user, calling the
// IdentityFunc and ClaimsFunc once for both. Per-call options apply to the
// access token; the refresh token takes from them only the audience and the
// csrf choice, plus the claims when [WithRefreshClaims] is on.
func (i *Issuer[U, C]) Pair(ctx context.Context, user U, opts ...IssueOption) (TokenPair, error) {
	ic, err := issueConfigOf(opts)
	if err != nil {
		return TokenPair{}, err
	}
	sub, c, err := i.load(ctx, user, true)
	if err != nil {
		return TokenPair{}, err
	}
	started, err := i.startFamily(&ic)
	if err != nil {
		return TokenPair{}, err
	}
	access, err := i.mint(sub, c, Access, ic)
	if err != nil {
		return TokenPair{}, err
	}
	if !i.cfg.refreshClaims {
		c = *new(C)
	}
	refresh, err := i.mint(sub, c, Refresh, i.refreshConfig(ic))
	if err != nil {
		return TokenPair{}, err
	}
	if err := i.register(ctx, started, refresh); err != nil {
		return TokenPair{}, err
	}
	return TokenPair{Access: access, Refresh: refresh}, nil
}

func issueConfigOf(opts []IssueOption) (issueConfig, error) {
	if len(opts) == 0 {
		return issueConfig{}, nil
	}
	var ic issueConfig
	if err := applyOptions(opts, func(o IssueOption) error { return o.applyIssue(&ic) }); err != nil {
		return issueConfig{}, err
	}
	return ic, nil
}

// refreshConfig keeps what applies to a refresh token.
func (i *Issuer[U, C]) refreshConfig(ic issueConfig) issueConfig {
	rc := issueConfig{audience: ic.audience, csrf: ic.csrf, family: ic.family}
	if i.cfg.refreshClaims {
		rc.extra, rc.modifiers = ic.extra, ic.modifiers
	}
	return rc
}

// startFamily gives the tokens of a new login a new family, unless InFamily
// continues one, and reports whether it did.
func (i *Issuer[U, C]) startFamily(ic *issueConfig) (bool, error) {
	if !i.cfg.families || ic.family != "" {
		return false, nil
	}
	id, err := i.randomID()
	if err != nil {
		return false, err
	}
	ic.family = id
	return true, nil
}

// register starts the family of refresh, the first token of a new family,
// in the rotation store.
func (i *Issuer[U, C]) register(ctx context.Context, started bool, refresh Token) error {
	if !started || i.cfg.rotation == nil {
		return nil
	}
	if err := i.cfg.rotation.Start(ctx, refresh.Info()); err != nil {
		return fmt.Errorf("%w: starting the refresh family: %w", ErrRevocationUnavailable, err)
	}
	return nil
}

// randomID returns 128 random bits, base64url-encoded.
func (i *Issuer[U, C]) randomID() (string, error) {
	var b [16]byte
	if i.cfg.random == rand.Reader {
		rand.Read(b[:]) // never fails
	} else {
		// Through a buffer of its own: b would escape to any Reader.
		r := make([]byte, len(b))
		if _, err := io.ReadFull(i.cfg.random, r); err != nil {
			return "", fmt.Errorf("jwtx: random source: %w", err)
		}
		copy(b[:], r)
	}
	var id [22]byte
	base64.RawURLEncoding.Encode(id[:], b[:])
	return string(id[:]), nil
}

// load runs the IdentityFunc and, when withClaims, the ClaimsFunc.
func (i *Issuer[U, C]) load(ctx context.Context, user U, withClaims bool) (string, C, error) {
	var c C
	sub, err := i.identity(user)
	if err != nil {
		return "", c, fmt.Errorf("%w: %w", ErrIdentity, err)
	}
	if sub == "" {
		return "", c, fmt.Errorf("%w: the IdentityFunc returned an empty subject", ErrIdentity)
	}
	if withClaims && i.claims != nil {
		if c, err = i.claims(ctx, user); err != nil {
			return "", *new(C), fmt.Errorf("jwtx: ClaimsFunc: %w", err)
		}
	}
	return sub, c, nil
}

// mint sets the issuer-owned claims on c and signs the token. The
// registered claims are worked on in a copy, r, so that c stays on the
// stack: only the Modify functions, which take a pointer, get a copy of c
// of their own.
func (i *Issuer[U, C]) mint(sub string, c C, typ TokenType, ic issueConfig) (Token, error) {
	if len(ic.modifiers) > 0 {
		p := ptrTo(c)
		for _, m := range ic.modifiers {
			if err := m(p); err != nil {
				return Token{}, err
			}
		}
		c = *p
	}
	r := c.registered()
	if err := i.checkReserved(&r); err != nil {
		return Token{}, err
	}
	key, err := i.key.signingKey()
	if err != nil {
		return Token{}, err
	}
	if err := i.own(&r, sub, typ, ic); err != nil {
		return Token{}, err
	}
	var buf [512]byte
	payload, err := encodeClaims(&i.enc, buf[:0], &c, &r, typ == Refresh && !i.cfg.refreshClaims)
	if err != nil {
		return Token{}, notVerifiable(err)
	}
	if len(ic.extra) > 0 {
		m, err := i.mergeExtra(slices.Clone(payload), ic.extra, ic.audience != nil)
		if err != nil {
			return Token{}, err
		}
		payload, r = m.payload, (*m.claims).registered()
	}
	raw, err := i.sign(key, typ, payload)
	if err != nil {
		return Token{}, err
	}
	return Token{
		Raw:       raw,
		Type:      r.Type,
		ID:        r.ID,
		Subject:   r.Subject,
		IssuedAt:  r.IssuedAt.Time,
		ExpiresAt: r.ExpiresAt.Time,
		CSRF:      r.CSRF,
		Family:    r.Family,
	}, nil
}

// own sets the claims the Issuer owns on r: sub, type, jti, iat, nbf, exp,
// iss, aud, fresh, csrf and fam. checkReserved let through only the
// reserved claims AllowOverride names, so a claim already set keeps its
// value.
func (i *Issuer[U, C]) own(r *RegisteredClaims, sub string, typ TokenType, ic issueConfig) error {
	now := NewNumericDate(i.cfg.clock.Now())
	if r.Subject == "" {
		r.Subject = sub
	}
	if r.Type == "" {
		r.Type = typ
	}
	if r.ID == "" {
		id, err := i.randomID()
		if err != nil {
			return err
		}
		r.ID = id
	}
	if r.IssuedAt.IsZero() {
		r.IssuedAt = now
	}
	if r.NotBefore.IsZero() {
		r.NotBefore = now
	}
	if r.ExpiresAt.IsZero() {
		exp, err := i.expiry(now.Time, typ, ic)
		if err != nil {
			return err
		}
		r.ExpiresAt = exp
	}
	if r.Issuer == "" {
		r.Issuer = i.cfg.issuer
	}
	switch {
	case ic.audience != nil:
		r.Audience = ic.audience
	case r.Audience == nil && i.cfg.audience != nil:
		r.Audience = i.cfg.audience
	}
	if typ == Access && r.Fresh.IsZero() {
		r.Fresh = freshness(now, ic)
	}
	if ic.family != "" && r.Family == "" {
		r.Family = ic.family
	}
	return i.ownCSRF(r, ic)
}

// freshness is the fresh claim of an access token issued at now.
func freshness(now NumericDate, ic issueConfig) Fresh {
	switch {
	case ic.freshFor > 0:
		return FreshUntil(now.Add(ic.freshFor))
	case !ic.fresh.IsZero():
		return ic.fresh
	}
	return FreshFlag(false)
}

// ownCSRF sets a random csrf claim when the token carries one.
func (i *Issuer[U, C]) ownCSRF(r *RegisteredClaims, ic issueConfig) error {
	csrf := i.cfg.csrf
	if ic.csrf != nil {
		csrf = *ic.csrf
	}
	if !csrf || r.CSRF != "" {
		return nil
	}
	v, err := i.randomID()
	if err != nil {
		return err
	}
	r.CSRF = v
	return nil
}

// notVerifiable reports claims that encoding/json cannot encode, or that
// would make a token this package's verifier refuses, saying which rule
// they break.
func notVerifiable(err error) error {
	var why string
	switch {
	case errors.Is(err, jsonobj.ErrEncoding):
		why = "a string in them holds U+0000 or bytes that are not UTF-8; remove them"
	case errors.Is(err, jsonobj.ErrDepth):
		why = fmt.Sprintf("they nest deeper than %d levels; flatten them", maxClaimsDepth)
	case errors.Is(err, jsonobj.ErrDuplicate):
		why = "two members of one object have names equal under case folding; rename one (a field's JSON name or a MarshalJSON method)"
	case errors.Is(err, jsonobj.ErrSyntax):
		why = "a MarshalJSON method writes JSON the verifier refuses; make it write one plain JSON value"
	default:
		return fmt.Errorf("jwtx: encode claims: %w", err)
	}
	return fmt.Errorf("%w: the claims would not verify: %s", ErrMalformed, why)
}

func (i *Issuer[U, C]) expiry(now time.Time, typ TokenType, ic issueConfig) (NumericDate, error) {
	switch {
	case ic.neverExpires:
		if !i.cfg.expiryOptional {
			return NumericDate{}, fmt.Errorf("%w: NeverExpires needs an issuer built with WithExpiryRequired(false)", ErrConfig)
		}
		return NumericDate{}, nil
	case !ic.expiresAt.IsZero():
		return NewNumericDate(ic.expiresAt), nil
	case ic.expiresIn > 0:
		return NewNumericDate(now.Add(ic.expiresIn)), nil
	case typ == Refresh:
		return NewNumericDate(now.Add(i.cfg.refreshTTL)), nil
	}
	return NewNumericDate(now.Add(i.cfg.accessTTL)), nil
}

// checkReserved refuses reserved claims set by ClaimsFunc or Modify
// without AllowOverride.
func (i *Issuer[U, C]) checkReserved(r *RegisteredClaims) error {
	for _, f := range []struct {
		claim string
		set   bool
	}{
		{"sub", r.Subject != ""},
		{"exp", !r.ExpiresAt.IsZero()},
		{"iat", !r.IssuedAt.IsZero()},
		{"nbf", !r.NotBefore.IsZero()},
		{"jti", r.ID != ""},
		{"type", r.Type != ""},
		{"fresh", !r.Fresh.IsZero()},
		{"csrf", r.CSRF != ""},
		{"fam", r.Family != ""},
	} {
		if f.set && !i.cfg.overrides[f.claim] {
			return &ClaimError{Claim: f.claim, Err: ErrReservedClaim}
		}
	}
	return nil
}

// mergedClaims is a payload with extra claims, and its claims as the verifier
// decodes them.
type mergedClaims[C Claims] struct {
	payload []byte
	claims  *C
}

// mergeExtra lays extra claims over the encoded claims, checks that the
// result passes the verifier's own decoding (one JSON object, no names
// equal under case folding, registered claims of the right types, members
// that fit C), and returns it with its decoded claims.
func (i *Issuer[U, C]) mergeExtra(payload []byte, extra map[string]any, audienceSet bool) (mergedClaims[C], error) {
	var merged map[string]json.RawMessage
	if err := json.Unmarshal(payload, &merged); err != nil {
		return mergedClaims[C]{}, fmt.Errorf("jwtx: encode claims: %w", err)
	}
	for name, v := range extra {
		if reservedClaim(name) && !i.cfg.overrides[name] {
			return mergedClaims[C]{}, &ClaimError{Claim: name, Err: ErrReservedClaim}
		}
		for other := range merged {
			if other != name && strings.EqualFold(other, name) {
				return mergedClaims[C]{}, fmt.Errorf("%w: extra claim %q differs from the claim %q only in case, and claim names must match exactly (a field's JSON name): use %q, or set the field with Modify", ErrConfig, truncate(name), truncate(other), truncate(other))
			}
		}
		if name == "aud" && audienceSet {
			return mergedClaims[C]{}, fmt.Errorf("%w: both ForAudience and an aud in ExtraClaims: set the audience one way", ErrConfig)
		}
		b, err := json.Marshal(v)
		if err != nil {
			return mergedClaims[C]{}, fmt.Errorf("jwtx: extra claim %q: %w", name, err)
		}
		merged[name] = b
	}
	out, err := json.Marshal(merged)
	if err != nil {
		return mergedClaims[C]{}, fmt.Errorf("jwtx: encode claims: %w", err)
	}
	check := new(C)
	if err := decodeClaims(out, string(out), &i.names, false, check); err != nil {
		return mergedClaims[C]{}, fmt.Errorf("%w: extra claims do not fit %T: %w", ErrConfig, *check, err)
	}
	return mergedClaims[C]{payload: out, claims: check}, nil
}

// sign assembles header.payload.signature.
func (i *Issuer[U, C]) sign(key *Key, typ TokenType, payload []byte) (string, error) {
	hs, err := i.headerFor(key)
	if err != nil {
		return "", err
	}
	h := hs.access
	if typ == Refresh {
		h = hs.refresh
	}
	enc := base64.RawURLEncoding
	size := key.k.SignatureSize()
	// One buffer: the token, then room for the raw signature past its end,
	// from where it is encoded into place.
	n := len(h) + 1 + enc.EncodedLen(len(payload))
	total := n + 1 + enc.EncodedLen(size)
	buf := make([]byte, 0, total+size)
	buf = append(buf, h...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	sig, err := key.k.Sign(buf[total:total], buf[:n])
	if err != nil {
		return "", fmt.Errorf("jwtx: %w", err)
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

// headerFor returns the encoded headers for key, kept for the key signed
// with last: one key at a time, or the active key of a KeyRing.
func (i *Issuer[U, C]) headerFor(key *Key) (headerSegments, error) {
	if hs := i.headers.Load(); hs != nil && hs.key == key {
		return *hs, nil
	}
	encode := func(typ string) (string, error) {
		h := maps.Clone(i.cfg.headers)
		if h == nil {
			h = make(map[string]string, 3)
		}
		h["alg"], h["typ"] = string(key.alg), typ
		if key.kid != "" {
			h["kid"] = key.kid
		}
		b, err := json.Marshal(h)
		if err == nil {
			err = jsonobj.ObjectN(b, maxHeaderDepth, maxHeaderMembers, nil)
		}
		if err != nil {
			return "", fmt.Errorf("%w: the header would not verify (at most %d members, no names equal under case folding): %v", ErrConfig, maxHeaderMembers, err)
		}
		seg := base64.RawURLEncoding.EncodeToString(b)
		if len(seg) > maxHeaderSegment {
			return "", fmt.Errorf("%w: the header encodes to %d bytes, over the %d a Verifier reads: drop WithHeader values or move them into the claims", ErrConfig, len(seg), maxHeaderSegment)
		}
		return seg, nil
	}
	hs := headerSegments{key: key}
	var err error
	if hs.access, err = encode(i.cfg.accessTyp); err != nil {
		return headerSegments{}, err
	}
	if hs.refresh, err = encode(i.cfg.refreshTyp); err != nil {
		return headerSegments{}, err
	}
	i.headers.Store(&hs)
	return hs, nil
}
