package jwtx_test

// Verifier tests for the attack catalogue, section B (serialization,
// encoding and parsing).

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwe"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestVerifyJSONSerialization covers B1, B2 and B16: JSON serializations,
// the compact/JSON polyglot and malformed JSON structures are not compact
// tokens, whatever signatures they carry.
func TestVerifyJSONSerialization(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	t0 := strings.Split(testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now)), ".")
	h, p, s := t0[0], t0[1], t0[2]
	pAdmin := b64u(vtClaimsJSON(t, now, "sub", `"admin"`))
	sAttacker := b64u(string(f.ars.Sign(t, []byte(h+"."+p))))
	flattened := `{"payload":"` + p + `","protected":"` + h + `","header":{"kid":"rs-1","typ":"at+jwt"},"signature":"` + s + `"}`
	const (
		rfc7515A6  = `{"payload":"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ","signatures":[{"protected":"eyJhbGciOiJSUzI1NiJ9","header":{"kid":"2010-12-29"},"signature":"cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw"},{"protected":"eyJhbGciOiJFUzI1NiJ9","header":{"kid":"e9bc097a-ce51-4036-9562-d2ade882db0d"},"signature":"DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"}]}`
		rfc7515A7  = `{"payload":"eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ","protected":"eyJhbGciOiJFUzI1NiJ9","header":{"kid":"e9bc097a-ce51-4036-9562-d2ade882db0d"},"signature":"DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"}`
		rfc7520s47 = `{"payload":"SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4","header":{"alg":"HS256","kid":"018c0ae5-4d9b-471b-bfd6-eef314bc7037"},"signature":"xuLifqLGiblpv9zBpuZczWhNj1gARaLV3UxvxhJxZuk"}`
	)
	for _, tc := range []vtCase{
		{name: "B1/flattened", token: flattened},
		{name: "B1/flattened-pretty", token: "{\n  \"payload\": \"" + p + "\",\n  \"protected\": \"" + h + "\",\n  \"signature\": \"" + s + "\"\n}"},
		{name: "B1/general", token: `{"payload":"` + p + `","signatures":[{"protected":"` + h + `","header":{"kid":"rs-1"},"signature":"` + s + `"}]}`},
		{name: "B1/general-two-signatures", token: `{"payload":"` + p + `","signatures":[{"protected":"` + h + `","header":{"kid":"attacker"},"signature":"` + sAttacker + `"},{"protected":"` + h + `","header":{"kid":"rs-1"},"signature":"` + s + `"}]}`},
		{name: "B1/rfc7515-A.6", token: rfc7515A6},
		{name: "B1/rfc7515-A.7", token: rfc7515A7},
		{name: "B1/flattened-base64url", token: b64u(flattened)},
		{name: "B2/polyglot", token: `{"` + h + `.` + pAdmin + `.":"","protected":"` + h + `","payload":"` + p + `","signature":"` + s + `"}`},
		{name: "B16/signature-without-protected", token: `{"payload":"e30","signature":"AAAA"}`},
		{name: "B16/signatures-without-protected", token: `{"payload":"e30","signatures":[{"signature":"AAAA"}]}`},
		{name: "B16/empty-signatures", token: `{"payload":"e30","signatures":[]}`},
		{name: "B16/null-signatures", token: `{"signatures":null}`},
		{name: "B16/rfc7520-4.7-content-only", token: rfc7520s47, keys: vtHSKey(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.wantErr = jwtx.ErrMalformed
			vtRun(t, tc)
		})
	}
}

