package main

import "sync"

// maxNotes and maxNoteLen bound what one user can store in the demo.
const (
	maxNotes   = 100
	maxNoteLen = 200
)

// noteStore keeps each user's notes in memory. It is safe for concurrent use.
type noteStore struct {
	mu     sync.Mutex
	byUser map[string][]string
}

func newNoteStore() *noteStore { return &noteStore{byUser: map[string][]string{}} }

// add appends a note for the user with id and reports whether there was room.
func (s *noteStore) add(id, note string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.byUser[id]) >= maxNotes {
		return false
	}
	s.byUser[id] = append(s.byUser[id], note)
	return true
}

// list returns a copy of the notes of the user with id, never nil.
func (s *noteStore) list(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.byUser[id]...)
}
