package jwtx

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// encClaims has a custom claim of every kind the encoder's plans write,
// with the tag options that change what is written.
type encClaims struct {
	RegisteredClaims
	Name     string   `json:"name"`
	Opt      string   `json:"opt,omitempty"`
	Tags     []string `json:"tags"`
	TagsE    []string `json:"tagsE,omitempty"`
	TagsZ    []string `json:"tagsZ,omitzero"`
	Count    int64    `json:"count"`
	Small    int8     `json:"small,omitempty"`
	Size     uint16   `json:"size"`
	On       bool     `json:"on,omitempty"`
	Ptr      *string  `json:"ptr"`
	Nums     []int    `json:"nums"`
	Role     planRole `json:"role"`
	Org      *encOrg  `json:"org,omitempty"`
	Teams    []encOrg `json:"teams"`
	Untagged string
	Skipped  string `json:"-"`
}

type encOrg struct {
	ID    string  `json:"id"`
	Level int     `json:"level,omitempty"`
	Sub   *encOrg `json:"sub,omitempty"`
	Zero  encZero `json:"zero,omitzero"`
}

type encZero struct {
	A int `json:"a"`
}

// FuzzEncodePlan cross-checks the encoder's plans against encoding/json:
// C's own fields written by the plans are byte for byte what
// encoding/json writes (the encoder's path without plans), or both are
// refused, for U+0000 in a string or nesting deeper than the verifier
// reads.
func FuzzEncodePlan(f *testing.F) {
	f.Add("Ann", "", "a", int64(7), int8(0), uint16(1), true, uint8(3), uint8(2))
	f.Add("<&>\u2028\xff", "o", "\x00", int64(-1), int8(-128), uint16(65535), false, uint8(0), uint8(0))
	f.Add("", "x", "", int64(1<<62), int8(1), uint16(0), true, uint8(255), uint8(40))
	f.Add("é\"\\\n", "\t", "tag", int64(0), int8(5), uint16(5), false, uint8(7), uint8(29))
	e := newClaimsEncoder[encClaims]()
	if !e.direct {
		f.Fatal("encClaims has no plans")
	}
	legacy := e
	legacy.direct = false
	f.Fuzz(func(t *testing.T, name, opt, tag string, count int64, small int8, size uint16, on bool, shape, depth uint8) {
		c := encClaims{Name: name, Opt: opt, Count: count, Small: small, Size: size, On: on, Role: planRole(tag), Untagged: tag, Skipped: name}
		if shape&1 != 0 {
			c.Tags = []string{}
		}
		if shape&2 != 0 {
			c.Tags = append(c.Tags, tag, name)
			c.TagsE, c.TagsZ = []string{}, []string{}
		}
		if shape&4 != 0 {
			c.Ptr = &opt
			c.Nums = []int{int(count), -1}
		}
		if shape&8 != 0 {
			c.TagsE, c.TagsZ = c.Tags, nil
		}
		for d := 0; d < int(depth); d++ {
			c.Org = &encOrg{ID: tag, Level: d, Sub: c.Org, Zero: encZero{A: d % 2}}
		}
		if shape&16 != 0 && c.Org != nil {
			c.Teams = []encOrg{*c.Org, {}}
		}
		r := &RegisteredClaims{Subject: "s"}
		got, errGot := encodeClaims(&e, nil, &c, r, false)
		want, errWant := encodeClaims(&legacy, nil, &c, r, false)
		switch {
		case errGot == nil && errWant == nil:
			if !bytes.Equal(got, want) {
				t.Fatalf("plans:\n%s\nencoding/json:\n%s", got, want)
			}
			if err := jsonobj.Object(got, maxClaimsDepth, nil); err != nil {
				t.Fatalf("the verifier's scanner refuses %s: %v", got, err)
			}
		case errGot == nil || errWant == nil:
			t.Fatalf("plans: %v, encoding/json: %v", errGot, errWant)
		case !sameRefusal(errGot, errWant):
			t.Fatalf("plans: %v, encoding/json: %v", errGot, errWant)
		}
	})
}

// FuzzAppendString: appendString writes a string exactly as
// encoding/json does.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain ascii text", "\b\f\n\r\t\x00\x1f", "<a href='x'>&amp;</a>", "\u2028\u2029", "\xff\xfe", "é😀\xed\xa0\x80", strings.Repeat("x\"", 9)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, encoding/json %s", s, got, want)
		}
		if got := appendString(nil, []byte(s)); !bytes.Equal(got, want) {
			t.Fatalf("appendString([]byte(%q)) = %s, encoding/json %s", s, got, want)
		}
	})
}

// sameRefusal reports whether two encoding errors are the same refusal
// of the verifier's scanner.
func sameRefusal(a, b error) bool {
	for _, kind := range []error{jsonobj.ErrEncoding, jsonobj.ErrDepth} {
		if errors.Is(a, kind) && errors.Is(b, kind) {
			return true
		}
	}
	return false
}

// TestEncodePlanChoice: the encoder writes C's own fields by plans only
// when encoding/json would write every one of them the same way.
func TestEncodePlanChoice(t *testing.T) {
	t.Parallel()
	type withFloat struct {
		RegisteredClaims
		Ratio float64 `json:"ratio"`
	}
	type withMap struct {
		RegisteredClaims
		M map[string]string `json:"m"`
	}
	type withQuoted struct {
		RegisteredClaims
		N int `json:"n,string"`
	}
	type withDate struct {
		RegisteredClaims
		When NumericDate `json:"when"`
	}
	type foldTwins struct {
		ID string `json:"id"`
		Id string `json:"Id"` //lint:ignore ST1003 the name is the point
	}
	type withTwins struct {
		RegisteredClaims
		T foldTwins `json:"t"`
	}
	for name, got := range map[string]bool{
		"encClaims":         newClaimsEncoder[encClaims]().direct,
		"RegisteredClaims":  newClaimsEncoder[RegisteredClaims]().direct,
		"float":             newClaimsEncoder[withFloat]().direct,
		"map":               newClaimsEncoder[withMap]().direct,
		",string":           newClaimsEncoder[withQuoted]().direct,
		"MarshalJSON":       newClaimsEncoder[withDate]().direct,
		"fold-equal fields": newClaimsEncoder[withTwins]().direct,
	} {
		want := name == "encClaims" || name == "RegisteredClaims"
		if got != want {
			t.Errorf("%s: direct = %v, want %v", name, got, want)
		}
	}
	if strings.Contains(string(mustEncode(t, encClaims{Skipped: "x"})), "Skipped") {
		t.Errorf("a field tagged \"-\" was written")
	}
}

func mustEncode(t *testing.T, c encClaims) []byte {
	t.Helper()
	e := newClaimsEncoder[encClaims]()
	b, err := encodeClaims(&e, nil, &c, &c.RegisteredClaims, false)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
