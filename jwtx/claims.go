package jwtx

import (
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// TokenType is the value of the "type" claim: what a token may be used for.
type TokenType string

// The token types, with the values flask-jwt-extended writes.
const (
	Access  TokenType = "access"
	Refresh TokenType = "refresh"
)

// RegisteredClaims holds the claims the library reads and writes. Embed it,
// by value, in a claims struct of your own:
//
//	type Claims struct {
//		jwtx.RegisteredClaims
//		Roles []string `json:"roles"`
//	}
//
// The wire names follow RFC 7519 and flask-jwt-extended (type, fresh, csrf),
// so tokens travel between a Go service and a Flask one in both directions;
// fam, the refresh-token family, is this library's own (see WithFamilies).
type RegisteredClaims struct {
	Issuer    string      `json:"iss,omitempty"`
	Subject   string      `json:"sub,omitempty"`
	Audience  Audience    `json:"aud,omitempty"`
	ExpiresAt NumericDate `json:"exp,omitzero"`
	NotBefore NumericDate `json:"nbf,omitzero"`
	IssuedAt  NumericDate `json:"iat,omitzero"`
	ID        string      `json:"jti,omitempty"`
	Type      TokenType   `json:"type,omitempty"`
	Fresh     Fresh       `json:"fresh,omitzero"`
	CSRF      string      `json:"csrf,omitempty"`
	Family    string      `json:"fam,omitempty"`
}

func (r RegisteredClaims) registered() RegisteredClaims { return r }

func (r *RegisteredClaims) registeredPtr() *RegisteredClaims { return r }

// Claims is the constraint on claims types: a struct that embeds
// [RegisteredClaims] by value. A type that does not embed it does not
// compile as a type argument, and NewIssuer and NewVerifier refuse one that
// embeds it through a pointer.
//
// Verification decodes the registered claims itself, and the type's own
// fields of common kinds (strings, booleans, numbers, and slices, pointers
// and structs of them) straight from its strict scan of the payload, with
// encoding/json's results and refusals; it hands the members of other
// fields to encoding/json. The strings it decodes share one copy of the
// payload, so a claim kept after the request keeps that copy (at most the
// token's size) alive. A type whose pointer implements [json.Unmarshaler]
// is handed the whole payload instead; the registered claims it ends up
// with are still the ones verification read.
type Claims interface {
	registered() RegisteredClaims
}

// InfoOf returns what the registered claims of c say of the token, for
// code that is generic over the claims type (middleware for other
// frameworks, say).
func InfoOf[C Claims](c C) TokenInfo { return c.registered().Info() }

// registeredOf returns the registered claims embedded in c.
func registeredOf[C Claims](c *C) *RegisteredClaims {
	return any(c).(interface{ registeredPtr() *RegisteredClaims }).registeredPtr()
}

// maxNumericDate is 9999-12-31T23:59:59Z; later dates are refused.
const maxNumericDate = 253402300799

// NumericDate is a time in a JWT: seconds since the epoch as a JSON number
// (RFC 7519 §2). Decoding accepts JSON numbers only, fractions included,
// between -maxNumericDate and 9999-12-31; strings, booleans, null and
// out-of-range numbers are refused, so a value never wraps around. The zero
// NumericDate means absent.
type NumericDate struct {
	time.Time
}

// NewNumericDate returns t as a NumericDate truncated to whole seconds.
func NewNumericDate(t time.Time) NumericDate {
	if t.IsZero() {
		return NumericDate{}
	}
	return NumericDate{time.Unix(t.Unix(), 0).UTC()}
}

// MarshalJSON writes the time as whole seconds, or with a fraction when it
// has one.
func (d NumericDate) MarshalJSON() ([]byte, error) { return appendDate(nil, d), nil }

// errNotNumber is the cause of a NumericDate decoding failure.
var errNotNumber = errors.New("not a number in range")

// UnmarshalJSON accepts a JSON number in range and nothing else.
func (d *NumericDate) UnmarshalJSON(b []byte) error {
	t, err := parseNumericDate(b)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

func parseNumericDate(b []byte) (time.Time, error) {
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return time.Time{}, errNotNumber
	}
	if len(b) <= 12 { // whole seconds, the usual case, without strconv
		var i int64
		for _, c := range b {
			if c < '0' || c > '9' {
				i = -1
				break
			}
			i = i*10 + int64(c-'0')
		}
		if i >= 0 && i <= maxNumericDate {
			return time.Unix(i, 0).UTC(), nil
		}
	}
	if i, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		if i > maxNumericDate || i < -maxNumericDate {
			return time.Time{}, errNotNumber
		}
		return time.Unix(i, 0).UTC(), nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || f > maxNumericDate || f < -maxNumericDate {
		return time.Time{}, errNotNumber
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// Audience is the aud claim: the recipients a token is meant for. On the
// wire it is a single string or an array of strings; one value is written
// as a string. Decoding refuses null and arrays holding anything but strings.
type Audience []string

// MarshalJSON writes one audience as a string and several as an array.
func (a Audience) MarshalJSON() ([]byte, error) { return appendAudience(nil, a), nil }

// errAudienceType is the cause of an Audience decoding failure.
var errAudienceType = errors.New("not a string or an array of strings")

// UnmarshalJSON accepts a string or an array of strings, as the verifier
// decodes aud.
func (a *Audience) UnmarshalJSON(b []byte) error {
	// The value is scanned as the verifier scans a payload: as the member
	// of an object.
	obj := append(append([]byte(`{"aud":`), b...), '}')
	members, err := jsonobj.Members(obj, maxClaimsDepth, nil)
	if err != nil || len(members) != 1 {
		return errAudienceType
	}
	d := claimDecoder{data: obj, src: string(obj), knownAt: -1}
	aud, err := d.audience(members[0].Start)
	if err != nil {
		return err
	}
	*a = aud
	return nil
}

// Contains reports whether aud is one of the audiences, compared exactly.
func (a Audience) Contains(aud string) bool {
	for _, v := range a {
		if v == aud {
			return true
		}
	}
	return false
}

// Fresh is the fresh claim of flask-jwt-extended: absent, a boolean, or a
// NumericDate until which the token counts as fresh. A fresh token proves
// that the user entered a password recently; routes that change passwords or
// e-mail addresses ask for one.
type Fresh struct {
	set   bool
	value bool
	until time.Time
}

// FreshFlag returns a Fresh claim holding a boolean.
func FreshFlag(fresh bool) Fresh { return Fresh{set: true, value: fresh} }

// FreshUntil returns a Fresh claim that is fresh until t.
func FreshUntil(t time.Time) Fresh { return Fresh{set: true, until: t} }

// Equal reports whether f and o are the same claim, so that go-cmp and ==
// agree on Fresh values.
func (f Fresh) Equal(o Fresh) bool {
	return f.set == o.set && f.value == o.value && f.until.Equal(o.until)
}

// IsZero reports whether the claim is absent.
func (f Fresh) IsZero() bool { return !f.set }

// At reports whether the token is fresh at time t.
func (f Fresh) At(t time.Time) bool {
	if !f.until.IsZero() {
		return t.Before(f.until)
	}
	return f.value
}

// Until returns the end of a time-bounded freshness, and false for a
// boolean or absent claim.
func (f Fresh) Until() (time.Time, bool) { return f.until, !f.until.IsZero() }

// MarshalJSON writes a boolean or a NumericDate.
func (f Fresh) MarshalJSON() ([]byte, error) {
	if !f.until.IsZero() {
		return NumericDate{f.until}.MarshalJSON()
	}
	return strconv.AppendBool(nil, f.value), nil
}

// errFreshType is the cause of a Fresh decoding failure.
var errFreshType = errors.New("not a boolean or a number in range")

// UnmarshalJSON accepts true, false or a NumericDate.
func (f *Fresh) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true", "false":
		*f = FreshFlag(b[0] == 't')
		return nil
	}
	t, err := parseNumericDate(b)
	if err != nil {
		return errFreshType
	}
	*f = FreshUntil(t)
	return nil
}
