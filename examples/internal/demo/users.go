package demo

import (
	"context"
	"fmt"
	"sync"

	"github.com/typedjwt/typedjwt/jwtx"
)

// Users is an in-memory user store: users found by ID (a token's subject)
// and by login name, each with a hashed password. U is the example's user
// type. If U has a method Clone() U, the store hands out clones, so that
// callers cannot change the users it holds. Users is safe for concurrent
// use.
type Users[U any] struct {
	dummy PasswordHash // checked for unknown names, which then cost as much as known ones

	mu       sync.RWMutex
	byID     map[string]account[U]
	idByName map[string]string
}

// An Account is a user and their password, as given to [NewUsers]. U is
// the example's user type.
type Account[U any] struct {
	User     U
	Password string
}

// account is a stored user with their login name and password hash.
type account[U any] struct {
	user     U
	name     string
	password PasswordHash
}

// NewUsers returns a store that holds accounts, their passwords hashed with
// iter PBKDF2 iterations (see [HashPassword]). keys returns a user's ID and
// login name, which must be unique among the accounts. On error it returns
// nil.
func NewUsers[U any](iter int, keys func(U) (id, name string), accounts []Account[U]) (*Users[U], error) {
	dummy, err := HashPassword("", iter)
	if err != nil {
		return nil, err
	}
	s := &Users[U]{dummy: dummy, byID: map[string]account[U]{}, idByName: map[string]string{}}
	for _, a := range accounts {
		id, name := keys(a.User)
		if _, dup := s.byID[id]; dup {
			return nil, fmt.Errorf("demo: two users with ID %q", id)
		}
		if _, dup := s.idByName[name]; dup {
			return nil, fmt.Errorf("demo: two users named %q", name)
		}
		h, err := HashPassword(a.Password, iter)
		if err != nil {
			return nil, err
		}
		s.byID[id] = account[U]{user: a.User, name: name, password: h}
		s.idByName[name] = id
	}
	return s, nil
}

// Authenticate returns the user called name if password is theirs. An
// unknown name and a wrong password take the same time and give the same
// answer: the zero U and false.
func (s *Users[U]) Authenticate(name, password string) (U, bool) {
	s.mu.RLock()
	a, found := s.byID[s.idByName[name]]
	s.mu.RUnlock()
	if !found {
		s.dummy.Matches(password)
		var zero U
		return zero, false
	}
	if !a.password.Matches(password) {
		var zero U
		return zero, false
	}
	return handOut(a.user), true
}

// Load returns the user with ID id, the subject of a verified token, or
// [jwtx.ErrUserNotFound]. It is a [jwtx.UserLoader].
func (s *Users[U]) Load(_ context.Context, id string) (U, error) {
	s.mu.RLock()
	a, found := s.byID[id]
	s.mu.RUnlock()
	if !found {
		var zero U
		return zero, jwtx.ErrUserNotFound
	}
	return handOut(a.user), nil
}

// Remove deletes the user with ID id and reports whether there was one.
func (s *Users[U]) Remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, found := s.byID[id]
	if found {
		delete(s.byID, id)
		delete(s.idByName, a.name)
	}
	return found
}

// handOut returns u as the store hands it out: a clone if U has a Clone
// method, u itself otherwise.
func handOut[U any](u U) U {
	if c, ok := any(u).(interface{ Clone() U }); ok {
		return c.Clone()
	}
	return u
}