// TestVerifyJWE covers B3: five-segment JWE tokens are refused before any
// key is used, and a nested JWT (cty "JWT") is refused.
func TestVerifyJWE(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	pAdmin := vtClaimsJSON(t, now, "sub", `"admin"`)
	jweRSA, err := jwe.Encrypt([]byte(pAdmin), jwe.WithKey(jwa.RSA_OAEP, &f.rs.RSA().PublicKey), jwe.WithContentEncryption(jwa.A128GCM))
	if err != nil {
		t.Fatalf("JWE RSA-OAEP: %v", err)
	}
	jweDir, err := jwe.Encrypt([]byte(pAdmin), jwe.WithKey(jwa.DIRECT, f.hs.Secret()), jwe.WithContentEncryption(jwa.A256GCM))
	if err != nil {
		t.Fatalf("JWE dir: %v", err)
	}
	for _, tok := range [][]byte{jweRSA, jweDir} {
		if n := bytes.Count(tok, []byte(".")); n != 4 {
			t.Fatalf("JWE %s has %d dots, want 4", vtDescribe(string(tok)), n)
		}
	}
	const rfc7520s6Outer = "eyJhbGciOiJSU0EtT0FFUCIsImN0eSI6IkpXVCIsImVuYyI6IkExMjhHQ00ifQ.a0JHRoITfpX4qRewImjlStn8m3CPxBV1ueYlVhjurCyrBg3I7YhCRYjphDOOS4E7rXbr2Fn6NyQq-A-gqT0FXqNjVOGrG-bi13mwy7RoYhjTkBEC6P7sMYMXXx4gzMedpiJHQVeyI-zkZV7A9matpgevAJWrXzOUysYGTtwoSN6gtUVtlLaivjvb21O0ul4YxSHV-ByK1kyeetRp_fuYJxHoKLQL9P424sKx2WGYb4zsBIPF4ssl_e5IR7nany-25_UmC2urosNkoFz9cQ82MypZP8gqbQJyPN-Fpp4Z-5o6yV64x6yzDUF_5JCIdl-Qv6H5dMVIY7q1eKpXcV1lWO_2FefEBqXxXvIjLeZivjNkzogCq3-IapSjVFnMjBxjpYLT8muaawo1yy1XXMuinIpNcOY3n4KKrXLrCcteX85m4IIHMZa38s1Hpr56fPPseMA-Jltmt-a9iEDtOzhtxz8AXy9tsCAZV2XBWNG8c3kJusAamBKOYwfk7JhLRDgOnJjlJLhn7TI4UxDp9dCmUXEN6z0v23W15qJIEXNJtqnblpymooeWAHCT4e_Owbim1g0AEpTHUdA2iiLNs9WTX_H_TXuPC8yDDhi1smxS_X_xpkIHkiIHWDOLx03BpqDTivpKkBYwqP2UZkcxqX2Fo_GnVrNwlK7Lgxw6FSQvDO0.GbX1i9kXz0sxXPmA.SZI4IvKHmwpazl_pJQXX3mHv1ANnOU4Wf9-utWYUcKrBNgCe2OFMf66cSJ8k2QkxaQD3_R60MGE9ofomwtky3GFxMeGRjtpMt9OAvVLsAXB0_UTCBGyBg3C2bWLXqZlfJAAoJRUPRk-BimYZY81zVBuIhc7HsQePCpu33SzMsFHjn4lP_idrJz_glZTNgKDt8zdnUPauKTKDNOH1DD4fuzvDYfDIAfqGPyL5sVRwbiXpXdGokEszM-9ChMPqW1QNhzuX_Zul3bvrJwr7nuGZs4cUScY3n8yE3AHCLurgls-A9mz1X38xEaulV18l4Fg9tLejdkAuQZjPbqeHQBJe4IwGD5Ee0dQ-Mtz4NnhkIWx-YKBb_Xo2zI3Q_1sYjKUuis7yWW-HTr_vqvFt0bj7WJf2vzB0TZ3dvsoGaTvPH2dyWwumUrlx4gmPUzBdwTO6ubfYSDUEEz5py0d_OtWeUSYcCYBKD-aM7tXg26qJo21gYjLfhn9zy-W19sOCZGuzgFjPhawXHpvnj_t-0_ES96kogjJLxS1IMU9Y5XmnwZMyNc9EIwnogsCg-hVuvzyP0sIruktmI94_SL1xgMl7o03phcTMxtlMizR88NKU1WkBsiXMCjy1Noue7MD-ShDp5dmM.KnIKEhN8U-3C9s4gtSpjSw"
	t0 := testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now))
	hNested := `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","cty":"JWT"}`
	nested := testutil.Sign(t, f.rs, hNested, t0)
	// The payload of a nested token is the inner token's text, which is
	// not base64url of anything JSON: sign it as it appears on the wire.
	nestedRaw := b64u(hNested) + "." + t0 + "." // five segments
	vtRunAll(t, []vtCase{
		{name: "B3/RSA-OAEP-to-K_rs", token: string(jweRSA), wantErr: jwtx.ErrUnsupported},
		{name: "B3/dir-with-K_hs", token: string(jweDir), keys: vtHSKey(t), wantErr: jwtx.ErrUnsupported},
		{name: "B3/rfc7520-6-outer-JWE", token: rfc7520s6Outer, wantErr: jwtx.ErrUnsupported},
		{name: "B3/hand-made-JWE-header", token: b64u(`{"alg":"RSA-OAEP","enc":"A128GCM"}`) + ".AAAA.AAAA.AAAA.AAAA", wantErr: jwtx.ErrUnsupported},
		{name: "B3/four-dots", token: "....", wantErr: jwtx.ErrUnsupported},
		{name: "B3/nested-JWS-cty-JWT", token: nested, wantErr: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "B3/nested-inner-token-unencoded", token: nestedRaw, wantErr: jwtx.ErrUnsupported},
	})
}

