package jwtx

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/typedjwt/typedjwt/jwtx/internal/ascii"
	"github.com/typedjwt/typedjwt/jwtx/internal/jose"
	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// Limits on the parts of a token: JSON nesting, signature length.
const (
	maxHeaderDepth = 4
	maxClaimsDepth = 32
	maxSignature   = jose.MaxRSABits / 8 // bytes: the largest RSA signature
)

// Limits on the header, which is read before any key vouches for it, so
// that refusing a forged header costs no more than a few HS256
// verifications, and less than refusing any token of the default size limit.
//
// maxHeaderSegment bounds the encoded header: 2 KiB is 1536 bytes of JSON,
// several times a normal header (alg, typ and kid take under 100) and room
// for an embedded RSA-4096 JWK (about 800) with the registered parameters
// and a few of an application's own; it is a quarter of the default token
// size limit. maxHeaderMembers bounds the members of the header's objects,
// counted at every depth: the registered JWS parameters and an embedded
// JWK come to about 20, and at 32 the scan stays within a small multiple of
// verifying an HS256 token. Certificate chains (x5c) do not fit, but jwtx
// ignores them anyway.
const (
	maxHeaderSegment = 2 << 10
	maxHeaderMembers = 32
)

// compactDecoder reads the JWS compact serialization strictly: exactly three
// non-empty segments of unpadded base64url (RFC 7515 §2, §7.1) with no other
// character anywhere, and no non-zero trailing bits.
type compactDecoder struct {
	b64 *base64.Encoding
}

func newCompactDecoder() compactDecoder {
	return compactDecoder{b64: base64.RawURLEncoding.Strict()}
}

