// Package demo holds what the example programs share, so that each example
// shows only its own scenario: password hashing ([HashPassword]), an
// in-memory user store with password login ([Users]), and serving on
// loopback with a graceful shutdown ([ListenLoopback], [Serve]).
//
// It is internal to the examples and no part of the jwtx API.
package demo