// TestVerifyStructure covers B4: wrong segment counts, empty segments,
// detached payloads and dot floods.
func TestVerifyStructure(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	t0 := strings.Split(testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now)), ".")
	h, p, s := t0[0], t0[1], t0[2]
	// A valid detached signature: signed over h + "." + p, sent without p.
	vtRunAll(t, []vtCase{
		{name: "B4/empty", token: "", wantErr: jwtx.ErrMalformed},
		{name: "B4/one-dot", token: ".", wantErr: jwtx.ErrMalformed},
		{name: "B4/two-dots", token: "..", wantErr: jwtx.ErrMalformed},
		{name: "B4/three-dots", token: "...", wantErr: jwtx.ErrMalformed},
		{name: "B4/h.p", token: h + "." + p, wantErr: jwtx.ErrMalformed},
		{name: "B4/h.p.s.", token: h + "." + p + "." + s + ".", wantErr: jwtx.ErrMalformed},
		{name: "B4/h.p.s.x", token: h + "." + p + "." + s + ".x", wantErr: jwtx.ErrMalformed},
		{name: "B4/h..s-detached", token: h + ".." + s, wantErr: jwtx.ErrMalformed},
		{name: "B4/.p.s", token: "." + p + "." + s, wantErr: jwtx.ErrMalformed},
		{name: "B4/h.p.", token: h + "." + p + ".", wantErr: jwtx.ErrSignature},
		{name: "B4/Bearer", token: "Bearer", wantErr: jwtx.ErrMalformed},
		{name: "B4/Bearer-T0", token: "Bearer " + h + "." + p + "." + s, wantErr: jwtx.ErrMalformed},
		{name: "B4/10MiB-of-dots", token: strings.Repeat(".", 10<<20), wantErr: jwtx.ErrTooLarge},
		{name: "B4/h-1MiB-of-dots-p.s", token: h + strings.Repeat(".", 1<<20) + p + "." + s, wantErr: jwtx.ErrTooLarge},
		{name: "B4/10MiB-of-dots-within-limit", token: strings.Repeat(".", 10<<20), opts: []jwtx.VerifierOption{jwtx.WithMaxTokenSize(11 << 20)}, wantErr: jwtx.ErrMalformed},
		{name: "B4/h-1MiB-of-dots-p.s-within-limit", token: h + strings.Repeat(".", 1<<20) + p + "." + s, opts: []jwtx.VerifierOption{jwtx.WithMaxTokenSize(2 << 20)}, wantErr: jwtx.ErrMalformed},
	})
}

