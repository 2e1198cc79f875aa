package testutil

import (
	"reflect"
	"strings"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
)

// IgnoreVolatile returns a cmp.Option that ignores the claims that change
// each time a token is issued: jti, iat, nbf, exp, csrf and fam (the
// refresh-token family, new for each login), wherever a
// jwtx.RegisteredClaims value is compared, including embedded in a claims
// struct. Every other claim (iss, sub, aud, type, fresh and the
// application's own) is still compared:
//
//	if diff := cmp.Diff(want, got, testutil.IgnoreVolatile()); diff != "" {
//		t.Errorf("claims mismatch (-want +got):\n%s", diff)
//	}
//
// Fields are matched by their JSON claim names, so the option keeps working
// when RegisteredClaims gains fields.
func IgnoreVolatile() cmp.Option {
	rc := reflect.TypeFor[jwtx.RegisteredClaims]()
	return cmp.FilterPath(func(p cmp.Path) bool {
		sf, ok := p.Last().(cmp.StructField)
		if !ok || p.Index(-2).Type() != rc {
			return false
		}
		name, _, _ := strings.Cut(rc.Field(sf.Index()).Tag.Get("json"), ",")
		switch name {
		case "jti", "iat", "nbf", "exp", "csrf", "fam":
			return true
		}
		return false
	}, cmp.Ignore())
}
