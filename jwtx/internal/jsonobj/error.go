package jsonobj

import "strconv"

// An Error reports invalid input: its kind, one of the sentinels, and what
// was wrong where. It never quotes the input.
type Error struct {
	Kind   error  // ErrSyntax, ErrDuplicate, ErrDepth, ErrMembers or ErrEncoding
	Reason string // what was wrong, such as "repeated member name"
	Offset int    // the byte offset of the problem in the input
}

// Error returns the kind, the reason and the offset.
func (e *Error) Error() string {
	return e.Kind.Error() + ": " + e.Reason + " at offset " + strconv.Itoa(e.Offset)
}

// Unwrap returns the kind, so that errors.Is matches the sentinel.
func (e *Error) Unwrap() error { return e.Kind }

// errAt reports the problem reason, of the kind sentinel, at offset off.
func errAt(sentinel error, reason string, off int) error {
	return &Error{Kind: sentinel, Reason: reason, Offset: off}
}
