package rpcauth

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

func TestRules(t *testing.T) {
	t.Parallel()
	r := NewRules("test")
	check := func(context.Context, jwtx.RegisteredClaims, string) error { return nil }
	for _, err := range []error{
		r.SetMode(httpx.Optional),
		r.SetMode(httpx.Fresh, "/shop.Admin/"),
		r.SetMode(httpx.Refresh, "/shop.Admin/Renew"),
		r.SetPublic("/grpc.health.v1.Health/"),
		r.AddCheck(check, "/shop.Admin/"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	ps, err := Compile[string, jwtx.RegisteredClaims](r)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		Public bool
		Mode   httpx.Mode
		Checks int
	}
	for method, want := range map[string]got{
		"/shop.Catalog/List":               {Mode: httpx.Optional},
		"/shop.Admin/Delete":               {Mode: httpx.Fresh, Checks: 1},
		"/shop.Admin/Renew":                {Mode: httpx.Refresh},
		"/grpc.health.v1.Health/Check":     {Public: true, Mode: httpx.Optional},
		"/grpc.health.v1.Health/Watch/ext": {Mode: httpx.Optional},
	} {
		p := ps.For(method)
		if diff := cmp.Diff(want, got{p.Public, p.Mode, len(p.Checks)}); diff != "" {
			t.Errorf("For(%q) mismatch (-want +got):\n%s", method, diff)
		}
	}
}

func TestRulesRefuse(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]func(*Rules) error{
		"no slash":          func(r *Rules) error { return r.SetPublic("shop.Admin/") },
		"no service":        func(r *Rules) error { return r.SetPublic("//Method") },
		"too deep":          func(r *Rules) error { return r.SetPublic("/a/b/c") },
		"public of nothing": func(r *Rules) error { return r.SetPublic() },
		"unknown mode":      func(r *Rules) error { return r.SetMode(httpx.Mode(9)) },
	} {
		if err := f(NewRules("test")); !errors.Is(err, jwtx.ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
	r := NewRules("test")
	if err := r.AddCheck(func(context.Context, jwtx.RegisteredClaims, int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := Compile[string, jwtx.RegisteredClaims](r); !errors.Is(err, jwtx.ErrConfig) {
		t.Errorf("Compile with a check of other types: %v, want ErrConfig", err)
	}
}

func TestBearer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		values  []string
		want    string
		wantErr error
	}{
		{values: nil},
		{values: []string{""}},
		{values: []string{"Basic abc"}},
		{values: []string{"bearer abc"}, want: "abc"},
		{values: []string{"Bearer a b"}, wantErr: httpx.ErrBadRequest},
		{values: []string{"Bearer "}, wantErr: httpx.ErrBadRequest},
		{values: []string{"Bearer a", "Bearer b"}, wantErr: httpx.ErrBadRequest},
	} {
		got, err := bearer(tc.values, "test")
		if got != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
			t.Errorf("bearer(%q) = %q, %v; want %q, %v", tc.values, got, err, tc.want, tc.wantErr)
		}
	}
}
