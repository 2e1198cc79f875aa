package demotest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// No example program and no shared package but this one depends on
// demotest, testing or httptest: test code stays in tests.
func TestOnlyTestsImportThis(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command on PATH: %v", err)
	}
	out, err := exec.CommandContext(t.Context(), goTool, "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const self = "github.com/typedjwt/typedjwt/examples/internal/demotest"
	deps := map[string][]string{} // the dependencies of each package but this one
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] != self {
			deps[f[0]] = f[1:]
		}
	}
	if _, ok := deps["github.com/typedjwt/typedjwt/examples/internal/demo"]; !ok {
		t.Fatalf("go list did not list package demo; it listed:\n%s", out)
	}
	for _, tc := range []struct {
		name string
		dep  string
	}{
		{name: "demotest", dep: self},
		{name: "testing", dep: "testing"},
		{name: "httptest", dep: "net/http/httptest"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for pkg, d := range deps {
				if slices.Contains(d, tc.dep) {
					t.Errorf("%s depends on %s", pkg, tc.dep)
				}
			}
		})
	}
}
