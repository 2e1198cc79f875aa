// Package demo holds what the example programs share, so that each example
// shows only its own scenario: password hashing ([HashPassword]), an
// in-memory user store with password login ([Users]), the JSON login
// handler ([Login], [LoginWith], [ReadLogin]) and its answers
// ([TokenResponse], [Message]), a signing key made at start-up ([NewKey]),
// and the program around an example's API: the flag -addr and signal
// handling ([Main]), serving on loopback with a graceful shutdown
// ([ServeAPI], [ListenLoopback], [Serve]).
//
// It is internal to the examples and no part of the jwtx API. It never
// imports testing; the helpers the examples' tests share are in
// examples/internal/demotest.
package demo
