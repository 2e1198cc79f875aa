package bench

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"hash"
	"strings"
	"sync"
	"time"
)

// The floor: the same verification written with the standard library alone,
// as lean as it can be while skipping no check. It is the lower bound the
// table compares typedjwt with. It does:
//
//   - the size limit (8 KiB), before anything else;
//   - exactly three non-empty segments, strict unpadded base64url
//     (base64.RawURLEncoding.Strict());
//   - the header: alg pinned to the key's algorithm, typ "at+jwt"
//     (case-insensitive), crit refused. A header equal byte for byte to the
//     one the floor writes ({"alg":"HS256","typ":"at+jwt"}) passes by one
//     comparison; any other is decoded with json.Unmarshal and checked, so
//     the common path has a single json.Unmarshal, of the claims;
//   - the signature with the crypto primitive (HMAC from a pool of keyed
//     states compared with hmac.Equal, rsa.VerifyPKCS1v15,
//     ecdsa.VerifyASN1 on R||S re-encoded as DER, ed25519.Verify);
//   - the claims in one json.Unmarshal into a typed struct, custom claims
//     included;
//   - exp (required), nbf, iat against one time.Now, iss, aud ("api", a
//     string or an array), type "access", a non-empty sub.
//
// What it does not do, and typedjwt does: refuse duplicate member names,
// invalid UTF-8 and case-folded claim names (encoding/json accepts all
// three), accept fractional NumericDates (the floor is stricter there), kid
// selection, and the typed error values.

var (
	errFloorTooLarge  = errors.New("floor: token too large")
	errFloorMalformed = errors.New("floor: malformed token")
	errFloorHeader    = errors.New("floor: bad header")
	errFloorSignature = errors.New("floor: bad signature")
	errFloorClaims    = errors.New("floor: claims check failed")
)

var floorB64 = base64.RawURLEncoding.Strict()

// floorAud is the aud claim: a string or an array of strings.
type floorAud []string

func (a floorAud) MarshalJSON() ([]byte, error) {
	if len(a) == 1 {
		return json.Marshal(a[0])
	}
	return json.Marshal([]string(a))
}

func (a *floorAud) UnmarshalJSON(b []byte) error {
	// encoding/json has checked that b is one valid JSON value. A string
	// without escapes is its own contents.
	if len(b) >= 2 && b[0] == '"' && strings.IndexByte(string(b[1:len(b)-1]), '\\') < 0 {
		*a = floorAud{string(b[1 : len(b)-1])}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = floorAud{s}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*a = list
	return nil
}

// floorClaims are the fixture's claims as the floor reads and writes them.
type floorClaims struct {
	Iss    string   `json:"iss"`
	Sub    string   `json:"sub"`
	Aud    floorAud `json:"aud"`
	Exp    int64    `json:"exp"`
	Nbf    int64    `json:"nbf"`
	Iat    int64    `json:"iat"`
	Jti    string   `json:"jti"`
	Type   string   `json:"type"`
	Fresh  bool     `json:"fresh"`
	Roles  []string `json:"roles"`
	Tenant string   `json:"tenant"`
}

type floorHeader struct {
	Alg  string          `json:"alg"`
	Typ  string          `json:"typ"`
	Crit json.RawMessage `json:"crit,omitempty"`
}

// floor signs and verifies the fixture's tokens for one algorithm.
type floor struct {
	alg        string
	roles      []string // the roles it issues
	headerJSON string   // the header an issued token carries
	header     string   // the same, encoded
	sigSize    int
	sign       func(dst, input []byte) ([]byte, error)
	check      func(input, sig []byte) bool
}

func newFloor(k keyMaterial, roles []string) *floor {
	h, err := json.Marshal(floorHeader{Alg: k.alg, Typ: fxHeaderTyp})
	if err != nil {
		panic(err)
	}
	f := &floor{alg: k.alg, roles: roles, headerJSON: string(h), header: base64.RawURLEncoding.EncodeToString(h)}
	switch k.alg {
	case "HS256":
		secret := k.secret
		macs := sync.Pool{New: func() any { return hmac.New(sha256.New, secret) }}
		mac := func(dst, input []byte) []byte {
			m := macs.Get().(hash.Hash)
			m.Reset()
			m.Write(input)
			dst = m.Sum(dst)
			macs.Put(m)
			return dst
		}
		f.sigSize = sha256.Size
		f.sign = func(dst, input []byte) ([]byte, error) { return mac(dst, input), nil }
		f.check = func(input, sig []byte) bool {
			var buf [sha256.Size]byte
			return hmac.Equal(sig, mac(buf[:0], input))
		}
	case "RS256":
		priv, pub := k.rsa, &k.rsa.PublicKey
		f.sigSize = pub.Size()
		f.sign = func(dst, input []byte) ([]byte, error) {
			d := sha256.Sum256(input)
			sig, err := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, d[:])
			return append(dst, sig...), err
		}
		f.check = func(input, sig []byte) bool {
			d := sha256.Sum256(input)
			return rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig) == nil
		}
	case "ES256":
		priv, pub := k.ec, &k.ec.PublicKey
		f.sigSize = 64
		f.sign = func(dst, input []byte) ([]byte, error) {
			d := sha256.Sum256(input)
			r, s, err := ecdsa.Sign(rand.Reader, priv, d[:])
			if err != nil {
				return nil, err
			}
			var rs [64]byte
			r.FillBytes(rs[:32])
			s.FillBytes(rs[32:])
			return append(dst, rs[:]...), nil
		}
		f.check = func(input, sig []byte) bool {
			if len(sig) != 64 {
				return false
			}
			var der [72]byte
			d := sha256.Sum256(input)
			return ecdsa.VerifyASN1(pub, d[:], appendDERSig(der[:0], sig[:32], sig[32:]))
		}
	case "EdDSA":
		priv, pub := k.ed, k.ed.Public().(ed25519.PublicKey)
		f.sigSize = ed25519.SignatureSize
		f.sign = func(dst, input []byte) ([]byte, error) { return append(dst, ed25519.Sign(priv, input)...), nil }
		f.check = func(input, sig []byte) bool { return ed25519.Verify(pub, input, sig) }
	}
	return f
}

