package main

import (
	"context"
	"sync"

	"github.com/typedjwt/typedjwt/jwtx"
)

// User is a row of the user store, and what GET /api/me answers with.
type User struct {
	ID   string `json:"id"`
	Name string `json:"name"` // the login name
}

// account is a stored user with its password hash.
type account struct {
	User
	password passwordHash
}

// userStore is an in-memory user store, safe for concurrent use.
type userStore struct {
	iter  int          // PBKDF2 iterations of new hashes
	dummy passwordHash // checked for unknown names, which then cost as much as known ones

	mu       sync.RWMutex
	byID     map[string]account
	idByName map[string]string
}

// demoUsers returns the demo's users, their passwords hashed with iter
// PBKDF2 iterations: alice/wonderland and bob/builder.
func demoUsers(iter int) (*userStore, error) {
	s := &userStore{iter: iter, byID: map[string]account{}, idByName: map[string]string{}}
	for _, u := range []struct {
		User
		password string
	}{
		{User{ID: "u-1001", Name: "alice"}, "wonderland"},
		{User{ID: "u-1002", Name: "bob"}, "builder"},
	} {
		h, err := hashPassword(u.password, iter)
		if err != nil {
			return nil, err
		}
		s.byID[u.ID] = account{User: u.User, password: h}
		s.idByName[u.Name] = u.ID
	}
	var err error
	s.dummy, err = hashPassword("", iter)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// authenticate returns the user called name if password is theirs. An
// unknown name and a wrong password take the same time and give the same
// answer.
func (s *userStore) authenticate(name, password string) (User, bool) {
	s.mu.RLock()
	a, found := s.byID[s.idByName[name]]
	s.mu.RUnlock()
	if !found {
		s.dummy.matches(password)
		return User{}, false
	}
	if !a.password.matches(password) {
		return User{}, false
	}
	return a.User, true
}

// setPassword replaces the password of the user with id.
func (s *userStore) setPassword(id, password string) error {
	h, err := hashPassword(password, s.iter) // outside the lock: hashing is slow on purpose
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, found := s.byID[id]
	if !found {
		return jwtx.ErrUserNotFound
	}
	a.password = h
	s.byID[id] = a
	return nil
}

// load is the jwtx.UserLoader: the user whose ID is the token's subject, or
// jwtx.ErrUserNotFound.
func (s *userStore) load(_ context.Context, id string) (User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, found := s.byID[id]
	if !found {
		return User{}, jwtx.ErrUserNotFound
	}
	return a.User, nil
}
