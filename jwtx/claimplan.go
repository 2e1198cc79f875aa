package jwtx

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/typedjwt/typedjwt/jwtx/internal/jsonobj"
)

// A plan decodes JSON values into one Go type straight from a payload the
// strict scanner (jsonobj) has validated, instead of handing them to
// encoding/json, which would scan them again. Plans exist for the kinds of
// claims most types use: strings, booleans, integers, floats, and slices,
// pointers and structs of them. A plan gives what encoding/json gives and
// refuses what it refuses (a value of another JSON type, a number out of
// range); like the shapes of claimtype.go it also refuses member names that
// match a struct field only under case folding.
//
// Any type where encoding/json could behave otherwise has no plan, and its
// claims go to encoding/json: types that decode themselves, interfaces,
// maps, arrays, []byte (base64), json.Number, structs with embedded fields,
// with fields tagged ",string", or with two fields of one name.
type plan struct {
	kind planKind
	typ  reflect.Type
	// elem is the plan of a slice's elements or of a pointer's target.
	elem *plan
	// strings marks a slice whose elements are of type string, filled
	// without reflection per element; exact that the slice is []string.
	strings, exact bool
	// fields maps the JSON names of a struct's fields to their index and
	// plan; names lists them, for case variants; order has them in the
	// order of the struct, for encoding.
	fields map[string]planField
	names  []string
	order  []planField
}

type planKind uint8

const (
	stringPlan planKind = iota // the scalars the encoder writes come first
	boolPlan
	intPlan
	uintPlan
	floatPlan
	slicePlan
	pointerPlan
	structPlan
)

// planField is one field of a struct plan.
type planField struct {
	index int
	plan  *plan
	// name is the field's JSON name; omitEmpty and omitZero its tag's
	// options of those names.
	name                string
	omitEmpty, omitZero bool
}

// newPlanField returns the planField of field f, whose JSON name is name.
func newPlanField(f reflect.StructField, name string, pl *plan) planField {
	pf := planField{index: f.Index[0], plan: pl, name: name}
	pf.omitEmpty, pf.omitZero = tagOption(f.Tag.Get("json"), "omitempty"), tagOption(f.Tag.Get("json"), "omitzero")
	return pf
}

// planner builds plans, one per type, so that recursive types end in a
// cycle of plans.
type planner map[reflect.Type]*plan

// of returns the plan of t, or nil when values of t, or of a type inside
// it, are left to encoding/json.
func (p planner) of(t reflect.Type) *plan {
	if !direct(t, map[reflect.Type]bool{}) {
		return nil
	}
	return p.build(t)
}

// direct reports whether every type reachable from t can be decoded by a
// plan. seen holds the types already on the walk: a cycle back to one of
// them adds nothing to check.
func direct(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	if decodesItself(t) || t == reflect.TypeFor[json.Number]() {
		return false
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	case reflect.Slice:
		return t.Elem().Kind() != reflect.Uint8 && direct(t.Elem(), seen)
	case reflect.Pointer:
		return direct(t.Elem(), seen)
	case reflect.Struct:
		names := make(map[string]bool)
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous {
				return false
			}
			name, _, ok := jsonField(f)
			if !ok {
				continue
			}
			if names[name] || tagOption(f.Tag.Get("json"), "string") || !direct(f.Type, seen) {
				return false
			}
			names[name] = true
		}
		return true
	}
	return false
}

// tagOption reports whether a json tag has the option opt.
func tagOption(tag, opt string) bool {
	_, opts, _ := strings.Cut(tag, ",")
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == opt {
			return true
		}
	}
	return false
}

// build returns the plan of t, a type direct accepts.
func (p planner) build(t reflect.Type) *plan {
	if pl, ok := p[t]; ok {
		return pl
	}
	pl := &plan{typ: t}
	p[t] = pl
	switch t.Kind() {
	case reflect.String:
		pl.kind = stringPlan
	case reflect.Bool:
		pl.kind = boolPlan
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		pl.kind = intPlan
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		pl.kind = uintPlan
	case reflect.Float32, reflect.Float64:
		pl.kind = floatPlan
	case reflect.Slice:
		pl.kind = slicePlan
		pl.elem = p.build(t.Elem())
		pl.strings = t.Elem() == reflect.TypeFor[string]()
		pl.exact = t == reflect.TypeFor[[]string]()
	case reflect.Pointer:
		pl.kind = pointerPlan
		pl.elem = p.build(t.Elem())
	case reflect.Struct:
		pl.kind = structPlan
		pl.fields = make(map[string]planField)
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, ok := jsonField(f)
			if !ok {
				continue
			}
			pf := newPlanField(f, name, p.build(f.Type))
			pl.fields[name] = pf
			pl.names = append(pl.names, name)
			pl.order = append(pl.order, pf)
		}
	}
	return pl
}

