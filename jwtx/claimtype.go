package jwtx

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode"
)

// claimNames is what a Verifier knows about the JSON members of C.
type claimNames struct {
	exact map[string]claimField
	list  []string
	// whole is set when C decodes itself (json.Unmarshaler): it is then
	// given the whole payload, not only its own members.
	whole bool
	// typeName is the name of C, for errors.
	typeName string
}

// claimField is what a Verifier knows about one member of C.
type claimField struct {
	// shape is the shape of the member's value when encoding/json decodes
	// it into a struct somewhere inside, or nil.
	shape *shape
	// plan decodes the member into the field of C at index, when not nil;
	// otherwise encoding/json decodes it.
	plan  *plan
	index int
}

// foldMatch returns the name of names equal to name under case folding, as
// encoding/json matches names to fields.
func foldMatch(names []string, name []byte) (string, bool) {
	for _, s := range names {
		if bytes.EqualFold(name, []byte(s)) {
			return s, true
		}
	}
	return "", false
}

// caseVariantError refuses the member at path, whose name differs from the
// JSON name of a field of the claims type only in case.
func caseVariantError(path []byte, field string) error {
	return &ClaimError{
		Claim: truncate(string(path)),
		Err:   fmt.Errorf("%w: differs from %q only in case; member names must match the claims type's JSON names exactly", ErrMalformed, field),
	}
}

// inspectClaims checks that C is a struct that embeds RegisteredClaims by
// value and declares no field of its own under a registered claim name, and
// returns the JSON member names of C with the shapes of their values.
func inspectClaims[C Claims]() (claimNames, error) {
	t := reflect.TypeFor[C]()
	if t.Kind() != reflect.Struct {
		return claimNames{}, fmt.Errorf("%w: claims type %v is not a struct", ErrConfig, t)
	}
	names := claimNames{exact: make(map[string]claimField), typeName: t.Name()}
	if t == reflect.TypeFor[RegisteredClaims]() {
		for _, n := range registeredNames() {
			names.add(n)
		}
		return names, nil
	}
	w := claimsWalk{names: &names, seen: map[reflect.Type]bool{}}
	if err := w.walk(t, false); err != nil {
		return claimNames{}, err
	}
	// The values of C's fields are walked for case variants as those of
	// any struct are; C itself is walked even when it decodes itself.
	top := shape{kind: structShape, fields: make(map[string]*shape)}
	shapes{}.addFields(&top, t)
	for name, s := range top.fields {
		if f, ok := names.exact[name]; ok && s != nil {
			f.shape = s
			names.exact[name] = f
		}
	}
	names.whole = reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]())
	if !names.whole {
		names.planFields(t)
	}
	if a, b, ok := names.collision(); ok {
		return claimNames{}, fmt.Errorf("%w: claims type %v has fields %q and %q, equal under case folding", ErrConfig, t, a, b)
	}
	return names, nil
}

// claimsWalk collects the member names of a claims type.
type claimsWalk struct {
	names *claimNames
	seen  map[reflect.Type]bool
}

func (w *claimsWalk) walk(t reflect.Type, viaPointer bool) error {
	if w.seen[t] {
		return nil
	}
	w.seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, embedded, ok := jsonField(f)
		ptr := f.Type.Kind() == reflect.Pointer
		switch {
		case !ok:
			continue
		case embedded == reflect.TypeFor[RegisteredClaims]():
			if ptr || viaPointer {
				return fmt.Errorf("%w: claims type %v must embed jwtx.RegisteredClaims by value, not through a pointer", ErrConfig, t)
			}
			for _, n := range registeredNames() {
				w.names.add(n)
			}
			continue
		case embedded != nil:
			if err := w.walk(embedded, viaPointer || ptr); err != nil {
				return err
			}
			continue
		}
		for _, r := range registeredNames() {
			if strings.EqualFold(name, r) {
				return fmt.Errorf("%w: field %s of %v collides with the registered claim %q", ErrConfig, f.Name, t, r)
			}
		}
		w.names.add(name)
	}
	return nil
}

func (n *claimNames) add(name string) {
	if _, ok := n.exact[name]; ok {
		return
	}
	n.exact[name] = claimField{}
	n.list = append(n.list, name)
}

