package testutil_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestPayload(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, Claims](t)
	tok := env.Access(t, "alice")
	var got struct {
		Sub string `json:"sub"`
		JTI string `json:"jti"`
	}
	if err := json.Unmarshal(testutil.Payload(t, tok.Raw), &got); err != nil {
		t.Fatalf("Payload is not JSON: %v", err)
	}
	if diff := cmp.Diff([2]string{"alice", tok.ID}, [2]string{got.Sub, got.JTI}); diff != "" {
		t.Errorf("[sub, jti] of Payload (-want +got):\n%s", diff)
	}
	if got, want := string(testutil.Payload(t, testutil.Compact(`{}`, `{"a":1}`, nil))), `{"a":1}`; got != want {
		t.Errorf("Payload(Compact) = %s, want %s", got, want)
	}
}

func TestTamper(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, Claims](t)
	tok := env.Access(t, "bob").Raw
	tampered := testutil.Tamper(t, tok, `"sub":"bob"`, `"sub":"admin"`, `"admin"`, `"root"`)
	var c struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(testutil.Payload(t, tampered), &c); err != nil || c.Sub != "root" {
		t.Errorf("tampered sub = %q, %v; want root (the edits apply in turn)", c.Sub, err)
	}
	old, changed := strings.Split(tok, "."), strings.Split(tampered, ".")
	if old[0] != changed[0] || old[2] != changed[2] || old[1] == changed[1] {
		t.Errorf("Tamper changed segments other than the payload:\n%s\n%s", tok, tampered)
	}
	if _, _, err := env.Verifier.Verify(t.Context(), tampered); !errors.Is(err, jwtx.ErrSignature) {
		t.Errorf("Verify(tampered) = %v, want %v", err, jwtx.ErrSignature)
	}
	if got := testutil.Tamper(t, tok); got != tok {
		t.Errorf("Tamper without edits = %s, want the token unchanged", got)
	}
}

func TestTamperFailures(t *testing.T) {
	t.Parallel()
	tok := testutil.Compact(`{}`, `{"sub":"bob"}`, []byte("sig"))
	for _, tc := range []struct {
		name string
		fn   func(tb testing.TB)
		want string
	}{
		{name: "two segments", fn: func(tb testing.TB) { testutil.Payload(tb, "a.b") }, want: "2 segments"},
		{name: "bad base64", fn: func(tb testing.TB) { testutil.Payload(tb, "a.b=.c") }, want: "payload"},
		{name: "odd strings", fn: func(tb testing.TB) { testutil.Tamper(tb, tok, `"sub"`) }, want: "got 1 strings"},
		{name: "missing old string", fn: func(tb testing.TB) { testutil.Tamper(tb, tok, `"sub":"alice"`, `"sub":"x"`) }, want: `holds no "sub":"alice"`},
		{name: "not a token", fn: func(tb testing.TB) { testutil.Tamper(tb, "x", "a", "b") }, want: "1 segments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if msg := mustFail(t, tc.fn); !strings.Contains(msg, tc.want) {
				t.Errorf("failed with %q, want %q", msg, tc.want)
			}
		})
	}
}
