package jwtx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// claimNames is what a Verifier knows about the JSON members of C.
type claimNames struct {
	exact map[string]struct{}
	list  []string
	// whole is set when C decodes itself (json.Unmarshaler): it is then
	// given the whole payload, not only its own members.
	whole bool
}

// checkName accepts a member name of C and any name unrelated to C. A name that is not one
// but equals one under case folding is ambiguous: encoding/json would decode
// it into that field (its matching is case-insensitive), although for every
// other JSON reader it is a different claim. checkName refuses it.
func (n *claimNames) checkName(name []byte) error {
	if _, ok := n.exact[string(name)]; ok {
		return nil
	}
	for _, s := range n.list {
		if bytes.EqualFold(name, []byte(s)) {
			return &ClaimError{Claim: truncate(string(name)), Err: fmt.Errorf("%w: differs from %q only in case", ErrMalformed, s)}
		}
	}
	return nil
}

// inspectClaims checks that C is a struct that embeds RegisteredClaims by
// value and declares no field of its own under a registered claim name, and
// returns the JSON member names of C.
func inspectClaims[C Claims]() (claimNames, error) {
	t := reflect.TypeFor[C]()
	if t.Kind() != reflect.Struct {
		return claimNames{}, fmt.Errorf("%w: claims type %v is not a struct", ErrConfig, t)
	}
	names := claimNames{exact: make(map[string]struct{})}
	if t == reflect.TypeFor[RegisteredClaims]() {
		for _, n := range registeredNames() {
			names.add(n)
		}
		return names, nil
	}
	if err := walkClaims(t, false, &names, map[reflect.Type]bool{}); err != nil {
		return claimNames{}, err
	}
	names.whole = reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]())
	if a, b, ok := names.collision(); ok {
		return claimNames{}, fmt.Errorf("%w: claims type %v has fields %q and %q, equal under case folding", ErrConfig, t, a, b)
	}
	return names, nil
}

func walkClaims(t reflect.Type, viaPointer bool, names *claimNames, seen map[reflect.Type]bool) error {
	if seen[t] {
		return nil
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			ptr := ft.Kind() == reflect.Pointer
			if ptr {
				ft = ft.Elem()
			}
			if ft == reflect.TypeFor[RegisteredClaims]() {
				if ptr || viaPointer {
					return fmt.Errorf("%w: claims type %v must embed jwtx.RegisteredClaims by value, not through a pointer", ErrConfig, t)
				}
				for _, n := range registeredNames() {
					names.add(n)
				}
				continue
			}
			if ft.Kind() == reflect.Struct {
				if err := walkClaims(ft, viaPointer || ptr, names, seen); err != nil {
					return err
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		for _, r := range registeredNames() {
			if strings.EqualFold(name, r) {
				return fmt.Errorf("%w: field %s of %v collides with the registered claim %q", ErrConfig, f.Name, t, r)
			}
		}
		names.add(name)
	}
	return nil
}

func (n *claimNames) add(name string) {
	if _, ok := n.exact[name]; ok {
		return
	}
	n.exact[name] = struct{}{}
	n.list = append(n.list, name)
}

// collision returns two names of C equal under case folding, which no
// token could carry: the verifier refuses such names as duplicates.
func (n *claimNames) collision() (string, string, bool) {
	for i, a := range n.list {
		for _, b := range n.list[i+1:] {
			if strings.EqualFold(a, b) {
				return a, b, true
			}
		}
	}
	return "", "", false
}

// registeredNames lists the JSON names of RegisteredClaims' fields.
func registeredNames() []string {
	return []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "type", "fresh", "csrf", "fam"}
}
