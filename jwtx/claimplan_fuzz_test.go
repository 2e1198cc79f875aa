package jwtx

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// planClaims has a custom claim of every kind a plan decodes, nested and
// in slices, beside ones left to encoding/json.
type planClaims struct {
	RegisteredClaims
	Name     string          `json:"name"`
	Tags     []string        `json:"tags"`
	Named    planList        `json:"named"`
	Roles    []planRole      `json:"roles"`
	Count    int64           `json:"count"`
	Small    int8            `json:"small"`
	Size     uint16          `json:"size"`
	Big      uint64          `json:"big"`
	Ratio    float64         `json:"ratio"`
	Narrow   float32         `json:"narrow"`
	On       bool            `json:"on"`
	Org      *planOrg        `json:"org"`
	Teams    []planOrg       `json:"teams"`
	Ptrs     []*string       `json:"ptrs"`
	Nums     []int           `json:"nums"`
	Matrix   [][]float64     `json:"matrix"`
	Tree     *planNode       `json:"tree"`
	Untagged string          // the JSON name is "Untagged"
	Free     map[string]any  `json:"free"`          // encoding/json
	Quoted   int             `json:"quoted,string"` // encoding/json
	Raw      json.RawMessage `json:"raw"`           // encoding/json
}

type planList []string

type planRole string

type planOrg struct {
	ID    string   `json:"id"`
	Level int      `json:"level"`
	Admin bool     // the JSON name is "Admin"
	Sub   *planOrg `json:"sub"`
}

type planNode struct {
	Role string     `json:"role"`
	Kids []planNode `json:"kids"`
}

// planSeeds are payloads for FuzzPlan: well-typed, mistyped, case
// variants, nulls, escapes, numbers at and over the limits.
func planSeeds() []string {
	return []string{
		`{"sub":"alice","name":"Ann","tags":["a","b"],"named":["x"],"roles":["admin"],"count":7,"small":-128,"size":65535,"big":18446744073709551615,"ratio":0.5,"narrow":1.5,"on":true}`,
		`{"org":{"id":"o-1","level":3,"Admin":true,"sub":{"id":"o-2"}},"teams":[{"id":"t"},{}],"ptrs":["p",null],"nums":[1,-2],"matrix":[[1.5],[]],"tree":{"role":"r","kids":[{"role":"k","kids":[]}]}}`,
		`{"Untagged":"u","free":{"A":1},"quoted":"12","raw":{"x":[1]}}`,
		`{"name":null,"tags":null,"org":null,"teams":[null],"tags":[null,"a"]}`,
		`{"tags":[],"teams":[],"nums":[ 1 , 2 ],"name":"\u00e9\"\\\/\ud83d\ude00"}`,
		`{"small":128}`, `{"size":-1}`, `{"size":-0}`, `{"count":1.0}`, `{"count":1e3}`, `{"count":9223372036854775808}`,
		`{"narrow":1e39}`, `{"ratio":1e400}`, `{"ratio":-0}`, `{"big":18446744073709551616}`,
		`{"name":1}`, `{"tags":"a"}`, `{"tags":[1]}`, `{"on":"true"}`, `{"on":1}`, `{"org":"x"}`, `{"org":{"id":1}}`,
		`{"teams":[{"ID":"x"}]}`, `{"org":{"sub":{"LEVEL":1}}}`, `{"tree":{"kids":[{"Kids":[]}]}}`, `{"org":{"admin":true}}`,
		`{"NAME":"x"}`, `{"untagged":"x"}`, `{"org":{"i\u0044":"x"}}`, `{"org":{"other":[{"ID":1}]}}`,
		`{"matrix":[[1,"a"]]}`, `{"ptrs":[1]}`, `{"roles":[null,"r"]}`, `{"named":[true]}`,
	}
}

// FuzzPlan cross-checks the plans against encoding/json: on any payload
// the strict scanner accepts, decoding with the plans of planClaims and
// decoding with encoding/json alone (the same verifier path with the plans
// removed) either both succeed with equal claims, or both refuse, each
// with ErrMalformed.
func FuzzPlan(f *testing.F) {
	for _, s := range planSeeds() {
		f.Add([]byte(s))
	}
	names, err := inspectClaims[planClaims]()
	if err != nil {
		f.Fatal(err)
	}
	planned := 0
	legacy := claimNames{exact: make(map[string]claimField), list: names.list, typeName: names.typeName}
	for name, cf := range names.exact {
		if cf.plan != nil {
			planned++
		}
		cf.plan = nil
		legacy.exact[name] = cf
	}
	if want := 18; planned != want {
		f.Fatalf("%d members of planClaims have a plan, want %d", planned, want)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if _, err := jsonobj.Members(payload, maxClaimsDepth, nil); err != nil {
			return // refused before any decoding, by both
		}
		var got, want planClaims
		errGot := decodeClaims(payload, string(payload), &names, false, &got)
		errWant := decodeClaims(payload, string(payload), &legacy, false, &want)
		switch {
		case errGot == nil && errWant == nil:
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s:\nplans         %+v\nencoding/json %+v", payload, got, want)
			}
		case errGot == nil || errWant == nil:
			t.Fatalf("%s: plans %v, encoding/json %v", payload, errGot, errWant)
		case !errors.Is(errGot, ErrMalformed) || !errors.Is(errWant, ErrMalformed):
			t.Fatalf("%s: plans %v, encoding/json %v: want ErrMalformed", payload, errGot, errWant)
		}
	})
}

// TestPlanErrors: a value a plan refuses is reported as encoding/json
// reports it, under the path of its claim.
func TestPlanErrors(t *testing.T) {
	t.Parallel()
	names, err := inspectClaims[planClaims]()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		payload, claim, text string
	}{
		{`{"name":1}`, "name", "json: cannot unmarshal number into Go struct field planClaims.name of type string"},
		{`{"org":{"id":1}}`, "org.id", "json: cannot unmarshal number into Go struct field planOrg.org.id of type string"},
		{`{"teams":[{},{"sub":{"level":"x"}}]}`, "teams.sub.level", "json: cannot unmarshal string into Go struct field planOrg.teams.sub.level of type int"},
		{`{"small":300}`, "small", "json: cannot unmarshal number 300 into Go struct field planClaims.small of type int8"},
		{`{"roles":["a",{}]}`, "roles", "json: cannot unmarshal object into Go struct field planClaims.roles of type jwtx.planRole"},
		{`{"teams":[{},{"ID":"x"}]}`, "teams[1].ID", `differs from "id" only in case`},
		{`{"tree":{"kids":[{"KIDS":[]}]}}`, "tree.kids[0].KIDS", `differs from "kids" only in case`},
	} {
		var c planClaims
		err := decodeClaims([]byte(tc.payload), tc.payload, &names, false, &c)
		var ce *ClaimError
		if !errors.As(err, &ce) || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want a ClaimError for ErrMalformed", tc.payload, err)
			continue
		}
		if ce.Claim != tc.claim {
			t.Errorf("%s: claim %q, want %q", tc.payload, ce.Claim, tc.claim)
		}
		if got := ce.Err.Error(); !strings.Contains(got, tc.text) {
			t.Errorf("%s: %q does not say %q", tc.payload, got, tc.text)
		}
	}
}
