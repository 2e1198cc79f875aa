package main

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
)

// passwordIterations is the PBKDF2-HMAC-SHA256 work factor of stored
// passwords (OWASP's recommendation). Tests build stores with fewer.
const passwordIterations = 600_000

// passwordHash is a salted PBKDF2-HMAC-SHA256 hash of a password, with the
// work factor it was made with.
type passwordHash struct {
	iter int
	salt [16]byte
	key  [32]byte
}

// hashPassword hashes password with a new random salt.
func hashPassword(password string, iter int) (passwordHash, error) {
	h := passwordHash{iter: iter}
	rand.Read(h.salt[:]) // never fails since Go 1.24
	key, err := pbkdf2.Key(sha256.New, password, h.salt[:], iter, len(h.key))
	if err != nil {
		return passwordHash{}, err
	}
	copy(h.key[:], key)
	return h, nil
}

// matches reports whether password hashes to h. The hashes are compared in
// constant time.
func (h passwordHash) matches(password string) bool {
	key, err := pbkdf2.Key(sha256.New, password, h.salt[:], h.iter, len(h.key))
	return err == nil && subtle.ConstantTimeCompare(key, h.key[:]) == 1
}
