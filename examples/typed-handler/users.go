package main

import (
	"slices"

	"github.com/typedjwt/typedjwt/examples/internal/demo"
)

// User is a row of the user store.
type User struct {
	ID    string
	Name  string // the login name
	Email string
	Roles []string
}

// Clone returns a copy of the user that shares nothing with u. The user
// store hands out clones, so that handlers cannot change what it holds.
func (u User) Clone() User {
	u.Roles = slices.Clone(u.Roles)
	return u
}

// demoUsers returns the demo's users, their passwords hashed with iter
// PBKDF2 iterations: alice/wonderland (admin) and bob/builder. The store's
// Load is the jwtx.UserLoader: sub -> User.
func demoUsers(iter int) (*demo.Users[User], error) {
	return demo.NewUsers(iter, func(u User) (id, name string) { return u.ID, u.Name }, []demo.Account[User]{
		{User: User{ID: "u-1001", Name: "alice", Email: "alice@example.test", Roles: []string{"admin", "user"}}, Password: "wonderland"},
		{User: User{ID: "u-1002", Name: "bob", Email: "bob@example.test", Roles: []string{"user"}}, Password: "builder"},
	})
}
