package demo

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
)

// PasswordIterations is the PBKDF2-HMAC-SHA256 work factor of stored
// passwords (OWASP's recommendation). Tests hash with fewer, to run fast;
// the code is the same.
const PasswordIterations = 600_000

// PasswordHash is a salted PBKDF2-HMAC-SHA256 hash of a password, with the
// work factor it was made with. The zero PasswordHash matches no password.
type PasswordHash struct {
	iter int
	salt [16]byte
	key  [32]byte
}

// HashPassword hashes password with iter PBKDF2 iterations and a new random
// salt. It returns an error, and the zero PasswordHash, if iter is less
// than 1.
func HashPassword(password string, iter int) (PasswordHash, error) {
	if iter < 1 {
		return PasswordHash{}, fmt.Errorf("demo: %d PBKDF2 iterations, want at least 1", iter)
	}
	h := PasswordHash{iter: iter}
	rand.Read(h.salt[:]) // never fails since Go 1.24
	key, err := pbkdf2.Key(sha256.New, password, h.salt[:], iter, len(h.key))
	if err != nil {
		return PasswordHash{}, err
	}
	copy(h.key[:], key)
	return h, nil
}

// Matches reports whether password hashes to h. The hashes are compared in
// constant time.
func (h PasswordHash) Matches(password string) bool {
	if h.iter < 1 {
		return false
	}
	key, err := pbkdf2.Key(sha256.New, password, h.salt[:], h.iter, len(h.key))
	return err == nil && subtle.ConstantTimeCompare(key, h.key[:]) == 1
}
