package jwtx_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// taggedRoles has a claim whose JSON name differs from its Go name.
type taggedRoles struct {
	jwtx.RegisteredClaims
	Roles []string `json:"roles"`
}

// TestErrorMessagesSayWhatToDo pins the messages a new user met while
// porting services: each says what happened and what to do, names no
// internal package, and carries the package prefix once.
func TestErrorMessagesSayWhatToDo(t *testing.T) {
	t.Parallel()
	env := testutil.NewEnv[string, taggedRoles](t)
	ctx := t.Context()
	access := env.Access(t, "alice")
	refresh := env.Refresh(t, "alice")
	withAud, err := env.Issuer.Access(ctx, "alice", jwtx.ForAudience("billing"))
	if err != nil {
		t.Fatal(err)
	}
	audVer, err := jwtx.NewVerifier[string, taggedRoles](env.Key.Public(), jwtx.WithClock(env.Clock), jwtx.WithAudience("reports"))
	if err != nil {
		t.Fatal(err)
	}
	noAud, err := jwtx.NewVerifier[string, taggedRoles](env.Key.Public(), jwtx.WithClock(env.Clock))
	if err != nil {
		t.Fatal(err)
	}
	_, extraErr := env.Issuer.Access(ctx, "alice", jwtx.ExtraClaims(map[string]any{"Roles": []string{"admin"}}))
	for _, tc := range []struct {
		name string
		err  func() error
		want string
	}{
		{
			name: "scheme passed with the token",
			err:  func() error { _, _, err := env.Verifier.Verify(ctx, "Bearer "+access.Raw); return err },
			want: `jwtx: malformed token: the token starts with "Bearer": pass the token alone, without its scheme (take the part after "Bearer ")`,
		},
		{
			name: "a refresh token where an access token is needed",
			err:  func() error { _, _, err := env.Verifier.Verify(ctx, refresh.Raw); return err },
			want: `jwtx: header typ: wrong token type: typ "refresh+jwt" where "at+jwt" is needed (FlaskCompat accepts "JWT"; WithHeaderTypes sets others)`,
		},
		{
			name: "a token with an audience at a verifier without one",
			err:  func() error { _, _, err := noAud.Verify(ctx, withAud.Raw); return err },
			want: `jwtx: claim "aud": wrong audience: the token names an audience and this verifier expects none: configure WithAudience with the audience this service is`,
		},
		{
			name: "a token for another audience",
			err:  func() error { _, _, err := audVer.Verify(ctx, withAud.Raw); return err },
			want: `jwtx: claim "aud": wrong audience: the token is not for "reports": check WithAudience, or the audience the issuer writes`,
		},
		{
			name: "an extra claim that differs from a field's JSON name only in case",
			err:  func() error { return extraErr },
			want: `jwtx: invalid configuration: extra claim "Roles" differs from the claim "roles" only in case, and claim names must match exactly (a field's JSON name): use "roles", or set the field with Modify`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.err()
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if strings.Count(err.Error(), "jwtx: ") > 1 || strings.Contains(err.Error(), "jsonobj") {
				t.Errorf("message repeats its prefix or names an internal package: %s", err)
			}
		})
	}
}