// TestVerifyBase64 covers B5 (and the character-level cases of B6): every
// non-canonical encoding of a valid token is malformed.
func TestVerifyBase64(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	t0 := testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now))
	hs0 := testutil.Sign(t, f.hs, vtHHS, vtClaimsJSON(t, now))
	var cases []vtCase
	add := func(name, tok string, keys jwtx.VerificationKeys) {
		if tok == t0 || tok == hs0 {
			t.Fatalf("variant %s does not change the token", name)
		}
		cases = append(cases, vtCase{name: name, token: tok, keys: keys, wantErr: jwtx.ErrMalformed})
	}
	// modify returns tok with segment i replaced by g(segment).
	modify := func(tok string, i int, g func(string) string) string {
		parts := strings.Split(tok, ".")
		parts[i] = g(parts[i])
		return strings.Join(parts, ".")
	}
	segName := []string{"header", "payload", "signature"}
	for i, seg := range segName {
		for _, pad := range []string{"=", "=="} {
			add("B5/padding-"+pad+"/"+seg, modify(t0, i, func(s string) string { return s + pad }), nil)
		}
		for _, ins := range []string{"\n", "\r\n", " ", "\t", "?", "!", "#", "%", "*", "+", "/", "\x00"} {
			add(fmt.Sprintf("B5/insert-%q/%s", ins, seg), modify(t0, i, func(s string) string { return s[:len(s)/2] + ins + s[len(s)/2:] }), nil)
		}
		add("B5/percent-encoded/"+seg, modify(t0, i, func(s string) string { return fmt.Sprintf("%%%02X", s[0]) + s[1:] }), nil)
		add("B5/cyrillic-a/"+seg, modify(t0, i, func(s string) string { return "\u0430" + s[1:] }), nil)
	}
	// Trailing bits: the header is decoded before the signature is checked,
	// so it is malformed; the payload is covered by the signature, so a
	// changed payload text is a bad signature, and the same text signed
	// anew is malformed; the signature's own trailing bits are malformed.
	t0Parts := strings.Split(t0, ".")
	if flipped, ok := vtFlipTrailingBits(t0Parts[0]); ok {
		add("B5/trailing-bits/header", flipped+"."+t0Parts[1]+"."+t0Parts[2], nil)
	}
	if flipped, ok := vtFlipTrailingBits(t0Parts[1]); ok {
		cases = append(cases, vtCase{name: "B5/trailing-bits/payload", token: t0Parts[0] + "." + flipped + "." + t0Parts[2], wantErr: jwtx.ErrSignature})
		add("B5/trailing-bits/payload-re-signed", testutil.SignSegments(t, f.rs, t0Parts[0], flipped), nil)
	}
	if flipped, ok := vtFlipTrailingBits(t0Parts[2]); ok {
		add("B5/trailing-bits/signature", t0Parts[0]+"."+t0Parts[1]+"."+flipped, nil)
	}
	// The standard alphabet: re-encode every segment; and force one '+' and
	// one '/' into the signature whatever the random key produced.
	var std []string
	for _, s := range strings.Split(t0, ".") {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("decode T0: %v", err)
		}
		std = append(std, base64.RawStdEncoding.EncodeToString(b))
	}
	if tok := strings.Join(std, "."); tok != t0 {
		add("B5/standard-alphabet", tok, nil)
	}
	add("B5/standard-alphabet-plus", modify(t0, 2, func(s string) string { return "+" + s[1:] }), nil)
	add("B5/standard-alphabet-slash", modify(t0, 2, func(s string) string { return "/" + s[1:] }), nil)
	add("B5/std-padded-signature", modify(t0, 2, func(s string) string {
		b, _ := base64.RawURLEncoding.DecodeString(s)
		return base64.URLEncoding.EncodeToString(b)
	}), nil)
	add("B5/append-!!!!", t0+"!!!!", nil)
	add("B5/trailing-newline", t0+"\n", nil)
	add("B5/trailing-CRLF", t0+"\r\n", nil)
	add("B5/leading-space", " "+t0, nil)
	add("B5/trailing-space", t0+" ", nil)
	add("B6/NBSP", "\u00a0"+t0, nil)
	add("B6/zero-width-space", t0+"\u200b", nil)
	add("B6/BOM", "\ufeff"+t0, nil)
	add("B6/fullwidth-dots", strings.ReplaceAll(t0, ".", "\uff0e"), nil)
	add("B6/ideographic-dots", strings.ReplaceAll(t0, ".", "\u3002"), nil)
	// A 32-byte HMAC (43 characters) has 2 unused bits in its last character.
	if flipped, ok := vtFlipTrailingBits(strings.Split(hs0, ".")[2]); ok {
		add("B5/trailing-bits/HS256-signature", modify(hs0, 2, func(string) string { return flipped }), vtHSKey(t))
	} else {
		t.Fatalf("an HS256 signature segment has unused bits")
	}
	vtRunAll(t, cases)
}

