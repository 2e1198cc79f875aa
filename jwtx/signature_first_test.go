package jwtx_test

import (
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestNonStringTypOnForgedTokenIsSignatureError: a token whose signature
// does not verify is refused with ErrSignature whatever else its header
// says, unless the header cannot be read as one bounded JSON object or
// cannot select the key and algorithm. Every other header parameter (typ,
// cty, crit, b64, zip, enc, and those jwtx ignores), whatever its value or
// JSON type, is looked at only once the signature has verified; then it is
// refused as before.
func TestNonStringTypOnForgedTokenIsSignatureError(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	c0 := vtClaimsJSON(t, vtNow())
	hdr := func(members string) string { return `{"alg":"RS256","kid":"rs-1",` + members + `}` }
	for _, tc := range []struct {
		name       string
		header     string
		wantSigned error  // the error when correctly signed; nil means accepted
		wantParam  string // its HeaderError.Param
		// beforeSignature marks headers refused before the signature is
		// checked, with wantSigned whatever the signature.
		beforeSignature bool
	}{
		{name: "typ/number", header: hdr(`"typ":1`), wantSigned: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "typ/object", header: hdr(`"typ":{"v":"at+jwt"}`), wantSigned: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "typ/array", header: hdr(`"typ":["at+jwt"]`), wantSigned: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "typ/null", header: hdr(`"typ":null`), wantSigned: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "typ/true", header: hdr(`"typ":true`), wantSigned: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "typ/false", header: hdr(`"typ":false`), wantSigned: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "typ/wrong-string", header: hdr(`"typ":"refresh+jwt"`), wantSigned: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "typ/absent", header: `{"alg":"RS256","kid":"rs-1"}`, wantSigned: jwtx.ErrTokenType, wantParam: "typ"},
		{name: "cty/number", header: hdr(`"typ":"at+jwt","cty":1`), wantSigned: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "cty/object", header: hdr(`"typ":"at+jwt","cty":{}`), wantSigned: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "cty/array", header: hdr(`"typ":"at+jwt","cty":["JWT"]`), wantSigned: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "cty/null", header: hdr(`"typ":"at+jwt","cty":null`), wantSigned: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "cty/bool", header: hdr(`"typ":"at+jwt","cty":true`), wantSigned: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "cty/JWT", header: hdr(`"typ":"at+jwt","cty":"JWT"`), wantSigned: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "cty/before-typ", header: hdr(`"cty":1,"typ":2`), wantSigned: jwtx.ErrUnsupported, wantParam: "cty"},
		{name: "crit/array", header: hdr(`"typ":"at+jwt","crit":["exp"],"exp":0`), wantSigned: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "crit/number", header: hdr(`"typ":"at+jwt","crit":1`), wantSigned: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "crit/null", header: hdr(`"typ":"at+jwt","crit":null`), wantSigned: jwtx.ErrUnsupported, wantParam: "crit"},
		{name: "b64/false", header: hdr(`"typ":"at+jwt","b64":false`), wantSigned: jwtx.ErrUnsupported, wantParam: "b64"},
		{name: "b64/string", header: hdr(`"typ":"at+jwt","b64":"no"`), wantSigned: jwtx.ErrUnsupported, wantParam: "b64"},
		{name: "zip/DEF", header: hdr(`"typ":"at+jwt","zip":"DEF"`), wantSigned: jwtx.ErrUnsupported, wantParam: "zip"},
		{name: "zip/number", header: hdr(`"typ":"at+jwt","zip":1`), wantSigned: jwtx.ErrUnsupported, wantParam: "zip"},
		{name: "enc/object", header: hdr(`"typ":"at+jwt","enc":{}`), wantSigned: jwtx.ErrUnsupported, wantParam: "enc"},
		{name: "ignored/jku-number", header: hdr(`"typ":"at+jwt","jku":1`)},
		{name: "ignored/jwk-string", header: hdr(`"typ":"at+jwt","jwk":"k"`)},
		{name: "ignored/x5c-object", header: hdr(`"typ":"at+jwt","x5c":{"a":[1]}`)},
		{name: "ignored/x5t-null", header: hdr(`"typ":"at+jwt","x5t":null`)},
		{name: "ignored/custom-array", header: hdr(`"typ":"at+jwt","tenant":[1,{"b":null}]`)},

		// What selects the key and algorithm, and the header as a whole,
		// is refused before the signature is checked.
		{name: "before/alg-number", header: `{"alg":1,"typ":"at+jwt","kid":"rs-1"}`, wantSigned: jwtx.ErrAlgorithm, wantParam: "alg", beforeSignature: true},
		{name: "before/alg-none", header: `{"alg":"none","typ":1,"kid":"rs-1"}`, wantSigned: jwtx.ErrAlgorithm, wantParam: "alg", beforeSignature: true},
		{name: "before/kid-number", header: `{"alg":"RS256","typ":1,"kid":1}`, wantSigned: jwtx.ErrMalformed, wantParam: "kid", beforeSignature: true},
		{name: "before/kid-unknown", header: `{"alg":"RS256","typ":1,"kid":"rs-9"}`, wantSigned: jwtx.ErrKeyNotFound, wantParam: "kid", beforeSignature: true},
		{name: "before/duplicate-typ", header: hdr(`"typ":1,"typ":2`), wantSigned: jwtx.ErrMalformed, beforeSignature: true},
		{name: "before/not-an-object", header: `["RS256"]`, wantSigned: jwtx.ErrMalformed, beforeSignature: true},
	} {
		wantForged := jwtx.ErrSignature
		if tc.beforeSignature {
			wantForged = tc.wantSigned
		}
		forgedParam := ""
		if tc.beforeSignature {
			forgedParam = tc.wantParam
		}
		for _, sub := range []struct {
			name      string
			token     string
			wantErr   error
			wantParam string
		}{
			{name: "attacker-key", token: testutil.Sign(t, f.ars, tc.header, c0), wantErr: wantForged, wantParam: forgedParam},
			{name: "empty-signature", token: testutil.SigningInput(tc.header, c0) + ".", wantErr: wantForged, wantParam: forgedParam},
			{name: "signed", token: testutil.Sign(t, f.rs, tc.header, c0), wantErr: tc.wantSigned, wantParam: tc.wantParam},
		} {
			t.Run(tc.name+"/"+sub.name, func(t *testing.T) {
				t.Parallel()
				vtRun(t, vtCase{token: sub.token, wantErr: sub.wantErr, wantParam: sub.wantParam})
			})
		}
	}
}
