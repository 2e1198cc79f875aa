package jwtx_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDependencies keeps the library lean and its layers one-way: jwtx and
// httpx depend on no testing package and no assertion library, jwtx never
// on httpx, and outside the standard library only on jwx (and its own
// dependencies).
func TestDependencies(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command on PATH: %v", err)
	}
	for _, tc := range []struct {
		pkg       string
		forbidden []string
	}{
		{pkg: "github.com/typedjwt/typedjwt/jwtx", forbidden: []string{"testing", "net/http/httptest", "github.com/typedjwt/typedjwt/jwtx/httpx", "github.com/typedjwt/typedjwt/jwtx/testutil"}},
		{pkg: "github.com/typedjwt/typedjwt/jwtx/httpx", forbidden: []string{"testing", "net/http/httptest", "github.com/typedjwt/typedjwt/jwtx/testutil"}},
	} {
		out, err := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", tc.pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", tc.pkg, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			path, std, _ := strings.Cut(line, " ")
			if slices.Contains(tc.forbidden, path) {
				t.Errorf("%s depends on %s", tc.pkg, path)
			}
			thirdParty := std == "false" && !strings.HasPrefix(path, "github.com/typedjwt/typedjwt/")
			if thirdParty && !strings.HasPrefix(path, "github.com/lestrrat-go/") && !strings.HasPrefix(path, "golang.org/x/") &&
				!strings.HasPrefix(path, "github.com/goccy/go-json") && !strings.HasPrefix(path, "github.com/segmentio/asm") {
				t.Errorf("%s depends on %s, outside the standard library and jwx", tc.pkg, path)
			}
		}
	}
}

// TestNoJWXTypeInAPI keeps jwx out of the exported API: keys come in and
// go out as Go crypto keys and JWK JSON, so a jwx upgrade changes no
// user's code.
func TestNoJWXTypeInAPI(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command on PATH: %v", err)
	}
	for _, pkg := range []string{"github.com/typedjwt/typedjwt/jwtx", "github.com/typedjwt/typedjwt/jwtx/httpx", "github.com/typedjwt/typedjwt/jwtx/testutil"} {
		out, err := exec.CommandContext(t.Context(), goTool, "doc", "-all", pkg).Output()
		if err != nil {
			t.Fatalf("go doc %s: %v", pkg, err)
		}
		for line := range strings.Lines(string(out)) {
			for _, jwx := range []string{"jwk.", "jws.", "jwa.", "jwt.", "jwx"} {
				if strings.Contains(line, jwx) {
					t.Errorf("%s exports a jwx type: %s", pkg, strings.TrimSpace(line))
				}
			}
		}
	}
}
