package jwtx

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// decodeClaims decodes a verified payload into c in one pass of the strict
// scanner: registered claims are decoded here, with their JSON types
// checked; members that are fields of the claims type are collected into a
// smaller object for encoding/json; other members are left to RawClaims.
func decodeClaims[C Claims](payload []byte, names *claimNames, numericSubject bool, c *C) error {
	r := registeredOf(c)
	var rest []byte
	err := jsonobj.Object(payload, maxClaimsDepth, func(name, value []byte) error {
		if numericSubject && string(name) == "sub" && value[0] != '"' {
			s, err := integerSubject(value)
			if err != nil {
				return &ClaimError{Claim: "sub", Err: err}
			}
			r.Subject = s
			return nil
		}
		if handled, err := decodeRegistered(r, name, value); handled {
			if err != nil {
				return &ClaimError{Claim: string(name), Err: err}
			}
			return nil
		}
		if err := names.checkName(name); err != nil {
			return err
		}
		if _, ok := names.exact[string(name)]; !ok {
			return nil
		}
		if s := names.nested[string(name)]; s != nil {
			if err := s.check(value, append([]byte(nil), name...)); err != nil {
				return err
			}
		}
		if rest == nil {
			rest = make([]byte, 0, len(payload))
			rest = append(rest, '{')
		} else {
			rest = append(rest, ',')
		}
		rest = appendString(rest, name)
		rest = append(rest, ':')
		rest = append(rest, value...)
		return nil
	})
	if err != nil {
		var ce *ClaimError
		if errors.As(err, &ce) {
			return err
		}
		return jsonMalformed("claims", err)
	}
	if names.whole {
		// A self-decoding type sees every member, but the registered
		// claims stay as the strict decoder read them.
		registered := *r
		err := unmarshalClaims(payload, c)
		*r = registered
		return err
	}
	if rest == nil {
		return nil
	}
	return unmarshalClaims(append(rest, '}'), c)
}

// check refuses, inside value, the member names that encoding/json would
// match to a struct field of s only under case folding (see checkName).
// Values of another JSON type than s expects are left to encoding/json,
// which refuses them. path names value in errors; the walk extends it in
// place as it descends.
func (s *shape) check(value, path []byte) error {
	switch {
	case s.kind == listShape && value[0] == '[':
		i := 0
		return jsonobj.Array(value, maxClaimsDepth, func(elem []byte) error {
			p := strconv.AppendInt(append(path, '['), int64(i), 10)
			i++
			return s.elem.check(elem, append(p, ']'))
		})
	case s.kind == mapShape && value[0] == '{':
		return jsonobj.Object(value, maxClaimsDepth, func(name, v []byte) error {
			return s.elem.check(v, append(append(path, '.'), name...))
		})
	case s.kind == structShape && value[0] == '{':
		return jsonobj.Object(value, maxClaimsDepth, func(name, v []byte) error {
			p := append(append(path, '.'), name...)
			field, ok := s.fields[string(name)]
			switch {
			case ok && field != nil:
				return field.check(v, p)
			case !ok:
				if f, ok := foldMatch(s.names, name); ok {
					return caseVariantError(p, f)
				}
			}
			return nil
		})
	}
	return nil
}

// unmarshalClaims decodes members of the claims type with encoding/json.
func unmarshalClaims[C Claims](b []byte, c *C) error {
	if err := json.Unmarshal(b, c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return &ClaimError{Claim: truncate(te.Field), Err: malformed("%v", err)}
		}
		return malformed("claims: %v", err)
	}
	return nil
}

// decodeRegistered decodes a registered claim into r. It reports whether
// name is a registered claim and, if so, whether its value was acceptable.
func decodeRegistered(r *RegisteredClaims, name, value []byte) (bool, error) {
	var err error
	switch string(name) {
	case "iss":
		r.Issuer, err = stringClaim(value)
	case "sub":
		r.Subject, err = stringClaim(value)
	case "jti":
		r.ID, err = stringClaim(value)
	case "csrf":
		r.CSRF, err = stringClaim(value)
	case "fam":
		r.Family, err = stringClaim(value)
	case "type":
		var s string
		s, err = stringClaim(value)
		r.Type = TokenType(s)
	case "aud":
		r.Audience, err = audienceClaim(value)
	case "exp":
		r.ExpiresAt.Time, err = dateClaim(value)
	case "nbf":
		r.NotBefore.Time, err = dateClaim(value)
	case "iat":
		r.IssuedAt.Time, err = dateClaim(value)
	case "fresh":
		if err = r.Fresh.UnmarshalJSON(value); err != nil {
			err = malformed("%v", err)
		}
	default:
		return false, nil
	}
	return true, err
}

// integerSubject reads a subject written as a JSON integer, as Flask writes
// an integer identity, in its decimal form.
func integerSubject(value []byte) (string, error) {
	n, err := strconv.ParseInt(string(value), 10, 64)
	if err != nil {
		return "", malformed("sub is neither a string nor an integer")
	}
	return strconv.FormatInt(n, 10), nil
}

func stringClaim(value []byte) (string, error) {
	s, err := jsonobj.String(value)
	if err != nil {
		return "", malformed("not a string")
	}
	return string(s), nil
}

func dateClaim(value []byte) (time.Time, error) {
	t, err := parseNumericDate(value)
	if err != nil {
		return time.Time{}, malformed("%v", err)
	}
	return t, nil
}

// audienceClaim decodes a string or an array of strings. value is valid
// JSON, checked by the scanner.
func audienceClaim(value []byte) (Audience, error) {
	if value[0] == '"' {
		s, err := stringClaim(value)
		if err != nil {
			return nil, err
		}
		return Audience{s}, nil
	}
	if value[0] != '[' {
		return nil, malformed("%v", errAudienceType)
	}
	aud := Audience{}
	i := skipSpace(value, 1)
	if value[i] == ']' {
		return aud, nil
	}
	for {
		if value[i] != '"' {
			return nil, malformed("%v", errAudienceType)
		}
		end := i + 1
		for value[end] != '"' {
			if value[end] == '\\' {
				end++
			}
			end++
		}
		s, err := stringClaim(value[i : end+1])
		if err != nil {
			return nil, err
		}
		aud = append(aud, s)
		i = skipSpace(value, end+1)
		if value[i] == ']' {
			return aud, nil
		}
		i = skipSpace(value, i+1) // past the comma
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
