package jwtx_test

// Catalogue entry B15 (see SECURITY.md): JWE key management. Helpers of the
// attack files start with atk.

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// atkJWE builds a compact JWE (RFC 7516 §7.1) from a protected header
// written out byte for byte and random other segments: five segments,
// never decrypted.
func atkJWE(tb testing.TB, header string, encryptedKeyLen int) string {
	tb.Helper()
	seg := func(n int) string {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			tb.Fatal(err)
		}
		return b64u(string(b))
	}
	return b64u(header) + "." + seg(encryptedKeyLen) + "." + seg(12) + "." + seg(len(vtClaimsJSON(tb, vtNow()))) + "." + seg(16)
}

// TestVerifyJWEKeyManagementRefused covers B15: JWE key-management headers (PBES2 with a huge
// p2c, ECDH-ES with a small-order or off-curve epk, RSA1_5) are refused
// with jwtx.ErrUnsupported when the token has five segments, before the
// header is even decoded, so no key is derived, unwrapped or decrypted:
// the cost is one scan of the token's characters. The test asserts this
// structurally (the error is not a *jwtx.HeaderError, and a five-segment
// token whose header is not even base64url gets the same answer), not by
// timing; a verifier that ran PBKDF2 with p2c 2000000000 would take
// minutes. Three-segment tokens with the same headers are refused, before
// the signature, by the checks that select the key: the algorithms are not
// signature algorithms, or the kid names no key of the verifier (enc, a JWE
// parameter, would be refused once a signature verified).
func TestVerifyJWEKeyManagementRefused(t *testing.T) {
	t.Parallel()
	p2s := b64u("0123456789abcdef")
	pbes2 := `{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":2000000000,"p2s":"` + p2s + `","kid":"hs-1"}`
	zero32 := b64u(strings.Repeat("\x00", 32))
	ecdhTwist := `{"alg":"ECDH-ES","enc":"A128GCM","kid":"es-1","epk":{"kty":"OKP","crv":"X25519","x":"` + zero32 + `"}}`
	ecdhOffCurve := `{"alg":"ECDH-ES+A128KW","enc":"A128GCM","kid":"es-1","epk":{"kty":"EC","crv":"P-256","x":"` +
		b64u(strings.Repeat("\x00", 31)+"\x01") + `","y":"` + b64u(strings.Repeat("\x00", 31)+"\x01") + `"}}`
	rsa15 := `{"alg":"RSA1_5","enc":"A128CBC-HS256","kid":"rs-1"}`
	var cases []vtCase
	for _, tc := range []struct {
		name   string
		header string
		ekLen  int
		keys   func(testing.TB) *jwtx.Key
		// the refusal of the three-segment token, and its header parameter
		threeErr   error
		threeParam string
	}{
		{name: "PBES2-p2c-2000000000", header: pbes2, ekLen: 24, keys: vtHSKey, threeErr: jwtx.ErrAlgorithm, threeParam: "alg"},
		{name: "PBES2-p2c-2000000000-RS256-verifier", header: pbes2, ekLen: 24, keys: vtRSKey, threeErr: jwtx.ErrKeyNotFound, threeParam: "kid"},
		{name: "ECDH-ES-small-order-X25519-epk", header: ecdhTwist, ekLen: 0, keys: vtESKey, threeErr: jwtx.ErrAlgorithm, threeParam: "alg"},
		{name: "ECDH-ES-off-curve-P-256-epk", header: ecdhOffCurve, ekLen: 24, keys: vtESKey, threeErr: jwtx.ErrAlgorithm, threeParam: "alg"},
		{name: "RSA1_5-malformed-padding", header: rsa15, ekLen: 256, keys: vtRSKey, threeErr: jwtx.ErrAlgorithm, threeParam: "alg"},
	} {
		cases = append(cases,
			vtCase{name: "B15/five-segments/" + tc.name, token: atkJWE(t, tc.header, tc.ekLen), keys: tc.keys(t), wantErr: jwtx.ErrUnsupported},
			vtCase{name: "B15/three-segments/" + tc.name, token: testutil.Compact(tc.header, vtClaimsJSON(t, vtNow()), make([]byte, 32)),
				keys: tc.keys(t), wantErr: tc.threeErr, wantParam: tc.threeParam},
		)
	}
	cases = append(cases,
		// The header is not decoded: not base64url JSON at all, same answer.
		vtCase{name: "B15/five-segments/header-not-decoded", token: "AAAA.AAAA.AAAA.AAAA.AAAA", keys: vtHSKey(t), wantErr: jwtx.ErrUnsupported},
		// PBES2 header without enc in a JWS: not a signature algorithm.
		vtCase{name: "B15/three-segments/PBES2-alg-without-enc",
			token: testutil.Compact(`{"alg":"PBES2-HS256+A128KW","p2c":2000000000,"p2s":"`+p2s+`","typ":"at+jwt","kid":"hs-1"}`, vtClaimsJSON(t, vtNow()), make([]byte, 32)),
			keys:  vtHSKey(t), wantErr: jwtx.ErrAlgorithm, wantParam: "alg"},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, tc)
			if strings.Count(tc.token, ".") == 4 {
				v, err := jwtx.NewClaimsVerifier[vtClaims](tc.keys, vtPolicyV(vtNow())...)
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = v.Verify(context.Background(), tc.token)
				var he *jwtx.HeaderError
				if errors.As(err, &he) {
					t.Errorf("Verify(JWE) = %v: the header was decoded (param %q); a JWE must be refused before", err, he.Param)
				}
			}
		})
	}
}
