package jwtx_test

import (
	"strings"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// TestMalformedJSONErrorsNameNoInternalPackage: refusals of a header or
// claims that are not valid JSON objects say what is wrong and where, in
// jwtx's words: the text names no internal package of the module.
func TestMalformedJSONErrorsNameNoInternalPackage(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(t, now)
	for _, tc := range []struct {
		name     string
		token    string
		wantText string // a part of the message
	}{
		{name: "header/duplicate", token: testutil.Sign(t, f.rs, `{"alg":"RS256","alg":"RS256","typ":"at+jwt","kid":"rs-1"}`, c0), wantText: "header: repeated member name at offset 15"},
		{name: "header/syntax", token: testutil.Sign(t, f.rs, `{"alg":"RS256",}`, c0), wantText: "header: expected member name at offset 15"},
		{name: "header/depth", token: testutil.Sign(t, f.rs, `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x":[[[[1]]]]}`, c0), wantText: "header: value exceeds the depth limit"},
		{name: "header/encoding", token: testutil.Sign(t, f.rs, "{\"alg\":\"RS256\",\"x\":\"\xff\"}", c0), wantText: "header: invalid UTF-8 in string at offset 20"},
		{name: "header/members", token: testutil.Sign(t, f.rs, `{"alg":"RS256","typ":"at+jwt","kid":"rs-1",`+hcMembers(30)+`}`, c0), wantText: "more than 32 members"},
		{name: "claims/duplicate", token: testutil.Sign(t, f.rs, vtH0, vtAppendMember(c0, `"sub":"admin"`)), wantText: "claims: repeated member name"},
		{name: "claims/not-an-object", token: testutil.Sign(t, f.rs, vtH0, `["sub"]`), wantText: "claims: top-level value is not an object at offset 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vtRun(t, vtCase{token: tc.token, wantErr: jwtx.ErrMalformed})
			v, err := jwtx.NewClaimsVerifier[vtClaims](vtRSKey(t), vtPolicyV(now)...)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = v.VerifyClaims(t.Context(), tc.token, jwtx.ExpectAccess)
			msg := err.Error()
			for _, internal := range []string{"jsonobj", "internal", "jose:", "ascii"} {
				if strings.Contains(msg, internal) {
					t.Errorf("error %q names %q", msg, internal)
				}
			}
			if !strings.Contains(msg, tc.wantText) {
				t.Errorf("error %q does not say %q", msg, tc.wantText)
			}
		})
	}
}
