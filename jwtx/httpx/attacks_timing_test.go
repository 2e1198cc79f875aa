package httpx_test

// Attack catalogue D7: timing side channels, as a code assertion.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// atkSecretOperand reports whether x is a value named in names, or a
// conversion, index, slice or dereference of one: the operands whose
// comparison would leak the value's content through timing. len(x) and
// cap(x) are lengths, which the caller may compare; a call other than a
// conversion yields something else.
func atkSecretOperand(x ast.Expr, names map[string]bool) bool {
	switch x := x.(type) {
	case *ast.Ident:
		return names[x.Name]
	case *ast.SelectorExpr:
		return names[x.Sel.Name]
	case *ast.ParenExpr:
		return atkSecretOperand(x.X, names)
	case *ast.StarExpr:
		return atkSecretOperand(x.X, names)
	case *ast.IndexExpr:
		return atkSecretOperand(x.X, names)
	case *ast.SliceExpr:
		return atkSecretOperand(x.X, names)
	case *ast.CallExpr:
		conversion := false
		switch f := x.Fun.(type) {
		case *ast.ArrayType:
			conversion = true
		case *ast.Ident:
			conversion = f.Name == "string"
		}
		return conversion && len(x.Args) == 1 && atkSecretOperand(x.Args[0], names)
	}
	return false
}

// atkHarmless reports whether x is "" or nil: comparing a value with them
// reveals only whether it is empty.
func atkHarmless(x ast.Expr) bool {
	switch x := x.(type) {
	case *ast.BasicLit:
		return x.Kind == token.STRING && x.Value == `""`
	case *ast.Ident:
		return x.Name == "nil"
	}
	return false
}

// atkCallName renders the function of a call as "pkg.Func", "Func" or
// "x.Method" (the selector's last name only).
func atkCallName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if id, ok := f.X.(*ast.Ident); ok {
			return id.Name + "." + f.Sel.Name
		}
		return "." + f.Sel.Name
	}
	return ""
}

// atkNames returns a set of names.
func atkNames(n ...string) map[string]bool {
	m := map[string]bool{}
	for _, s := range n {
		m[s] = true
	}
	return m
}

// atkVariableTime reports whether the call named name is a comparison
// that stops at the first difference.
func atkVariableTime(name string) bool {
	switch name {
	case "bytes.Equal", "bytes.Compare", "strings.Compare", "strings.EqualFold", "slices.Equal", "reflect.DeepEqual", "ascii.EqualFold":
		return true
	}
	return false
}

// atkTimingCheck walks the function bodies of f. It returns the
// comparisons that take a value named in secrets in variable time (==, !=
// or switch with anything but "" or nil, or a call that atkVariableTime
// names), and, for each function named in must, whether it
// makes the call must names with secret arguments only.
func atkTimingCheck(fset *token.FileSet, f *ast.File, secrets map[string]bool, must map[string]string) (violations []string, found map[string]bool) {
	found = map[string]bool{}
	report := func(n ast.Node, what string) {
		violations = append(violations, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), what))
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if n.Op != token.EQL && n.Op != token.NEQ {
					return true
				}
				x, y := atkSecretOperand(n.X, secrets), atkSecretOperand(n.Y, secrets)
				if (x && !atkHarmless(n.Y)) || (y && !atkHarmless(n.X)) {
					report(n, "variable-time comparison of a secret value with "+n.Op.String())
				}
			case *ast.SwitchStmt:
				if n.Tag != nil && atkSecretOperand(n.Tag, secrets) {
					report(n, "switch on a secret value")
				}
			case *ast.CallExpr:
				name := atkCallName(n)
				args := 0
				for _, a := range n.Args {
					if atkSecretOperand(a, secrets) {
						args++
					}
				}
				if atkVariableTime(name) && args > 0 {
					report(n, name+" on a secret value")
				}
				if want, ok := must[fn.Name.Name]; ok && name == want && args > 0 && args == len(n.Args) {
					found[fn.Name.Name] = true
				}
			}
			return true
		})
	}
	return violations, found
}