// TestVerifyNotOneObject covers B7: a header or claims segment that is not
// exactly one JSON object, signed correctly.
func TestVerifyNotOneObject(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(t, now)
	var cases []vtCase
	for _, tc := range []struct {
		name    string
		json    string
		wantErr error
	}{
		{name: "array", json: `[]`, wantErr: jwtx.ErrMalformed},
		{name: "string", json: `"x"`, wantErr: jwtx.ErrMalformed},
		{name: "number", json: `1`, wantErr: jwtx.ErrMalformed},
		{name: "null", json: `null`, wantErr: jwtx.ErrMalformed},
		{name: "empty", json: ``, wantErr: jwtx.ErrMalformed},
		{name: "whitespace-only", json: ` `, wantErr: jwtx.ErrMalformed},
		{name: "object-then-x", json: `{}x`, wantErr: jwtx.ErrMalformed},
		{name: "two-objects", json: `{}{}`, wantErr: jwtx.ErrMalformed},
		{name: "comment", json: `{"a":1}//c`, wantErr: jwtx.ErrMalformed},
		{name: "single-quotes", json: `{'alg':'RS256'}`, wantErr: jwtx.ErrMalformed},
		{name: "NaN", json: `{"exp":NaN}`, wantErr: jwtx.ErrMalformed},
		{name: "Infinity", json: `{"exp":Infinity}`, wantErr: jwtx.ErrMalformed},
		{name: "trailing-comma", json: `{"a":1,}`, wantErr: jwtx.ErrMalformed},
		{name: "BOM", json: "\ufeff{}", wantErr: jwtx.ErrMalformed},
	} {
		cases = append(cases,
			vtCase{name: "B7/header/" + tc.name, token: testutil.Sign(t, f.rs, tc.json, c0), wantErr: tc.wantErr},
			vtCase{name: "B7/claims/" + tc.name, token: testutil.Sign(t, f.rs, vtH0, tc.json), wantErr: tc.wantErr},
		)
	}
	cases = append(cases,
		// Valid JSON, but a header without alg.
		vtCase{name: "B7/header/{}-trailing-space", token: testutil.Sign(t, f.rs, `{} `, c0), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
		vtCase{name: "B7/header/H0-then-x", token: testutil.Sign(t, f.rs, vtH0+"x", c0), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/header/H0-then-H0", token: testutil.Sign(t, f.rs, vtH0+vtH0, c0), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/claims/C0-then-x", token: testutil.Sign(t, f.rs, vtH0, c0+"x"), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/claims/C0-then-C0", token: testutil.Sign(t, f.rs, vtH0, c0+c0), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/claims/C0-then-comment", token: testutil.Sign(t, f.rs, vtH0, c0+"//c"), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/claims/C0-trailing-comma", token: testutil.Sign(t, f.rs, vtH0, c0[:len(c0)-1]+",}"), wantErr: jwtx.ErrMalformed},
		vtCase{name: "B7/claims/{}", token: testutil.Sign(t, f.rs, vtH0, `{}`), wantErr: jwtx.ErrMissingClaim},
		// Whitespace around the object is legal JSON.
		vtCase{name: "B7/header/H0-trailing-space", token: testutil.Sign(t, f.rs, vtH0+" ", c0)},
		vtCase{name: "B7/header/H0-surrounding-whitespace", token: testutil.Sign(t, f.rs, " \t\n"+vtH0+"\r\n", c0)},
		vtCase{name: "B7/claims/C0-trailing-space", token: testutil.Sign(t, f.rs, vtH0, c0+" ")},
		vtCase{name: "B7/claims/C0-surrounding-whitespace", token: testutil.Sign(t, f.rs, vtH0, "\n\t "+c0+"\r\n")},
	)
	vtRunAll(t, cases)
}

// TestVerifyDuplicateMembers covers B8: duplicate member names in the header
// and the claims, also when escaped, and claim names that encoding/json
// would match case-insensitively to a field of the claims type.
func TestVerifyDuplicateMembers(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(t, now)
	past, future := vtUnix(now.Add(-time.Hour)), vtUnix(now.Add(300*time.Second))
	vtRunAll(t, []vtCase{
		{name: "B8/header/alg-RS256-none", token: testutil.Sign(t, f.rs, `{"alg":"RS256","alg":"none","typ":"at+jwt","kid":"rs-1"}`, c0), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/alg-none-RS256", token: testutil.Sign(t, f.rs, `{"alg":"none","alg":"RS256","typ":"at+jwt","kid":"rs-1"}`, c0), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/alg-same-twice", token: testutil.Sign(t, f.rs, `{"alg":"RS256","alg":"RS256","typ":"at+jwt","kid":"rs-1"}`, c0), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/alg-escaped", token: testutil.Sign(t, f.rs, `{"alg":"RS256","a\u006cg":"none","typ":"at+jwt","kid":"rs-1"}`, c0), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/kid", token: testutil.Sign(t, f.rs, `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","kid":"rs-2"}`, c0), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/typ", token: testutil.Sign(t, f.rs, `{"alg":"RS256","typ":"refresh+jwt","typ":"at+jwt","kid":"rs-1"}`, c0), wantErr: jwtx.ErrMalformed},
		{name: "B8/header/nested", token: testutil.Sign(t, f.rs, `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x":{"a":1,"a":2}}`, c0), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/sub", token: testutil.Sign(t, f.rs, vtH0, vtAppendMember(c0, `"sub":"admin"`)), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/exp-future-past", token: testutil.Sign(t, f.rs, vtH0, vtAppendMember(c0, `"exp":`+past)), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/exp-past-future", token: testutil.Sign(t, f.rs, vtH0, vtAppendMember(vtClaimsJSON(t, now, "exp", past), `"exp":`+future)), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/aud", token: testutil.Sign(t, f.rs, vtH0, vtAppendMember(c0, `"aud":"other"`)), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/type", token: testutil.Sign(t, f.rs, vtH0, vtAppendMember(c0, `"type":"refresh"`)), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/sub-escaped", token: testutil.Sign(t, f.rs, vtH0, vtAppendMember(c0, `"s\u0075b":"admin"`)), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/custom", token: testutil.Sign(t, f.rs, vtH0, vtAppendMember(vtClaimsJSON(t, now, "role", `"user"`), `"role":"admin"`)), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/nested", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "x", `{"a":1,"a":2}`)), wantErr: jwtx.ErrMalformed},
		// encoding/json matches names case-insensitively (and with Unicode
		// simple folding: U+017F long s folds to s). Two names of one object
		// that fold together are duplicates, at any depth; a lone name that
		// folds to a field of the claims type without being its name is
		// refused with a ClaimError naming it.
		{name: "B8/claims/Exp-and-exp", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "Exp", "1")), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/EXP-only", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "exp", "", "EXP", future)), wantErr: jwtx.ErrMalformed, wantClaim: "EXP"},
		{name: "B8/claims/SUB", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "SUB", `"admin"`)), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/long-s-sub", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "\u017fub", `"admin"`)), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/Role", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "role", `"user"`, "Role", `"admin"`)), wantErr: jwtx.ErrMalformed},
		{name: "B8/claims/ADMIN", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "ADMIN", `true`)), wantErr: jwtx.ErrMalformed, wantClaim: "ADMIN"},
		// A nested object of the claims type has the same ambiguity:
		// encoding/json lets "ID" overwrite "id" inside org.
		{name: "B8/claims/nested-case-variant", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "org", `{"id":"victim","ID":"attacker"}`)), wantErr: jwtx.ErrMalformed},
		// A lone name unrelated to the claims type is not ambiguous; two
		// that fold together still are.
		{name: "B8/claims/Foo", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "Foo", "1"))},
		{name: "B8/claims/Foo-and-foo", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "Foo", "1", "foo", "2")), wantErr: jwtx.ErrMalformed},
	})
}

