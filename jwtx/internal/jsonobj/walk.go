package jsonobj

import (
	"encoding/binary"
	"math/bits"
)

// The functions of this file read JSON that [Members] (or [Object]) has
// validated: they check nothing, and on input that is not valid JSON their
// results are meaningless, though they never read out of bounds.

// SkipSpace returns the offset of the first byte at or after i that is not
// JSON whitespace, or len(data).
func SkipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// StringEnd returns the offset just past the closing quote of the valid
// JSON string whose opening quote is at data[i], and whether the string
// contains escape sequences. With none, its contents are data[i+1:end-1];
// otherwise [Unescape] them.
func StringEnd(data []byte, i int) (end int, escaped bool) {
	i++
	for {
		i = plainRun(data, i)
		if i >= len(data) {
			return len(data), escaped
		}
		switch data[i] {
		case '"':
			return i + 1, escaped
		case '\\':
			escaped = true
			i += 2 // the escape's letter; \uXXXX's digits are plain
		default: // non-ASCII: valid UTF-8, needs no care here
			i++
		}
	}
}

// SkipValue returns the offset just past the valid JSON value that starts
// at data[i].
func SkipValue(data []byte, i int) int {
	if i >= len(data) {
		return len(data)
	}
	switch data[i] {
	case '"':
		end, _ := StringEnd(data, i)
		return end
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i, _ = StringEnd(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(data)
	}
	// A number or a literal: up to the next delimiter.
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// Unescape appends the unescaped form of body, the contents (without the
// quotes) of a valid JSON string, to dst.
func Unescape(dst, body []byte) []byte { return unescape(dst, body) }

// Masks for reading a string eight bytes at a time.
const (
	lsb = 0x0101010101010101 // the low bit of each byte
	msb = 0x8080808080808080 // the high bit of each byte
)

// plainRun returns the offset of the first byte at or after i that needs a
// string scanner's attention: a control character, a quote, a backslash
// or a byte of a multi-byte UTF-8 sequence; len(data) if there is none. It
// reads eight bytes at a time: in each word, the lowest byte flagged by
// the masks below is the first such byte (a borrow only ever flags bytes
// above a byte that matches).
func plainRun(data []byte, i int) int {
	for i+8 <= len(data) {
		w := binary.LittleEndian.Uint64(data[i:])
		q := w ^ (lsb * '"')
		b := w ^ (lsb * '\\')
		m := ((w-lsb*0x20)&^w | (q-lsb)&^q | (b-lsb)&^b | w) & msb
		if m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
		i += 8
	}
	for ; i < len(data); i++ {
		if c := data[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return i
		}
	}
	return i
}
