package main

import "github.com/typedjwt/typedjwt/examples/internal/demo"

// User is a row of the user store: the object tokens are built from.
type User struct {
	ID    string // stable and opaque: the token subject
	Name  string // the login name; it can change, so it is not the subject
	Roles []string
}

// demoUsers returns the demo's users, their passwords hashed with iter
// PBKDF2 iterations: alice/wonderland (admin, editor) and bob/builder
// (viewer).
func demoUsers(iter int) (*demo.Users[User], error) {
	return demo.NewUsers(iter, func(u User) (id, name string) { return u.ID, u.Name }, []demo.Account[User]{
		{User: User{ID: "u-1001", Name: "alice", Roles: []string{"admin", "editor"}}, Password: "wonderland"},
		{User: User{ID: "u-1002", Name: "bob", Roles: []string{"viewer"}}, Password: "builder"},
	})
}