// TestVerifyUnicode covers B9: invalid UTF-8, lone surrogates and NUL in
// claims are malformed; escapes decode to exactly the escaped text, and
// nothing is case-folded or normalised.
func TestVerifyUnicode(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	sub := func(s string) *vtClaims { return vtC0With(now, func(c *vtClaims) { c.Subject = s }) }
	vtRunAll(t, []vtCase{
		{name: "B9/raw-0xff", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", "\"admin\xff\"")), wantErr: jwtx.ErrMalformed},
		{name: "B9/overlong-slash", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", "\"\xc0\xaf\"")), wantErr: jwtx.ErrMalformed},
		{name: "B9/encoded-surrogate", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", "\"\xed\xa0\x80\"")), wantErr: jwtx.ErrMalformed},
		{name: "B9/lone-high-surrogate-escape", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", `"\ud800"`)), wantErr: jwtx.ErrMalformed},
		{name: "B9/lone-low-surrogate-escape", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", `"\udc00"`)), wantErr: jwtx.ErrMalformed},
		{name: "B9/reversed-surrogates", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", `"\ude00\ud83d"`)), wantErr: jwtx.ErrMalformed},
		{name: "B9/escaped-NUL", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", `"admin\u0000"`)), wantErr: jwtx.ErrMalformed},
		{name: "B9/raw-NUL", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", "\"admin\x00\"")), wantErr: jwtx.ErrMalformed},
		{name: "B9/raw-control", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", "\"admin\n\"")), wantErr: jwtx.ErrMalformed},
		{name: "B9/invalid-UTF-8-in-name", token: testutil.Sign(t, f.rs, vtH0, vtAppendMember(vtClaimsJSON(t, now), "\"x\xff\":1")), wantErr: jwtx.ErrMalformed},
		{name: "B9/invalid-UTF-8-in-custom-claim", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "role", "\"\xff\"")), wantErr: jwtx.ErrMalformed},
		{name: "B9/invalid-UTF-8-in-header", token: testutil.Sign(t, f.rs, "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"rs-1\",\"x\":\"\xff\"}", vtClaimsJSON(t, now)), wantErr: jwtx.ErrMalformed},
		{name: "B9/escaped-admin", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", `"\u0061dmin"`)), want: sub("admin")},
		{name: "B9/ADMIN-kept", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", `"ADMIN"`)), want: sub("ADMIN")},
		{name: "B9/dotless-i-kept", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", `"adm\u0131n"`)), want: sub("adm\u0131n")},
		{name: "B9/surrogate-pair", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", `"\ud83d\ude00"`)), want: sub("\U0001F600")},
		{name: "B9/raw-UTF-8", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "sub", `"ü"`)), want: sub("ü")},
	})
}

