package jwtx

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

// FuzzSplit: split, which leaves the characters of the header and the
// payload to their base64url decoding, refuses exactly the tokens that a
// check of every character and segment (strictSplit) refuses, with the
// same error, and otherwise decodes the header and the payload as
// base64.RawURLEncoding.Strict() does, keeping its refusals for later.
func FuzzSplit(f *testing.F) {
	enc := base64.RawURLEncoding
	h, p := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"at+jwt"}`)), enc.EncodeToString([]byte(`{"sub":"a"}`))
	sig := enc.EncodeToString(bytes.Repeat([]byte{7}, 32))
	for _, s := range []string{
		h + "." + p + "." + sig, h + "." + p + ".", h + ".." + sig, "." + p + "." + sig, h + "." + p,
		h + "." + p + "." + sig + ".x.y", h + "." + p + "." + sig + "=", h + "=." + p + "." + sig,
		h + "." + p + "\n." + sig, h + "\r." + p + "." + sig, "Bearer " + h + "." + p + "." + sig,
		h + "." + p + "B." + sig, h[:len(h)-1] + "B." + p + "." + sig, h + "." + p + "." + sig[:5] + "+",
		strings.Repeat("A", maxHeaderSegment+4) + "." + p + "." + sig,
		strings.Repeat("A", maxHeaderSegment+4) + "." + p + "*." + sig,
		"", ".", "..", "...", "a.b.c", "é.b.c",
	} {
		f.Add(s)
	}
	d := newCompactDecoder()
	f.Fuzz(func(t *testing.T, token string) {
		tok, err := d.split(token)
		strictErr := d.strictSplit(token)
		if (err == nil) != (strictErr == nil) || err != nil && err.Error() != strictErr.Error() {
			t.Fatalf("split(%q) = %v, strictSplit = %v", token, err, strictErr)
		}
		if err != nil {
			return
		}
		parts := strings.Split(token, ".")
		check := func(what, seg string, got []byte, gotErr error) {
			want, err := d.b64.DecodeString(seg)
			if (err == nil) != (gotErr == nil) || err == nil && !bytes.Equal(got, want) {
				t.Fatalf("%s of %q: %q, %v; want %q, %v", what, token, got, gotErr, want, err)
			}
		}
		if len(parts[0]) <= maxHeaderSegment {
			check("header", parts[0], tok.headerJSON, tok.headerErr)
		} else if tok.headerErr == nil {
			t.Fatalf("header of %d bytes accepted", len(parts[0]))
		}
		check("payload", parts[1], tok.payloadJSON, tok.payloadErr)
		if string(tok.signature) != parts[2] || string(tok.signingInput) != parts[0]+"."+parts[1] {
			t.Fatalf("segments of %q: %q, %q", token, tok.signingInput, tok.signature)
		}
	})
}
