package jsonobj

import "math"

// Array is [Object] for a JSON array: it checks that data is exactly one
// JSON array, optionally surrounded by JSON whitespace, under the same rules
// and depth limit (the array itself is at depth 1), and then calls fn, in
// order, with the raw value of each element. fn is called only after the
// whole input has been validated; an error it returns stops the iteration
// and is returned unchanged. Values alias data as in Object.
//
// On invalid input Array returns an error matching [ErrSyntax],
// [ErrDuplicate], [ErrDepth] or [ErrEncoding]. It never panics.
func Array(data []byte, maxDepth int, fn func(value []byte) error) error {
	s := scanner{data: data, maxDepth: min(maxDepth, depthCap), maxMembers: math.MaxInt}
	start := s.skipSpace(0)
	if start >= len(data) {
		return errAt(ErrSyntax, "unexpected end of input", start)
	}
	if data[start] != '[' {
		return errAt(ErrSyntax, "top-level value is not an array", start)
	}
	if s.maxDepth < 1 {
		return errAt(ErrDepth, "array exceeds the depth limit", start)
	}
	end, err := s.array(start, 1)
	if err != nil {
		return err
	}
	if end = s.skipSpace(end); end != len(data) {
		return errAt(ErrSyntax, "data after the top-level array", end)
	}
	if fn == nil {
		return nil
	}
	// The array is valid: walk its elements again, with no error possible
	// from the scanner, without recording them first.
	i := s.skipSpace(start + 1)
	if data[i] == ']' {
		return nil
	}
	for {
		next, _ := s.value(i, 1)
		if err := fn(data[i:next:next]); err != nil {
			return err
		}
		i = s.skipSpace(next)
		if data[i] == ']' {
			return nil
		}
		i = s.skipSpace(i + 1) // past the comma
	}
}