// claimDecoder decodes values of a validated payload.
type claimDecoder struct {
	data []byte
	// src holds the same bytes as data: strings without escapes are
	// substrings of it, so that the claims share one allocation.
	src string
	// known is the number of elements of the array at data[knownAt], as
	// the scanner counted them; knownAt is -1 when there is none.
	knownAt, known int
}

// count returns the number of elements of the array at data[i].
func (d *claimDecoder) count(i int) int {
	if i == d.knownAt {
		return d.known
	}
	return d.elements(i)
}

// str decodes the string whose opening quote is at data[i] and returns it
// with the offset past it.
func (d *claimDecoder) str(i int) (string, int) {
	end, escaped := jsonobj.StringEnd(d.data, i)
	if !escaped {
		return d.src[i+1 : end-1], end
	}
	return string(jsonobj.Unescape(nil, d.data[i+1:end-1])), end
}

// numberEnd returns the offset just past the number that starts at data[i].
func (d *claimDecoder) numberEnd(i int) int {
	for i < len(d.data) {
		switch c := d.data[i]; {
		case '0' <= c && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			i++
		default:
			return i
		}
	}
	return i
}

// valueError is a value a plan refuses: of a JSON type the Go type cannot
// hold (as encoding/json's UnmarshalTypeError), or an object member whose
// name matches a field only under case folding. Where it is, the path, is
// filled in as the error travels up the values that hold it.
type valueError struct {
	value   string       // for a type error: "string", "number 1e400", ...
	typ     reflect.Type // for a type error: the Go type
	variant string       // for a case variant: the field's JSON name
	strct   string       // the struct holding the innermost field
	fields  []string     // the JSON names of the fields, innermost first
	path    []pathStep   // the path with array indices, innermost first
}

// pathStep is one step of a valueError's path: a member name or, with
// index set, an array index.
type pathStep struct {
	name  string
	index int
	isIdx bool
}

func (e *valueError) Error() string { return "jwtx: claim value refused" }

// typeError refuses the JSON value at data[i] for a value of type t.
func (d *claimDecoder) typeError(i int, t reflect.Type) error {
	var v string
	switch d.data[i] {
	case '"':
		v = "string"
	case '{':
		v = "object"
	case '[':
		v = "array"
	case 't', 'f':
		v = "bool"
	default:
		v = "number"
	}
	return &valueError{value: v, typ: t}
}

// inField records that err happened in the field name of a struct named
// strct.
func inField(err error, name, strct string) error {
	if e, ok := err.(*valueError); ok {
		e.fields = append(e.fields, name)
		e.path = append(e.path, pathStep{name: name})
		if e.strct == "" {
			e.strct = strct
		}
	}
	return err
}

// claimError turns an error of the decoding of the top-level member name
// of a struct named strct into the ClaimError the Verifier returns.
func claimError(err error, name, strct string) error {
	e, ok := inField(err, name, strct).(*valueError)
	if !ok {
		return err
	}
	var b strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		switch s := e.path[i]; {
		case s.isIdx:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case i < len(e.path)-1:
			b.WriteString("." + s.name)
		default:
			b.WriteString(s.name)
		}
	}
	if e.variant != "" {
		return caseVariantError([]byte(b.String()), e.variant)
	}
	fields := make([]string, len(e.fields))
	for i, f := range e.fields {
		fields[len(fields)-1-i] = f
	}
	te := &json.UnmarshalTypeError{Value: e.value, Type: e.typ, Struct: e.strct, Field: strings.Join(fields, ".")}
	return &ClaimError{Claim: truncate(te.Field), Err: malformed("%v", te)}
}

// value decodes the value at data[i] into v, which is addressable and
// holds the zero value of pl.typ, and returns the offset past the value.
// null leaves v as it is, as encoding/json does for a zero v.
func (d *claimDecoder) value(pl *plan, v reflect.Value, i int) (int, error) {
	c := d.data[i]
	if c == 'n' {
		return i + len("null"), nil
	}
	switch pl.kind {
	case stringPlan:
		if c != '"' {
			return 0, d.typeError(i, pl.typ)
		}
		s, end := d.str(i)
		v.SetString(s)
		return end, nil
	case boolPlan:
		switch c {
		case 't':
			v.SetBool(true)
			return i + len("true"), nil
		case 'f':
			return i + len("false"), nil
		}
		return 0, d.typeError(i, pl.typ)
	case intPlan, uintPlan, floatPlan:
		if c != '-' && (c < '0' || c > '9') {
			return 0, d.typeError(i, pl.typ)
		}
		end := d.numberEnd(i)
		return end, d.number(pl, v, d.src[i:end])
	case slicePlan:
		if c != '[' {
			return 0, d.typeError(i, pl.typ)
		}
		return d.slice(pl, v, i)
	case pointerPlan:
		p := reflect.New(pl.elem.typ)
		end, err := d.value(pl.elem, p.Elem(), i)
		if err != nil {
			return 0, err
		}
		v.Set(p)
		return end, nil
	case structPlan:
		if c != '{' {
			return 0, d.typeError(i, pl.typ)
		}
		return d.object(pl, v, i)
	}
	return 0, d.typeError(i, pl.typ)
}

