package jwtx_test

import (
	"strings"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx"
)

// TestMalformedJSONErrorsNameNoInternalPackage: refusals of a header or
// claims that are not valid JSON objects say what is wrong and where, in
// jwtx's words: the text names no internal package of the module.
func TestMalformedJSONErrorsNameNoInternalPackage(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	c0 := vtClaimsJSON(now)
	for _, tc := range []struct {
		name     string
		token    string
		wantText string // a part of the message
	}{
		{name: "header/duplicate", token: jws(t, "RS256", `{"alg":"RS256","alg":"RS256","typ":"at+jwt","kid":"rs-1"}`, c0, f.rs), wantText: "header: repeated member name at offset 15"},
		{name: "header/syntax", token: jws(t, "RS256", `{"alg":"RS256",}`, c0, f.rs), wantText: "header: expected member name at offset 15"},
		{name: "header/depth", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"rs-1","x":[[[[1]]]]}`, c0, f.rs), wantText: "header: value exceeds the depth limit"},
		{name: "header/encoding", token: jws(t, "RS256", "{\"alg\":\"RS256\",\"x\":\"\xff\"}", c0, f.rs), wantText: "header: invalid UTF-8 in string at offset 20"},
		{name: "header/members", token: jws(t, "RS256", `{"alg":"RS256","typ":"at+jwt","kid":"rs-1",`+hcMembers(30)+`}`, c0, f.rs), wantText: "more than 32 members"},
		{name: "claims/duplicate", token: jws(t, "RS256", vtH0, vtAppendMember(c0, `"sub":"admin"`), f.rs), wantText: "claims: repeated member name"},
		{name: "claims/not-an-object", token: jws(t, "RS256", vtH0, `["sub"]`, f.rs), wantText: "claims: top-level value is not an object at offset 0"},
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