// TestVerifySize covers B10: the length cap comes first, then the header's
// own cap, and a kid within both is still just an unknown key.
func TestVerifySize(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(t, now)
	t0 := testutil.Sign(t, f.rs, vtH0, c0)
	kidHeader := func(n int) string {
		return `{"alg":"RS256","typ":"at+jwt","kid":"` + strings.Repeat("k", n) + `"}`
	}
	within := testutil.Sign(t, f.rs, kidHeader(5<<10), c0)
	if len(within) > jwtx.DefaultMaxTokenSize {
		t.Fatalf("token with a 5 KiB kid has %d bytes, more than the default limit", len(within))
	}
	var many strings.Builder
	for i := range 100000 {
		fmt.Fprintf(&many, `"c%06d":0,`, i)
	}
	vtRunAll(t, []vtCase{
		{name: "B10/64KiB-header", token: testutil.Sign(t, f.rs, `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","pad":"`+strings.Repeat("A", 64<<10)+`"}`, c0), wantErr: jwtx.ErrTooLarge},
		{name: "B10/1MiB-payload", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "pad", `"`+strings.Repeat("A", 1<<20)+`"`)), wantErr: jwtx.ErrTooLarge},
		{name: "B10/8MiB-signature", token: testutil.SigningInput(vtH0, c0) + "." + strings.Repeat("A", 8<<20), wantErr: jwtx.ErrTooLarge},
		{name: "B10/1MiB-kid", token: testutil.Sign(t, f.rs, kidHeader(1<<20), c0), wantErr: jwtx.ErrTooLarge},
		{name: "B10/100000-claims", token: testutil.Sign(t, f.rs, vtH0, "{"+many.String()+c0[1:]), wantErr: jwtx.ErrTooLarge},
		{name: "B10/7KiB-kid", token: testutil.Sign(t, f.rs, kidHeader(7<<10), c0), wantErr: jwtx.ErrTooLarge},
		// The header has a limit of its own, 2 KiB encoded, which a raised
		// token limit does not raise.
		{name: "B10/7KiB-kid-raised-limit", token: testutil.Sign(t, f.rs, kidHeader(7<<10), c0), opts: []jwtx.VerifierOption{jwtx.WithMaxTokenSize(16 << 10)}, wantErr: jwtx.ErrTooLarge},
		{name: "B10/5KiB-kid", token: within, wantErr: jwtx.ErrTooLarge},
		{name: "B10/1KiB-kid", token: testutil.Sign(t, f.rs, kidHeader(1<<10), c0), wantErr: jwtx.ErrKeyNotFound, wantParam: "kid"},
		{name: "B10/T0-at-limit", token: t0, opts: []jwtx.VerifierOption{jwtx.WithMaxTokenSize(len(t0))}},
		{name: "B10/T0-one-over-limit", token: t0, opts: []jwtx.VerifierOption{jwtx.WithMaxTokenSize(len(t0) - 1)}, wantErr: jwtx.ErrTooLarge},
	})
}

// TestVerifyNesting covers B11: deeply nested JSON in the header and the
// claims is refused quickly; the limits are 4 levels for the header and 32
// for the claims (the top-level object is level 1).
func TestVerifyNesting(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(t, now)
	arrays := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	objects := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	hdr := func(x string) string { return `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x":` + x + `}` }
	big := []jwtx.VerifierOption{jwtx.WithMaxTokenSize(1 << 20)}
	vtRunAll(t, []vtCase{
		{name: "B11/header/3-arrays", token: testutil.Sign(t, f.rs, hdr(arrays(3)), c0)},
		{name: "B11/header/4-arrays", token: testutil.Sign(t, f.rs, hdr(arrays(4)), c0), wantErr: jwtx.ErrMalformed},
		{name: "B11/header/10000-arrays", token: testutil.Sign(t, f.rs, hdr(arrays(10000)), c0), wantErr: jwtx.ErrTooLarge},
		{name: "B11/header/700-arrays", token: testutil.Sign(t, f.rs, hdr(arrays(700)), c0), wantErr: jwtx.ErrMalformed},
		// The header's own size limit (2 KiB encoded) is not raised with
		// the token's, and refuses deep nesting before it is scanned.
		{name: "B11/header/10000-arrays-raised-limit", token: testutil.Sign(t, f.rs, hdr(arrays(10000)), c0), opts: big, wantErr: jwtx.ErrTooLarge},
		{name: "B11/header/100000-arrays-raised-limit", token: testutil.Sign(t, f.rs, hdr(arrays(100000)), c0), opts: big, wantErr: jwtx.ErrTooLarge},
		{name: "B11/header/10000-objects-raised-limit", token: testutil.Sign(t, f.rs, hdr(objects(10000)), c0), opts: big, wantErr: jwtx.ErrTooLarge},
		{name: "B11/claims/31-arrays", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "x", arrays(31)))},
		{name: "B11/claims/32-arrays", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "x", arrays(32))), wantErr: jwtx.ErrMalformed},
		{name: "B11/claims/1000-arrays", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "x", arrays(1000))), wantErr: jwtx.ErrMalformed},
		{name: "B11/claims/100000-arrays-raised-limit", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "x", arrays(100000))), opts: big, wantErr: jwtx.ErrMalformed},
		{name: "B11/claims/100000-objects-raised-limit", token: testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, "x", objects(100000))), opts: big, wantErr: jwtx.ErrMalformed},
		{name: "B11/claims/unterminated-nesting-raised-limit", token: testutil.Sign(t, f.rs, vtH0, `{"x":`+strings.Repeat("[", 100000)), opts: big, wantErr: jwtx.ErrMalformed},
	})
}