// number decodes a JSON number as encoding/json does: integers through
// strconv.ParseInt or ParseUint (no fraction, no exponent), floats through
// ParseFloat at the field's size; out of range is a type error.
func (d *claimDecoder) number(pl *plan, v reflect.Value, s string) error {
	refuse := func() error { return &valueError{value: "number " + s, typ: pl.typ} }
	switch pl.kind {
	case intPlan:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v.OverflowInt(n) {
			return refuse()
		}
		v.SetInt(n)
	case uintPlan:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v.OverflowUint(n) {
			return refuse()
		}
		v.SetUint(n)
	default:
		f, err := strconv.ParseFloat(s, pl.typ.Bits())
		if err != nil || v.OverflowFloat(f) {
			return refuse()
		}
		v.SetFloat(f)
	}
	return nil
}

// elements counts the elements of the array at data[i].
func (d *claimDecoder) elements(i int) int {
	i = jsonobj.SkipSpace(d.data, i+1)
	if d.data[i] == ']' {
		return 0
	}
	n := 0
	for {
		n++
		i = jsonobj.SkipSpace(d.data, jsonobj.SkipValue(d.data, i))
		if d.data[i] == ']' {
			return n
		}
		i = jsonobj.SkipSpace(d.data, i+1)
	}
}

// slice decodes the array at data[i] into a new slice of exactly its
// length; [] gives an empty slice, not nil, as with encoding/json.
func (d *claimDecoder) slice(pl *plan, v reflect.Value, i int) (int, error) {
	n := d.count(i)
	i = jsonobj.SkipSpace(d.data, i+1)
	if pl.strings {
		s := make([]string, n)
		for k := range s {
			switch d.data[i] {
			case '"':
				s[k], i = d.str(i)
			case 'n':
				i += len("null")
			default:
				return 0, d.typeError(i, pl.elem.typ)
			}
			i = jsonobj.SkipSpace(d.data, jsonobj.SkipSpace(d.data, i)+1)
		}
		p := v.Addr()
		if !pl.exact {
			p = p.Convert(reflect.TypeFor[*[]string]())
		}
		*p.Interface().(*[]string) = s
		if n == 0 {
			i++
		}
		return i, nil
	}
	s := reflect.MakeSlice(pl.typ, n, n)
	for k := 0; k < n; k++ {
		end, err := d.value(pl.elem, s.Index(k), i)
		if err != nil {
			if e, ok := err.(*valueError); ok {
				e.path = append(e.path, pathStep{index: k, isIdx: true})
			}
			return 0, err
		}
		i = jsonobj.SkipSpace(d.data, jsonobj.SkipSpace(d.data, end)+1)
	}
	v.Set(s)
	if n == 0 {
		i++
	}
	return i, nil
}

// object decodes the object at data[i] into v, a struct: members named
// exactly as a field go into it, other members are ignored, and a name
// that matches a field only under case folding is refused.
func (d *claimDecoder) object(pl *plan, v reflect.Value, i int) (int, error) {
	i = jsonobj.SkipSpace(d.data, i+1)
	if d.data[i] == '}' {
		return i + 1, nil
	}
	for {
		name, end := d.str(i)
		i = jsonobj.SkipSpace(d.data, jsonobj.SkipSpace(d.data, end)+1) // past the colon
		if f, ok := pl.fields[name]; ok {
			end, err := d.value(f.plan, v.Field(f.index), i)
			if err != nil {
				return 0, inField(err, name, pl.typ.Name())
			}
			i = end
		} else {
			if s, ok := foldMatchString(pl.names, name); ok {
				return 0, &valueError{variant: s, path: []pathStep{{name: name}}}
			}
			i = jsonobj.SkipValue(d.data, i)
		}
		i = jsonobj.SkipSpace(d.data, i)
		if d.data[i] == '}' {
			return i + 1, nil
		}
		i = jsonobj.SkipSpace(d.data, i+1) // past the comma
	}
}

// foldMatchString is foldMatch for a name held in a string.
func foldMatchString(names []string, name string) (string, bool) {
	for _, s := range names {
		if strings.EqualFold(name, s) {
			return s, true
		}
	}
	return "", false
}
