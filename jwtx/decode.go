package jwtx

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"time"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// decodeClaims decodes a verified payload into c in one pass of the strict
// scanner: registered claims are decoded here, with their JSON types
// checked; members that are fields of the claims type with a plan are
// decoded by it; the other members of the claims type are collected into a
// smaller object for encoding/json; other members are left to RawClaims.
// src holds the same bytes as payload: the claims' strings are substrings
// of it.
func decodeClaims[C Claims](payload []byte, src string, names *claimNames, numericSubject bool, c *C) error {
	var buf [24]jsonobj.Member
	members, err := jsonobj.Members(payload, maxClaimsDepth, buf[:0])
	if err != nil {
		return jsonMalformed("claims", err)
	}
	d := claimDecoder{data: payload, src: src, knownAt: -1}
	r := registeredOf(c)
	var fields reflect.Value // *c, once a plan needs it
	var rest []byte
	for _, m := range members {
		name := m.Name
		d.knownAt, d.known = m.Start, m.Elems
		if handled, err := d.registeredMember(r, m, numericSubject); handled {
			if err != nil {
				return err
			}
			continue
		}
		f, ok := names.exact[string(name)]
		if !ok {
			// A name that equals one of C's only under case folding is
			// ambiguous: encoding/json would decode it into that field
			// (its matching is case-insensitive), although for every
			// other JSON reader it is a different claim.
			if s, ok := foldMatch(names.list, name); ok {
				return caseVariantError(name, s)
			}
			continue
		}
		if f.plan != nil {
			if !fields.IsValid() {
				fields = reflect.ValueOf(c).Elem()
			}
			if _, err := d.value(f.plan, fields.Field(f.index), m.Start); err != nil {
				return claimError(err, string(name), names.typeName)
			}
			continue
		}
		value := payload[m.Start:m.End]
		if f.shape != nil {
			if err := f.shape.check(value, append([]byte(nil), name...)); err != nil {
				return err
			}
		}
		rest = appendMember(rest, len(payload), name, value)
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

// registeredMember decodes member m into r when it is a registered claim
// (or, with numericSubject, an integer sub), and reports whether it was.
func (d *claimDecoder) registeredMember(r *RegisteredClaims, m jsonobj.Member, numericSubject bool) (bool, error) {
	if numericSubject && string(m.Name) == "sub" && d.data[m.Start] != '"' {
		s, err := integerSubject(d.data[m.Start:m.End])
		if err != nil {
			return true, &ClaimError{Claim: "sub", Err: err}
		}
		r.Subject = s
		return true, nil
	}
	handled, err := d.registered(r, m.Name, m.Start, m.End)
	if handled && err != nil {
		return true, &ClaimError{Claim: string(m.Name), Err: err}
	}
	return handled, nil
}

// appendMember adds "name":value to the JSON object being built in rest
// (opening it, sized for n bytes, on the first member).
func appendMember(rest []byte, n int, name, value []byte) []byte {
	if rest == nil {
		rest = make([]byte, 0, n)
		rest = append(rest, '{')
	} else {
		rest = append(rest, ',')
	}
	rest = appendString(rest, name)
	rest = append(rest, ':')
	return append(rest, value...)
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

// registered decodes a registered claim, the member name whose value is
// data[start:end], into r. It reports whether name is a registered claim
// and, if so, whether its value was acceptable.
func (d *claimDecoder) registered(r *RegisteredClaims, name []byte, start, end int) (bool, error) {
	var err error
	switch string(name) {
	case "iss":
		r.Issuer, err = d.stringClaim(start)
	case "sub":
		r.Subject, err = d.stringClaim(start)
	case "jti":
		r.ID, err = d.stringClaim(start)
	case "csrf":
		r.CSRF, err = d.stringClaim(start)
	case "fam":
		r.Family, err = d.stringClaim(start)
	case "type":
		var s string
		s, err = d.stringClaim(start)
		r.Type = TokenType(s)
	case "aud":
		r.Audience, err = d.audience(start)
	case "exp":
		r.ExpiresAt.Time, err = dateClaim(d.data[start:end])
	case "nbf":
		r.NotBefore.Time, err = dateClaim(d.data[start:end])
	case "iat":
		r.IssuedAt.Time, err = dateClaim(d.data[start:end])
	case "fresh":
		if err = r.Fresh.UnmarshalJSON(d.data[start:end]); err != nil {
			err = malformed("%v", err)
		}
	default:
		return false, nil
	}
	return true, err
}

// decodeRegistered decodes a registered claim, name with the raw value
// value (valid JSON, as the scanner passes it), into r, as registered
// does for a whole payload.
func decodeRegistered(r *RegisteredClaims, name, value []byte) (bool, error) {
	d := claimDecoder{data: value, src: string(value), knownAt: -1}
	return d.registered(r, name, 0, len(value))
}

// stringClaim decodes a raw JSON string value.
func stringClaim(value []byte) (string, error) {
	s, err := jsonobj.String(value)
	if err != nil {
		return "", malformed("not a string")
	}
	return string(s), nil
}

// stringClaim decodes the string at data[i].
func (d *claimDecoder) stringClaim(i int) (string, error) {
	if d.data[i] != '"' {
		return "", malformed("not a string")
	}
	s, _ := d.str(i)
	return s, nil
}

// audience decodes the aud claim at data[i]: a string or an array of
// strings.
func (d *claimDecoder) audience(i int) (Audience, error) {
	switch d.data[i] {
	case '"':
		s, _ := d.str(i)
		return Audience{s}, nil
	case '[':
	default:
		return nil, malformed("%v", errAudienceType)
	}
	aud := make(Audience, d.count(i))
	i = jsonobj.SkipSpace(d.data, i+1)
	for k := range aud {
		if d.data[i] != '"' {
			return nil, malformed("%v", errAudienceType)
		}
		aud[k], i = d.str(i)
		i = jsonobj.SkipSpace(d.data, jsonobj.SkipSpace(d.data, i)+1) // past the comma
	}
	return aud, nil
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

func dateClaim(value []byte) (time.Time, error) {
	t, err := parseNumericDate(value)
	if err != nil {
		return time.Time{}, malformed("%v", err)
	}
	return t, nil
}
