package jwtx_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// cvClaims puts a struct at every place encoding/json decodes one: a
// field, a pointer, slices and arrays of structs and of pointers, map
// values, a recursive type, and fields promoted from embedded structs.
type cvClaims struct {
	jwtx.RegisteredClaims
	cvPromoted
	cvMeta     `json:"tagged"`        // embedded with a tag: one claim holding an object
	cvShadowed                        // its "info" is hidden by Info below
	Info       cvTeam                 `json:"info"`
	Profile    cvProfile              `json:"profile"`
	Manager    *cvProfile             `json:"manager,omitempty"`
	Teams      []cvTeam               `json:"teams,omitempty"`
	Pair       [2]cvTeam              `json:"pair"`
	Leads      []*cvTeam              `json:"leads,omitempty"`
	ByOrg      map[string]cvTeam      `json:"byOrg,omitempty"`
	Groups     map[string][]*cvTeam   `json:"groups,omitempty"`
	Tree       *cvNode                `json:"tree,omitempty"`
	Site       cvTeam                 // untagged: the JSON name is "Site"
	Free       map[string]any         `json:"free,omitempty"`
	Opaque     cvOpaque               `json:"opaque"`
	Deep       map[string][][2]cvTeam `json:"deep,omitempty"`
	Shadow     cvShadow               `json:"shadow"`
}

// cvPromoted is embedded in cvClaims: its fields are claims of their own.
type cvPromoted struct {
	Prefs cvTeam `json:"prefs"`
}

// cvProfile has tagged, untagged, ignored and embedded fields.
type cvProfile struct {
	Role    string `json:"role"`
	Name    string // untagged: the JSON name is "Name"
	Skipped string `json:"-"`
	cvAudit        // embedded: "by" is a member of the profile
	cvMeta  `json:"meta"`
}

// cvAudit is embedded without a tag, so its fields are promoted.
type cvAudit struct {
	By string `json:"by"`
}

// cvMeta is embedded with a tag, so it is one member holding an object.
type cvMeta struct {
	Note string `json:"note"`
}

// cvShadow declares "info" through an embedded struct, first, and itself:
// encoding/json decodes the shallower field, a struct.
type cvShadow struct {
	cvShadowed
	Info cvTeam `json:"info"`
}

// cvShadowed is embedded in cvShadow; its "info" is hidden.
type cvShadowed struct {
	Info string `json:"info"`
}

// cvTeam is an element of slices, arrays and maps.
type cvTeam struct {
	Role string `json:"role"`
}

// cvNode is a recursive type.
type cvNode struct {
	Role string   `json:"role"`
	Kids []cvNode `json:"kids,omitempty"`
}

// cvOpaque decodes itself, so its members are its own business.
type cvOpaque struct {
	Raw string
}

// UnmarshalJSON keeps the value as text.
func (o *cvOpaque) UnmarshalJSON(b []byte) error {
	o.Raw = string(b)
	return nil
}

// cvCmp compares cvClaims, whose embedded structs are unexported.
func cvCmp() cmp.Options {
	return cmp.Options{vtCmp(), cmp.AllowUnexported(cvClaims{}, cvProfile{}, cvShadow{}), cmpopts.EquateEmpty()}
}