// TestSecretsComparedInConstantTime covers D7 with a code assertion
// instead of timing, which is flaky. It parses the library's source with go/parser and asserts, for
// the values named per file (MACs and signatures in jose.go and
// compact.go, CSRF values in csrf.go and refresh.go):
//
//  1. No ==, != or switch compares such a value (or a conversion, index
//     or slice of it) with anything but "" or nil; len() of it may be
//     compared, lengths are public.
//  2. No bytes.Equal, bytes.Compare, strings.Compare, strings.EqualFold,
//     slices.Equal, reflect.DeepEqual or ascii.EqualFold takes such a value.
//  3. The functions that compare them call the constant-time primitive
//     with those values only: (*Key).Verify calls hmac.Equal(sig, mac);
//     CSRFEqual calls subtle.ConstantTimeCompare([]byte(got), []byte(want));
//     checkCSRF and logout compare CSRF values through CSRFEqual.
//
// Values are recognised by name (identifiers and field selectors), so a
// secret copied into a variable of another name escapes the check; the
// checker's own test, TestTimingCheckerFlags, shows what it flags. It does not prove that the
// compiled code runs in constant time (that is crypto/hmac's and
// crypto/subtle's promise), and RSA, ECDSA and Ed25519 verification
// compare no secret.
func TestSecretsComparedInConstantTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		file    string
		secrets map[string]bool
		// must maps a function name to the call it must make with secret
		// arguments only.
		must map[string]string
	}{
		{name: "D7/jose.go", file: "../internal/jose/jose.go", secrets: atkNames("sig", "mac", "secret", "signature"),
			must: map[string]string{"Verify": "hmac.Equal"}},
		{name: "D7/compact.go", file: "../compact.go", secrets: atkNames("sig", "signature")},
		{name: "D7/csrf.go", file: "csrf.go", secrets: atkNames("got", "want", "claim", "csrf", "CSRF"),
			must: map[string]string{"CSRFEqual": "subtle.ConstantTimeCompare", "checkCookieRequest": "CSRFEqual"}},
		{name: "D7/refresh.go", file: "refresh.go", secrets: atkNames("got", "csrf", "CSRF"),
			must: map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, tc.file, nil, 0)
			if err != nil {
				t.Fatalf("parse %s: %v", tc.file, err)
			}
			violations, found := atkTimingCheck(fset, f, tc.secrets, tc.must)
			if len(violations) > 0 {
				t.Errorf("%s compares secret values in variable time:\n%s", tc.file, strings.Join(violations, "\n"))
			}
			for fn, call := range tc.must {
				if !found[fn] {
					t.Errorf("%s: %s does not call %s with the secret values", tc.file, fn, call)
				}
			}
		})
	}
}

// TestTimingCheckerFlags covers D7's checker itself: it flags what it
// exists to catch, lets through what is harmless, and recognises the
// required calls.
func TestTimingCheckerFlags(t *testing.T) {
	t.Parallel()
	t.Run("D7/checker", func(t *testing.T) {
		t.Parallel()
		const src = `package p

func bad(sig, mac []byte, got, want string) bool {
	if string(sig) == string(mac) { return true }  // line 4
	if bytes.Equal(sig, mac) { return true }       // line 5
	switch got { case want: return true }          // line 6
	if sig[0] != mac[0] { return false }           // line 7
	return got != want                             // line 8
}

func good(sig, mac []byte, got, want string) bool {
	if len(sig) != len(mac) || got == "" || sig == nil { return false }
	return hmac.Equal(sig, mac) && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func half(sig, other []byte) bool { return hmac.Equal(sig, other) }
`
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "p.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		violations, found := atkTimingCheck(fset, f, atkNames("sig", "mac", "got", "want"),
			map[string]string{"good": "hmac.Equal", "half": "hmac.Equal"})
		var lines []int
		for _, v := range violations {
			var line, col int
			if _, err := fmt.Sscanf(v, "p.go:%d:%d:", &line, &col); err != nil {
				t.Fatalf("violation %q: %v", v, err)
			}
			lines = append(lines, line)
		}
		if diff := cmp.Diff([]int{4, 5, 6, 7, 8}, lines); diff != "" {
			t.Errorf("flagged lines (-want +got):\n%s\n%s", diff, strings.Join(violations, "\n"))
		}
		if diff := cmp.Diff(map[string]bool{"good": true}, found); diff != "" {
			t.Errorf("required calls found (-want +got):\n%s", diff)
		}
	})
}