// planFields gives a plan to each field C declares itself (not through an
// embedded struct) that encoding/json would decode as the plan does: the
// only field of C's top level under its name, without ",string", of a type
// with a plan. Names declared through embedded structs are left to
// encoding/json, which resolves them.
func (n *claimNames) planFields(t reflect.Type) {
	count := make(map[string]int)
	for i := 0; i < t.NumField(); i++ {
		if name, embedded, ok := jsonField(t.Field(i)); ok && embedded == nil {
			count[name]++
		}
	}
	p := planner{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, embedded, ok := jsonField(f)
		if !ok || embedded != nil || f.Anonymous || count[name] != 1 || tagOption(f.Tag.Get("json"), "string") {
			continue
		}
		cf, ok := n.exact[name]
		if !ok {
			continue
		}
		if cf.plan = p.of(f.Type); cf.plan != nil {
			cf.index = i
			n.exact[name] = cf
		}
	}
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

// A shape is the part of a claim's Go type in which encoding/json decodes
// JSON objects into structs, matching member names to fields with case
// folding. Verification walks a claim's value along its shape and refuses
// names that match a field only that way, as checkName does for the claims
// themselves. A nil *shape stands for a type with no such struct inside.
type shape struct {
	kind shapeKind
	// fields maps the JSON names of a struct's fields to the shapes of
	// their values; names lists them for the comparison under case folding.
	fields map[string]*shape
	names  []string
	// elem is the shape of the elements of a slice or array, or of the
	// values of a map.
	elem *shape
}

type shapeKind uint8

const (
	structShape shapeKind = iota // a JSON object decoded into a struct
	listShape                    // a JSON array decoded into a slice or array
	mapShape                     // a JSON object decoded into a map
)

// shapes builds shapes, one per Go type, so that recursive types end in a
// cycle of shapes rather than in endless recursion.
type shapes map[reflect.Type]*shape

// of returns the shape of values of type t, or nil. Types that decode
// themselves (json.Unmarshaler, encoding.TextUnmarshaler) and interfaces
// (which decode objects into maps, matching nothing by case folding) have
// none.
func (ss shapes) of(t reflect.Type) *shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := ss[t]; ok {
		return s
	}
	if decodesItself(t) {
		ss[t] = nil
		return nil
	}
	var s *shape
	switch t.Kind() {
	case reflect.Struct:
		s = &shape{kind: structShape, fields: make(map[string]*shape)}
		ss[t] = s
		ss.addFields(s, t)
		if len(s.names) == 0 { // nothing to match, so nothing refers back to s
			ss[t] = nil
			return nil
		}
		return s
	case reflect.Slice, reflect.Array:
		s = &shape{kind: listShape}
	case reflect.Map:
		s = &shape{kind: mapShape}
	default:
		ss[t] = nil
		return nil
	}
	// A cycle back to t while its element's shape is built (type L []L)
	// finds s here, so s.elem is never nil on such a cycle.
	ss[t] = s
	if s.elem = ss.of(t.Elem()); s.elem == nil {
		ss[t] = nil
		return nil
	}
	return s
}

// addFields adds to s the fields encoding/json decodes from a JSON object
// into a struct of type t: exported fields under their tag or Go name, and
// the fields of untagged embedded structs as if they were t's own. Like
// encoding/json, it goes down one level of embedding at a time, so that a
// name declared at several depths keeps the shallowest field; at one depth
// the first field keeps it (encoding/json may ignore both, but any of them
// is enough to refuse case variants of the name).
func (ss shapes) addFields(s *shape, t reflect.Type) {
	visited := map[reflect.Type]bool{t: true}
	for level := []reflect.Type{t}; len(level) > 0; {
		var next []reflect.Type
		for _, st := range level {
			for i := 0; i < st.NumField(); i++ {
				f := st.Field(i)
				name, inner, ok := jsonField(f)
				switch {
				case !ok:
				case inner != nil:
					if !visited[inner] {
						visited[inner] = true
						next = append(next, inner)
					}
				default:
					if _, ok := s.fields[name]; !ok {
						s.names = append(s.names, name)
						s.fields[name] = ss.of(f.Type)
					}
				}
			}
		}
		level = next
	}
}

// jsonField tells what encoding/json makes of struct field f: nothing (ok
// is false), the member name, or, for an untagged embedded struct, the
// struct type whose fields it promotes (embedded). It follows
// encoding/json's rules: unexported fields are ignored unless they embed a
// struct, tag "-" ignores a field, and a tag name that encoding/json
// would not accept leaves the field under its Go name.
func jsonField(f reflect.StructField) (name string, embedded reflect.Type, ok bool) {
	ft := f.Type
	if f.Anonymous && ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	isStruct := f.Anonymous && ft.Kind() == reflect.Struct
	if !f.IsExported() && !isStruct {
		return "", nil, false
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", nil, false
	}
	name, _, _ = strings.Cut(tag, ",")
	if !validTagName(name) {
		name = ""
	}
	switch {
	case name != "":
		return name, nil, true
	case isStruct:
		return "", ft, true
	}
	return f.Name, nil, true
}

// validTagName is encoding/json's test of a name in a json tag.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// decodesItself reports whether encoding/json hands values of type t to a
// method of t instead of matching member names to fields.
func decodesItself(t reflect.Type) bool {
	p := reflect.PointerTo(t)
	for _, i := range []reflect.Type{reflect.TypeFor[json.Unmarshaler](), reflect.TypeFor[encoding.TextUnmarshaler]()} {
		if t.Implements(i) || p.Implements(i) {
			return true
		}
	}
	return t.Kind() == reflect.Interface
}