// TestCaseVariantNamesInNestedObjects: encoding/json matches member names
// to struct fields case-insensitively at every depth, so a name that equals
// a field's JSON name only under case folding would fill that field while
// every other JSON reader sees a different member. Such names are refused
// wherever C decodes a struct, with a ClaimError naming the path; names
// that match exactly, unrelated names, and values encoding/json does not
// decode into a struct are accepted.
func TestCaseVariantNamesInNestedObjects(t *testing.T) {
	t.Parallel()
	f := fixture(t)
	now := vtNow()
	v, err := jwtx.NewClaimsVerifier[cvClaims](vtRSKey(t), vtPolicyV(now)...)
	if err != nil {
		t.Fatalf("NewClaimsVerifier: %v", err)
	}
	for _, tc := range []struct {
		name      string
		claim     string // a member of the payload
		value     string // its raw JSON value
		wantClaim string // refused: the path in the ClaimError; "" means accepted
		want      func(*cvClaims)
	}{
		// Refused: a case variant of a field's JSON name, wherever a struct
		// is decoded.
		{name: "struct field", claim: "profile", value: `{"ROLE":"admin"}`, wantClaim: "profile.ROLE"},
		{name: "struct field, one letter", claim: "profile", value: `{"rolE":"admin"}`, wantClaim: "profile.rolE"},
		{name: "struct field, Kelvin sign", claim: "tree", value: `{"\u212aids":[]}`, wantClaim: "tree.\u212aids"},
		{name: "untagged field", claim: "profile", value: `{"name":"x"}`, wantClaim: "profile.name"},
		{name: "promoted field of an embedded struct", claim: "profile", value: `{"BY":"mallory"}`, wantClaim: "profile.BY"},
		{name: "embedded struct with a tag", claim: "profile", value: `{"Meta":{"note":"x"}}`, wantClaim: "profile.Meta"},
		{name: "inside an embedded struct with a tag", claim: "profile", value: `{"meta":{"NOTE":"x"}}`, wantClaim: "profile.meta.NOTE"},
		{name: "pointer to struct", claim: "manager", value: `{"Role":"admin"}`, wantClaim: "manager.Role"},
		{name: "slice of structs", claim: "teams", value: `[{"role":"a"},{"ROLE":"admin"}]`, wantClaim: "teams[1].ROLE"},
		{name: "array of structs", claim: "pair", value: `[{"Role":"admin"}]`, wantClaim: "pair[0].Role"},
		{name: "slice of pointers", claim: "leads", value: `[null,{"rOLE":"admin"}]`, wantClaim: "leads[1].rOLE"},
		{name: "map of structs", claim: "byOrg", value: `{"acme":{"Role":"admin"}}`, wantClaim: "byOrg.acme.Role"},
		{name: "map of slices of pointers", claim: "groups", value: `{"ops":[{"role":"a"},{"Role":"admin"}]}`, wantClaim: "groups.ops[1].Role"},
		{name: "recursive type", claim: "tree", value: `{"role":"a","kids":[{"role":"b","kids":[{"ROLE":"admin"}]}]}`, wantClaim: "tree.kids[0].kids[0].ROLE"},
		{name: "recursive type, field name", claim: "tree", value: `{"KIDS":[]}`, wantClaim: "tree.KIDS"},
		{name: "untagged claim holding a struct", claim: "Site", value: `{"Role":"admin"}`, wantClaim: "Site.Role"},
		{name: "claim promoted from an embedded struct", claim: "prefs", value: `{"Role":"admin"}`, wantClaim: "prefs.Role"},
		{name: "map of slices of arrays", claim: "deep", value: `{"k":[[{"role":"a"},{"ROLE":"b"}]]}`, wantClaim: "deep.k[0][1].ROLE"},
		{name: "claim of an embedded struct with a tag", claim: "tagged", value: `{"Note":"x"}`, wantClaim: "tagged.Note"},
		{name: "field hiding a promoted one", claim: "shadow", value: `{"info":{"ROLE":"admin"}}`, wantClaim: "shadow.info.ROLE"},
		{name: "claim hiding a promoted one", claim: "info", value: `{"ROLE":"admin"}`, wantClaim: "info.ROLE"},
		{name: "escaped name", claim: "profile", value: `{"R\u004fLE":"admin"}`, wantClaim: "profile.ROLE"},

		// Accepted: exact names, names unrelated to the type, and values
		// whose names encoding/json matches exactly or not at all.
		{name: "exact names", claim: "profile", value: `{"role":"user","Name":"Ann","by":"hr","meta":{"note":"n"}}`,
			want: func(c *cvClaims) {
				c.Profile = cvProfile{Role: "user", Name: "Ann", cvAudit: cvAudit{By: "hr"}, cvMeta: cvMeta{Note: "n"}}
			}},
		{name: "exact names in an embedded struct with a tag", claim: "tagged", value: `{"note":"t"}`,
			want: func(c *cvClaims) { c.cvMeta.Note = "t" }},
		{name: "exact names in a field hiding a promoted one", claim: "shadow", value: `{"info":{"role":"a"}}`,
			want: func(c *cvClaims) { c.Shadow.Info.Role = "a" }},
		{name: "unrelated names", claim: "profile", value: `{"role":"user","nickname":"x","ROLES":1}`,
			want: func(c *cvClaims) { c.Profile.Role = "user" }},
		{name: "ignored field's name", claim: "profile", value: `{"skipped":"x"}`, want: func(*cvClaims) {}},
		{name: "exact names in a slice", claim: "teams", value: `[{"role":"a"},{"role":"b"}]`,
			want: func(c *cvClaims) { c.Teams = []cvTeam{{Role: "a"}, {Role: "b"}} }},
		{name: "map keys are matched exactly", claim: "byOrg", value: `{"ROLE":{"role":"a"}}`,
			want: func(c *cvClaims) { c.ByOrg = map[string]cvTeam{"ROLE": {Role: "a"}} }},
		{name: "interface values are matched exactly", claim: "free", value: `{"ROLE":{"Role":1}}`,
			want: func(c *cvClaims) { c.Free = map[string]any{"ROLE": map[string]any{"Role": float64(1)}} }},
		{name: "self-decoding type", claim: "opaque", value: `{"ROLE":"x"}`,
			want: func(c *cvClaims) { c.Opaque.Raw = `{"ROLE":"x"}` }},
		{name: "null for a struct", claim: "manager", value: `null`, want: func(*cvClaims) {}},
		{name: "claim not declared", claim: "other", value: `{"ROLE":"x"}`, want: func(*cvClaims) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok := testutil.Sign(t, f.rs, vtH0, vtClaimsJSON(t, now, tc.claim, tc.value))
			got, _, err := v.Verify(context.Background(), tok)
			if tc.wantClaim == "" {
				if err != nil {
					t.Fatalf("Verify(%s) = %v, want success", tc.value, err)
				}
				var want cvClaims
				tc.want(&want)
				got.RegisteredClaims = jwtx.RegisteredClaims{}
				if diff := cmp.Diff(want, got, cvCmp()); diff != "" {
					t.Errorf("claims mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if diff := cmp.Diff(jwtx.ErrMalformed, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("Verify(%s) error mismatch (-want +got):\n%s\ngot error: %v", tc.value, diff, err)
			}
			if diff := cmp.Diff(cvClaims{}, got, cvCmp()); diff != "" {
				t.Errorf("claims returned with error %v (-want +got):\n%s", err, diff)
			}
			vtCheckNoLeak(t, tok, err)
			var ce *jwtx.ClaimError
			if !errors.As(err, &ce) {
				t.Fatalf("Verify(%s) error %v is not a *jwtx.ClaimError", tc.value, err)
			}
			if diff := cmp.Diff(tc.wantClaim, ce.Claim); diff != "" {
				t.Errorf("ClaimError.Claim mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
