// Package demotest holds the test helpers that the examples' tests share:
// an example's API with a test key and a fixed clock ([NewServer]), login
// requests ([LoginRequest], [LogIn], [AccessToken]) and answers to compare
// ([Do]). The helpers take a testing.TB first and fail the test with
// tb.Fatalf.
//
// It is for the examples' tests only. It imports testing, which the style
// guide keeps out of non-test code, so only _test.go files may import it:
// never an example program, nor package demo. A test of this package checks
// that.
package demotest