// appendDERSig encodes R||S as the ASN.1 DER SEQUENCE ecdsa.VerifyASN1 reads.
func appendDERSig(dst, r, s []byte) []byte {
	trim := func(v []byte) []byte {
		for len(v) > 1 && v[0] == 0 {
			v = v[1:]
		}
		return v
	}
	r, s = trim(r), trim(s)
	intLen := func(v []byte) int {
		if v[0]&0x80 != 0 {
			return len(v) + 3
		}
		return len(v) + 2
	}
	appendInt := func(dst, v []byte) []byte {
		if v[0]&0x80 != 0 {
			return append(append(dst, 0x02, byte(len(v)+1), 0), v...)
		}
		return append(append(dst, 0x02, byte(len(v))), v...)
	}
	dst = append(dst, 0x30, byte(intLen(r)+intLen(s)))
	return appendInt(appendInt(dst, r), s)
}

// verify is the floor's verification.
func (f *floor) verify(token string) (floorClaims, error) {
	var c floorClaims
	if len(token) > maxTokenSize {
		return c, errFloorTooLarge
	}
	d1 := strings.IndexByte(token, '.')
	if d1 <= 0 {
		return c, errFloorMalformed
	}
	d2 := strings.IndexByte(token[d1+1:], '.') + d1 + 1
	if d2 <= d1+1 || d2 == len(token)-1 || strings.IndexByte(token[d2+1:], '.') >= 0 {
		return c, errFloorMalformed
	}
	raw := []byte(token)

	var hbuf [96]byte
	hseg := raw[:d1]
	if floorB64.DecodedLen(len(hseg)) > len(hbuf) {
		return c, errFloorHeader
	}
	n, err := floorB64.Decode(hbuf[:], hseg)
	if err != nil {
		return c, errFloorMalformed
	}
	if string(hbuf[:n]) != f.headerJSON {
		// Not the exact header this floor writes: read it properly.
		var h floorHeader
		if err := json.Unmarshal(hbuf[:n], &h); err != nil {
			return c, errFloorHeader
		}
		if h.Alg != f.alg || !strings.EqualFold(h.Typ, fxHeaderTyp) || h.Crit != nil {
			return c, errFloorHeader
		}
	}

	var sbuf [512]byte
	sseg := raw[d2+1:]
	if floorB64.DecodedLen(len(sseg)) != f.sigSize {
		return c, errFloorSignature
	}
	if n, err = floorB64.Decode(sbuf[:], sseg); err != nil || n != f.sigSize {
		return c, errFloorSignature
	}
	if !f.check(raw[:d2], sbuf[:n]) {
		return c, errFloorSignature
	}

	pseg := raw[d1+1 : d2]
	payload := make([]byte, floorB64.DecodedLen(len(pseg)))
	if n, err = floorB64.Decode(payload, pseg); err != nil {
		return c, errFloorMalformed
	}
	if err := json.Unmarshal(payload[:n], &c); err != nil {
		return floorClaims{}, errFloorMalformed
	}

	now := time.Now().Unix()
	ok := c.Exp != 0 && now < c.Exp &&
		c.Nbf <= now && c.Iat <= now &&
		c.Iss == fxIssuer &&
		c.Type == "access" && c.Sub != ""
	if ok {
		ok = false
		for _, a := range c.Aud {
			if a == fxAudience {
				ok = true
				break
			}
		}
	}
	if !ok {
		return floorClaims{}, errFloorClaims
	}
	return c, nil
}

// issue is the floor's issuance: json.Marshal of the claims, the
// precomputed header, base64 and the signature.
func (f *floor) issue() (string, error) {
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", err
	}
	now := time.Now().Unix()
	c := floorClaims{
		Iss: fxIssuer, Sub: fxSubject, Aud: floorAud{fxAudience},
		Exp: now + int64(fxTTL/time.Second), Nbf: now, Iat: now,
		Jti: base64.RawURLEncoding.EncodeToString(rnd[:]), Type: "access",
		Roles: f.roles, Tenant: fxTenant,
	}
	payload, err := json.Marshal(&c)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	buf := make([]byte, 0, len(f.header)+2+enc.EncodedLen(len(payload))+enc.EncodedLen(f.sigSize))
	buf = append(buf, f.header...)
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, payload)
	var sbuf [512]byte
	sig, err := f.sign(sbuf[:0], buf)
	if err != nil {
		return "", err
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

func floorSide(k keyMaterial, roles []string) side {
	f := newFloor(k, roles)
	return side{
		name:  "floor",
		roles: roles,
		issue: f.issue,
		verify: func(token string) (result, error) {
			c, err := f.verify(token)
			if err != nil {
				return result{}, err
			}
			return result{Subject: c.Sub, Roles: c.Roles, Tenant: c.Tenant}, nil
		},
	}
}