// compactToken is a token split into its segments, with its header and
// payload decoded.
type compactToken struct {
	signingInput []byte // header "." payload
	header       []byte
	payload      []byte
	signature    []byte
	// headerJSON and payloadJSON are the decoded header and payload, or
	// nil with headerErr and payloadErr, which the verification reports
	// at the step that reads them.
	headerJSON, payloadJSON []byte
	headerErr, payloadErr   error
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// jsonMalformed refuses part of a token, the header or the claims, that the
// JSON scanner refused with err, saying in jwtx's words what was wrong and
// where.
func jsonMalformed(part string, err error) error {
	var je *jsonobj.Error
	if errors.As(err, &je) {
		return malformed("%s: %s at offset %d", part, je.Reason, je.Offset)
	}
	return malformed("%s: not one JSON object", part)
}

// split cuts token into segments and decodes its header and payload. The
// characters of the header and the payload are checked by their base64url
// decoding, those of the signature against the alphabet; a token that
// fails either is refused by strictSplit, which says where, so that a
// character that does not belong in a compact token is reported first,
// before anything in the header, as if every character had been checked
// beforehand. A header or payload refused for another reason (trailing
// bits, length) is reported when it is read.
func (d compactDecoder) split(token string) (compactToken, error) {
	d1 := strings.IndexByte(token, '.')
	d2 := strings.IndexByte(token[d1+1:], '.') + d1 + 1
	if d1 <= 0 || d2 <= d1+1 || strings.IndexByte(token[d2+1:], '.') >= 0 {
		return compactToken{}, d.strictSplit(token)
	}
	// One allocation: the token's bytes, then its decoded header and
	// payload.
	hn := d.b64.DecodedLen(d1)
	if d1 > maxHeaderSegment {
		hn = 0 // refused by its size, undecoded
	}
	pn := d.b64.DecodedLen(d2 - d1 - 1)
	buf := make([]byte, len(token)+hn+pn)
	raw := buf[:len(token):len(token)]
	copy(raw, token)
	tok := compactToken{
		signingInput: raw[:d2],
		header:       raw[:d1],
		payload:      raw[d1+1 : d2],
		signature:    raw[d2+1:],
	}
	if bytes.IndexByte(tok.signingInput, '\r') >= 0 || bytes.IndexByte(tok.signingInput, '\n') >= 0 || !base64URL(tok.signature) {
		// Line breaks are skipped by the base64 decoder.
		return compactToken{}, d.strictSplit(token)
	}
	if d1 > maxHeaderSegment {
		tok.headerErr = fmt.Errorf("%w: the header is %d bytes encoded, over the limit of %d; put application data in the claims, not the JOSE header",
			ErrTooLarge, d1, maxHeaderSegment)
	} else if n, err := d.b64.Decode(buf[len(token):len(token)+hn], tok.header); err == nil {
		tok.headerJSON = buf[len(token) : len(token)+n : len(token)+n]
	} else {
		tok.headerErr = malformed("header is not strict base64url")
	}
	if n, err := d.b64.Decode(buf[len(token)+hn:], tok.payload); err == nil {
		tok.payloadJSON = buf[len(token)+hn : len(token)+hn+n : len(token)+hn+n]
	} else {
		tok.payloadErr = malformed("payload is not strict base64url")
	}
	if tok.headerErr != nil || tok.payloadErr != nil {
		if err := d.strictSplit(token); err != nil {
			return compactToken{}, err
		}
	}
	return tok, nil
}

// base64URL reports whether s holds base64url characters only.
func base64URL(s []byte) bool {
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// strictSplit checks every character of token and its segments, and says
// what is wrong. It counts dots without allocating per segment, so a flood
// of dots costs one pass. An empty signature is left to the algorithm and
// signature checks, which refuse it with the more telling ErrAlgorithm
// (alg "none") or ErrSignature. It returns nil for a token whose
// characters and segments are fine.
func (d compactDecoder) strictSplit(token string) error {
	if token == "" {
		return malformed("empty token")
	}
	dots, d1, d2 := 0, 0, 0
	for i := 0; i < len(token); i++ {
		switch c := token[i]; {
		case c == '.':
			switch dots {
			case 0:
				d1 = i
			case 1:
				d2 = i
			}
			dots++
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		case c == ' ' && dots == 0:
			return malformed("the token starts with %q: pass the token alone, without its scheme (take the part after \"Bearer \")", truncate(token[:i]))
		default:
			return malformed("invalid character at offset %d: a compact token has only base64url characters and two dots", i)
		}
	}
	switch {
	case dots == 4:
		return fmt.Errorf("%w: JWE is not accepted", ErrUnsupported)
	case dots != 2:
		return malformed("%d segments, want 3", dots+1)
	case d1 == 0 || d2 == d1+1:
		return malformed("empty segment")
	}
	return nil
}

// decode decodes one segment into dst, growing it if needed.
func (d compactDecoder) decode(dst, seg []byte, what string) ([]byte, error) {
	n := d.b64.DecodedLen(len(seg))
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	m, err := d.b64.Decode(dst, seg)
	if err != nil {
		return nil, malformed("%s is not strict base64url", what)
	}
	return dst[:m], nil
}

// claims returns the decoded payload, or why it could not be decoded.
func (tok *compactToken) claims() ([]byte, error) {
	return tok.payloadJSON, tok.payloadErr
}

// header is the part of a JOSE header the verifier acts on.
//
// Only what selects the key and the algorithm (alg, kid) is refused before
// the signature is checked, so that a token whose signature does not verify
// is refused with ErrSignature whatever else its header says. What else the
// header holds is kept and judged by checkSigned, after the signature.
type header struct {
	alg, kid, typ  []byte
	hasKID, hasTyp bool
	// refused is the first parameter that jwtx does not implement, to be
	// reported once the signature has verified.
	refused *HeaderError
}

// header decodes and parses the JOSE header. It refuses a header beyond the
// limits above or not one JSON object, a missing, non-string or "none" alg,
// and a kid that is not a non-empty string. Parameters jwtx does not
// implement and must not ignore are recorded for checkSigned: crit (RFC 7515
// §4.1.11), b64 (RFC 7797), zip (JWE only), enc (a JWE header) and cty "JWT"
// or not a string (a nested token); a typ that is not a string is dropped.
// jwk, jku, x5u, x5c and other parameters are ignored: no key ever comes
// from the token.
func (d compactDecoder) header(tok *compactToken) (header, error) {
	if tok.headerErr != nil {
		return header{}, tok.headerErr
	}
	js := tok.headerJSON
	var h header
	hasAlg := false
	refuse := func(param string) {
		if h.refused == nil {
			h.refused = &HeaderError{Param: param, Err: ErrUnsupported}
		}
	}
	err := jsonobj.ObjectN(js, maxHeaderDepth, maxHeaderMembers, func(name, value []byte) error {
		switch string(name) {
		case "alg":
			s, err := jsonobj.String(value)
			if err != nil {
				return &HeaderError{Param: "alg", Err: ErrAlgorithm}
			}
			h.alg, hasAlg = s, true
		case "kid":
			s, err := jsonobj.String(value)
			if err != nil {
				return &HeaderError{Param: "kid", Err: malformed("kid is not a string")}
			}
			h.kid, h.hasKID = s, true
		case "typ":
			// A typ that is not a string names no token type: the
			// typ check refuses it as if it were absent.
			if s, err := jsonobj.String(value); err == nil {
				h.typ, h.hasTyp = s, true
			}
		case "crit", "b64", "zip", "enc":
			refuse(string(name))
		case "cty":
			if s, err := jsonobj.String(value); err != nil || typMatches(s, "JWT") {
				refuse("cty")
			}
		}
		return nil
	})
	if err != nil {
		var he *HeaderError
		switch {
		case errors.As(err, &he):
			return header{}, err
		case errors.Is(err, jsonobj.ErrMembers):
			return header{}, malformed("the header has more than %d members, counting those of nested objects; put application data in the claims, not the JOSE header", maxHeaderMembers)
		}
		return header{}, jsonMalformed("header", err)
	}
	if !hasAlg || len(h.alg) == 0 || ascii.EqualFold(h.alg, "none") {
		return header{}, &HeaderError{Param: "alg", Err: ErrAlgorithm}
	}
	if h.hasKID && len(h.kid) == 0 {
		return header{}, &HeaderError{Param: "kid", Err: ErrKeyNotFound}
	}
	return h, nil
}

// checkSigned judges the header parameters that do not select the key, once
// the signature has verified: it refuses what jwtx does not implement
// (ErrUnsupported), then a typ other than wantTyp (ErrTokenType).
func (h *header) checkSigned(wantTyp, otherTyp string) error {
	if h.refused != nil {
		return h.refused
	}
	switch {
	case !h.hasTyp:
		return &HeaderError{Param: "typ", Err: fmt.Errorf("%w: the header has no typ, %q is needed", ErrTokenType, wantTyp)}
	case !(typMatches(h.typ, wantTyp) || typMatches(h.typ, otherTyp)):
		return &HeaderError{Param: "typ", Err: fmt.Errorf("%w: typ %q where %q is needed (FlaskCompat accepts \"JWT\"; WithHeaderTypes sets others)", ErrTokenType, truncate(string(h.typ)), wantTyp)}
	}
	return nil
}

// verify checks the signature segment with key.
func (d compactDecoder) verify(key *Key, tok compactToken) error {
	want := key.k.SignatureSize()
	if d.b64.DecodedLen(len(tok.signature)) != want || want > maxSignature {
		return ErrSignature
	}
	var buf [maxSignature]byte
	sig, err := d.decode(buf[:0], tok.signature, "signature")
	if err != nil {
		return err
	}
	if !key.k.Verify(tok.signingInput, sig) {
		return ErrSignature
	}
	return nil
}