// TestVerifyUnsupportedHeaders covers B12 (crit), B13 (b64), B14 (zip) and
// the nested-token cty: JOSE features jwtx does not implement are refused,
// never ignored.
func TestVerifyUnsupportedHeaders(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(t, now)
	hdr := func(extra string) string { return `{"alg":"RS256","typ":"at+jwt","kid":"rs-1",` + extra + `}` }
	var deflated bytes.Buffer
	w, err := flate.NewWriter(&deflated, flate.BestCompression)
	if err != nil {
		t.Fatalf("flate: %v", err)
	}
	w.Write([]byte(c0))
	if err := w.Close(); err != nil {
		t.Fatalf("flate: %v", err)
	}
	// RFC 7797 §4.2 verbatim: b64 false, detached payload.
	const rfc7797 = "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY"
	hB64 := `{"alg":"HS256","typ":"at+jwt","b64":false,"crit":["b64"]}`
	unencoded := testutil.SignSegments(t, f.hs, b64u(hB64), c0)
	unencodedMAC := unencoded[strings.LastIndexByte(unencoded, '.')+1:] // c0 has dots of its own
	vtRunAll(t, []vtCase{
		{name: "B12/crit-exp", token: testutil.Sign(t, f.rs, hdr(`"crit":["exp"],"exp":0`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-foo", token: testutil.Sign(t, f.rs, hdr(`"crit":["foo"],"foo":1`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-empty", token: testutil.Sign(t, f.rs, hdr(`"crit":[]`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-alg", token: testutil.Sign(t, f.rs, hdr(`"crit":["alg"]`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-listed-absent", token: testutil.Sign(t, f.rs, hdr(`"crit":["foo"]`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-not-array", token: testutil.Sign(t, f.rs, hdr(`"crit":"foo"`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-b64-true", token: testutil.Sign(t, f.rs, hdr(`"crit":["b64"],"b64":true`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "B12/crit-null", token: testutil.Sign(t, f.rs, hdr(`"crit":null`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "crit"},
		// The unencoded payload is raw JSON, whose characters are not
		// base64url: not a compact token at all.
		{name: "B13/b64-false-crit-unencoded", token: unencoded, keys: vtHSKey(t), wantErr: jwtx.ErrMalformed},
		{name: "B13/b64-false-crit-detached", token: b64u(hB64) + ".." + unencodedMAC, keys: vtHSKey(t), wantErr: jwtx.ErrMalformed},
		{name: "B13/b64-false-without-crit", token: testutil.Sign(t, f.hs, `{"alg":"HS256","typ":"at+jwt","b64":false}`, c0), keys: vtHSKey(t), wantErr: jwtx.ErrUnsupported, wantParam: "b64"},
		{name: "B13/b64-true-without-crit", token: testutil.Sign(t, f.hs, `{"alg":"HS256","typ":"at+jwt","b64":true}`, c0), keys: vtHSKey(t), wantErr: jwtx.ErrUnsupported, wantParam: "b64"},
		{name: "B13/rfc7797-4.2", token: rfc7797, keys: vtHSKey(t), wantErr: jwtx.ErrMalformed},
		{name: "B14/zip-DEF-deflated", token: testutil.Sign(t, f.rs, hdr(`"zip":"DEF"`), deflated.String()), wantErr: jwtx.ErrUnsupported, wantParam: "zip"},
		{name: "B14/zip-DEF-uncompressed", token: testutil.Sign(t, f.rs, hdr(`"zip":"DEF"`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "zip"},
		{name: "B3/enc-in-JWS", token: testutil.Sign(t, f.rs, hdr(`"enc":"A128GCM"`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "enc"},
		{name: "B3/cty-JWT", token: testutil.Sign(t, f.rs, hdr(`"cty":"JWT"`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "B3/cty-jwt", token: testutil.Sign(t, f.rs, hdr(`"cty":"jwt"`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "B3/cty-not-string", token: testutil.Sign(t, f.rs, hdr(`"cty":1`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "cty"},
		// RFC 7515 §4.1.10: a cty without "/" stands for "application/" + cty,
		// so "application/jwt" names a nested JWT just as "JWT" does.
		{name: "B3/cty-application-jwt", token: testutil.Sign(t, f.rs, hdr(`"cty":"application/jwt"`), c0), wantErr: jwtx.ErrUnsupported, wantParam: "cty"},
	})
}
