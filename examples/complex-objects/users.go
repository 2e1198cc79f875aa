package main

// User is a row of the user store: the object tokens are built from.
type User struct {
	ID    string // stable and opaque: the token subject
	Name  string // the login name; it can change, so it is not the subject
	Roles []string
}

// account is a stored user with its password hash.
type account struct {
	User
	password passwordHash
}

// userStore is an in-memory user store keyed by login name. It is not
// changed after it is built, so it is safe for concurrent use.
type userStore struct {
	byName map[string]account
	dummy  passwordHash // checked for unknown names, which then cost as much as known ones
}

// demoUsers returns the demo's users, their passwords hashed with iter
// PBKDF2 iterations: alice/wonderland (admin, editor) and bob/builder
// (viewer).
func demoUsers(iter int) (*userStore, error) {
	s := &userStore{byName: map[string]account{}}
	for _, u := range []struct {
		User
		password string
	}{
		{User{ID: "u-1001", Name: "alice", Roles: []string{"admin", "editor"}}, "wonderland"},
		{User{ID: "u-1002", Name: "bob", Roles: []string{"viewer"}}, "builder"},
	} {
		h, err := hashPassword(u.password, iter)
		if err != nil {
			return nil, err
		}
		s.byName[u.Name] = account{User: u.User, password: h}
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
	a, found := s.byName[name]
	if !found {
		s.dummy.matches(password)
		return User{}, false
	}
	if !a.password.matches(password) {
		return User{}, false
	}
	return a.User, true
}
