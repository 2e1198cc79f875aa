package httpx_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/httpx"
)

// reasonTable renders the reason table (httpx.Answers) as the README shows
// it. A sentinel missing from names fails the test: the README must name it.
func reasonTable(t *testing.T) string {
	t.Helper()
	names := map[error]string{
		httpx.ErrNoToken: "httpx.ErrNoToken", httpx.ErrBadRequest: "httpx.ErrBadRequest", httpx.ErrCSRF: "httpx.ErrCSRF",
		httpx.ErrCrossOrigin: "httpx.ErrCrossOrigin", httpx.ErrForbidden: "httpx.ErrForbidden",
		httpx.ErrInsufficientScope: "httpx.ErrInsufficientScope", httpx.ErrStepUp: "httpx.ErrStepUp",
		jwtx.ErrRevocationUnavailable: "jwtx.ErrRevocationUnavailable", jwtx.ErrJWKS: "jwtx.ErrJWKS",
		jwtx.ErrUserLoad: "jwtx.ErrUserLoad", jwtx.ErrUserNotFound: "jwtx.ErrUserNotFound", jwtx.ErrReused: "jwtx.ErrReused",
		jwtx.ErrSignature: "jwtx.ErrSignature", jwtx.ErrKeyNotFound: "jwtx.ErrKeyNotFound", jwtx.ErrAlgorithm: "jwtx.ErrAlgorithm",
		jwtx.ErrRevoked: "jwtx.ErrRevoked", jwtx.ErrTokenType: "jwtx.ErrTokenType", jwtx.ErrMalformed: "jwtx.ErrMalformed",
		jwtx.ErrTooLarge: "jwtx.ErrTooLarge", jwtx.ErrUnsupported: "jwtx.ErrUnsupported", jwtx.ErrIssuer: "jwtx.ErrIssuer",
		jwtx.ErrAudience: "jwtx.ErrAudience", jwtx.ErrNotYetValid: "jwtx.ErrNotYetValid", jwtx.ErrIssuedAt: "jwtx.ErrIssuedAt",
		jwtx.ErrMissingClaim: "jwtx.ErrMissingClaim", jwtx.ErrClaims: "jwtx.ErrClaims", jwtx.ErrNotFresh: "jwtx.ErrNotFresh",
		jwtx.ErrExpired: "jwtx.ErrExpired",
	}
	code := func(s string) string {
		if s == "" {
			return ""
		}
		return "`" + s + "`"
	}
	var b strings.Builder
	b.WriteString("| reason | status | RFC 6750 error | message | errors (first match wins) |\n| --- | --: | --- | --- | --- |\n")
	for _, a := range httpx.Answers() {
		var errs []string
		for _, e := range a.Errors {
			n, ok := names[e]
			if !ok {
				t.Fatalf("reason %s matches %v, which the README table does not name: add it to names", a.Reason, e)
			}
			errs = append(errs, code(n))
		}
		fmt.Fprintf(&b, "| `%s` | %d | %s | %s | %s |\n", a.Reason, a.Status, code(a.Code), code(a.Message), strings.Join(errs, ", "))
	}
	return b.String()
}

// TestREADMEReasonTable: the README's reason table is the one the code
// answers with.
func TestREADMEReasonTable(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- reasons -->\n")
	table, _, ok2 := strings.Cut(rest, "<!-- /reasons -->")
	if !ok || !ok2 {
		t.Fatal("README.md has no <!-- reasons --> ... <!-- /reasons --> block")
	}
	if diff := cmp.Diff(reasonTable(t), table); diff != "" {
		t.Errorf("README.md's reason table differs from httpx.Answers() (-want +got):\n%s", diff)
	}
}
