package main

import "github.com/typedjwt/typedjwt/examples/internal/demo"

// User is a row of the user store.
type User struct {
	ID   string
	Name string // the login name
	Org  string // the organisation the user belongs to
	Plan string // the organisation's billing plan: "free" or "pro"
}

// demoUsers returns the demo's users, their passwords hashed with iter
// PBKDF2 iterations: alice/wonderland of acme, on the free plan.
func demoUsers(iter int) (*demo.Users[User], error) {
	return demo.NewUsers(iter, func(u User) (id, name string) { return u.ID, u.Name }, []demo.Account[User]{
		{User: User{ID: "u-1001", Name: "alice", Org: "acme", Plan: "free"}, Password: "wonderland"},
	})
}
