package jwtx_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestNumericDateJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: `1700000000`, want: time.Unix(1700000000, 0).UTC()},
		{in: `1700000000.5`, want: time.Unix(1700000000, 500000000).UTC()},
		{in: `1.7e9`, want: time.Unix(1700000000, 0).UTC()},
		{in: `-1`, want: time.Unix(-1, 0).UTC()},
		{in: `0`, want: time.Unix(0, 0).UTC()},
		{in: `253402300799`, want: time.Unix(253402300799, 0).UTC()},
		{in: `253402300800`, wantErr: true},
		{in: `9223372036854775808`, wantErr: true},
		{in: `1e300`, wantErr: true},
		{in: `"1700000000"`, wantErr: true},
		{in: `"2099-01-01T00:00:00Z"`, wantErr: true},
		{in: `true`, wantErr: true},
		{in: `null`, wantErr: true},
		{in: `[1700000000]`, wantErr: true},
		{in: `{"$date":1}`, wantErr: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			var d jwtx.NumericDate
			err := json.Unmarshal([]byte(tc.in), &d)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Unmarshal(%s) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if !d.Time.Equal(tc.want) {
				t.Errorf("Unmarshal(%s) = %v, want %v", tc.in, d.Time, tc.want)
			}
		})
	}
}

func TestClaimsMarshal(t *testing.T) {
	t.Parallel()
	at := time.Unix(1700000000, 0).UTC()
	for _, tc := range []struct {
		name string
		in   jwtx.RegisteredClaims
		want string
	}{
		{name: "empty", in: jwtx.RegisteredClaims{}, want: `{}`},
		{name: "one audience is a string", in: jwtx.RegisteredClaims{Audience: jwtx.Audience{"api"}}, want: `{"aud":"api"}`},
		{name: "several audiences are an array", in: jwtx.RegisteredClaims{Audience: jwtx.Audience{"a", "b"}}, want: `{"aud":["a","b"]}`},
		{name: "dates are seconds", in: jwtx.RegisteredClaims{ExpiresAt: jwtx.NewNumericDate(at.Add(999 * time.Millisecond))}, want: `{"exp":1700000000}`},
		{name: "fraction kept", in: jwtx.RegisteredClaims{IssuedAt: jwtx.NumericDate{Time: at.Add(250 * time.Millisecond)}}, want: `{"iat":1700000000.25}`},
		{name: "fresh false is written", in: jwtx.RegisteredClaims{Fresh: jwtx.FreshFlag(false)}, want: `{"fresh":false}`},
		{name: "fresh until", in: jwtx.RegisteredClaims{Fresh: jwtx.FreshUntil(at)}, want: `{"fresh":1700000000}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(b)); diff != "" {
				t.Errorf("Marshal (-want +got):\n%s", diff)
			}
			var back jwtx.RegisteredClaims
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if diff := cmp.Diff(tc.in, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAudienceAndFreshJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    jwtx.RegisteredClaims
		wantErr bool
	}{
		{in: `{"aud":"api"}`, want: jwtx.RegisteredClaims{Audience: jwtx.Audience{"api"}}},
		{in: `{"aud":["a","api"]}`, want: jwtx.RegisteredClaims{Audience: jwtx.Audience{"a", "api"}}},
		{in: `{"aud":[]}`, want: jwtx.RegisteredClaims{Audience: jwtx.Audience{}}},
		{in: `{"aud":null}`, wantErr: true},
		{in: `{"aud":[null]}`, wantErr: true},
		{in: `{"aud":[1,"api"]}`, wantErr: true},
		{in: `{"aud":["api",["api"]]}`, wantErr: true},
		{in: `{"aud":{"0":"api"}}`, wantErr: true},
		{in: `{"fresh":true}`, want: jwtx.RegisteredClaims{Fresh: jwtx.FreshFlag(true)}},
		{in: `{"fresh":1700000000.5}`, want: jwtx.RegisteredClaims{Fresh: jwtx.FreshUntil(time.Unix(1700000000, 5e8).UTC())}},
		{in: `{"fresh":"true"}`, wantErr: true},
		{in: `{"fresh":null}`, wantErr: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			var got jwtx.RegisteredClaims
			err := json.Unmarshal([]byte(tc.in), &got)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Unmarshal error = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Unmarshal (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFreshAt(t *testing.T) {
	t.Parallel()
	now := time.Unix(1700000000, 0)
	for _, tc := range []struct {
		name  string
		fresh jwtx.Fresh
		at    time.Time
		want  bool
	}{
		{"absent", jwtx.Fresh{}, now, false},
		{"false", jwtx.FreshFlag(false), now, false},
		{"true", jwtx.FreshFlag(true), now, true},
		{"until, before", jwtx.FreshUntil(now.Add(time.Second)), now, true},
		{"until, at the end", jwtx.FreshUntil(now), now, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.fresh.At(tc.at); got != tc.want {
				t.Errorf("At = %v, want %v", got, tc.want)
			}
		})
	}
}

// selfDecoding is a claims type with its own UnmarshalJSON.
type selfDecoding struct {
	jwtx.RegisteredClaims
	Seen []string `json:"-"`
}

// UnmarshalJSON records the members it is given and tries to overwrite
// the subject.
func (c *selfDecoding) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for k := range m {
		c.Seen = append(c.Seen, k)
	}
	c.Subject = "mallory"
	return nil
}

// TestSelfDecodingClaims: a claims type that decodes itself sees the whole
// payload, registered claims included, and cannot change the registered
// claims the verifier decoded.
func TestSelfDecodingClaims(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	key := hsKey(t)
	iss, err := jwtx.NewIssuer[string, jwtx.RegisteredClaims](key, jwtx.WithClock(testutil.NewClock(issuedAt)))
	if err != nil {
		t.Fatal(err)
	}
	ver, err := jwtx.NewClaimsVerifier[selfDecoding](key, jwtx.WithClock(testutil.NewClock(issuedAt)))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := iss.Access(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := ver.Verify(ctx, tok.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(c.Seen, "sub") || c.Subject != "alice" {
		t.Errorf("seen %v, subject %q", c.Seen, c.Subject)
	}
}

// FuzzAudienceUnmarshal: Audience.UnmarshalJSON never panics, and accepts
// exactly what the verifier's aud decoding accepts.
func FuzzAudienceUnmarshal(f *testing.F) {
	for _, s := range []string{`"api"`, `["a","b"]`, `[]`, `null`, `["a",null]`, `["a`, `"\u00e9"`, `[1]`, ` "x" `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a jwtx.Audience
		if err := a.UnmarshalJSON(b); err != nil {
			return
		}
		out, err := a.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON of a decoded audience: %v", err)
		}
		var back jwtx.Audience
		if err := back.UnmarshalJSON(out); err != nil || len(back) != len(a) {
			t.Fatalf("round trip of %q: %q, %v", b, out, err)
		}
	})
}
