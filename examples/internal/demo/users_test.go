package demo

import (
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
)

// user is a user type with a Clone method, as the examples' users have
// when they hand users out to handlers.
type user struct {
	ID    string
	Name  string
	Roles []string
}

// Clone returns a copy of u that shares nothing with it.
func (u user) Clone() user {
	u.Roles = slices.Clone(u.Roles)
	return u
}

// plainUser is a user type without a Clone method.
type plainUser struct {
	ID    string
	Name  string
	Roles []string
}

func alice() user { return user{ID: "u-1001", Name: "alice", Roles: []string{"admin", "editor"}} }
func bob() user   { return user{ID: "u-1002", Name: "bob", Roles: []string{"viewer"}} }

func userKeys(u user) (id, name string) { return u.ID, u.Name }

// newTestUsers returns a store of alice/wonderland and bob/builder.
func newTestUsers(t *testing.T) *Users[user] {
	t.Helper()
	s, err := NewUsers(testIterations, userKeys, []Account[user]{
		{User: alice(), Password: "wonderland"},
		{User: bob(), Password: "builder"},
	})
	if err != nil {
		t.Fatalf("NewUsers: %v", err)
	}
	return s
}

func TestNewUsers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		iter     int
		accounts []Account[user]
		wantErr  error
	}{
		{name: "none", iter: testIterations},
		{
			name: "two",
			iter: testIterations,
			accounts: []Account[user]{
				{User: alice(), Password: "wonderland"},
				{User: bob(), Password: "builder"},
			},
		},
		{
			name: "an ID twice",
			iter: testIterations,
			accounts: []Account[user]{
				{User: alice(), Password: "wonderland"},
				{User: user{ID: alice().ID, Name: "carol"}, Password: "christmas"},
			},
			wantErr: cmpopts.AnyError,
		},
		{
			name: "a name twice",
			iter: testIterations,
			accounts: []Account[user]{
				{User: alice(), Password: "wonderland"},
				{User: user{ID: "u-1003", Name: alice().Name}, Password: "christmas"},
			},
			wantErr: cmpopts.AnyError,
		},
		{
			name:     "no iterations",
			accounts: []Account[user]{{User: alice(), Password: "wonderland"}},
			wantErr:  cmpopts.AnyError,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := NewUsers(tc.iter, userKeys, tc.accounts)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Fatalf("NewUsers error mismatch (-want +got):\n%s", diff)
			}
			if (s == nil) != (err != nil) {
				t.Errorf("NewUsers returned store %p with error %v", s, err)
			}
		})
	}
}

func TestUsersAuthenticate(t *testing.T) {
	t.Parallel()
	type result struct {
		User user
		OK   bool
	}
	for _, tc := range []struct {
		name               string
		username, password string
		want               result
	}{
		{name: "alice", username: "alice", password: "wonderland", want: result{alice(), true}},
		{name: "bob", username: "bob", password: "builder", want: result{bob(), true}},
		{name: "wrong password", username: "alice", password: "looking-glass"},
		{name: "someone else's password", username: "bob", password: "wonderland"},
		{name: "unknown name", username: "mallory", password: "wonderland"},
		// Unknown names are checked against a hash of "", which must not let them in.
		{name: "unknown name, empty password", username: "mallory", password: ""},
		{name: "empty name and password", username: "", password: ""},
		{name: "an ID is not a name", username: "u-1001", password: "wonderland"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, ok := newTestUsers(t).Authenticate(tc.username, tc.password)
			if diff := cmp.Diff(tc.want, result{u, ok}); diff != "" {
				t.Errorf("Authenticate(%q, %q) mismatch (-want +got):\n%s", tc.username, tc.password, diff)
			}
		})
	}
}

func TestUsersLoad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		id      string
		want    user
		wantErr error
	}{
		{name: "alice", id: "u-1001", want: alice()},
		{name: "bob", id: "u-1002", want: bob()},
		{name: "unknown ID", id: "u-9999", wantErr: jwtx.ErrUserNotFound},
		{name: "empty ID", id: "", wantErr: jwtx.ErrUserNotFound},
		{name: "a name is not an ID", id: "alice", wantErr: jwtx.ErrUserNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := newTestUsers(t).Load(t.Context(), tc.id)
			if diff := cmp.Diff(tc.wantErr, err, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("Load(%q) error mismatch (-want +got):\n%s", tc.id, diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Load(%q) mismatch (-want +got):\n%s", tc.id, diff)
			}
		})
	}
}

// Remove takes a user out for good: their ID loads nobody, and their name
// and password no longer log in.
func TestUsersRemove(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		remove   []string // IDs, removed in this order
		want     []bool   // what each Remove reports
		wantLeft []string // the IDs that still load and log in
	}{
		{name: "bob", remove: []string{"u-1002"}, want: []bool{true}, wantLeft: []string{"u-1001"}},
		{name: "bob twice", remove: []string{"u-1002", "u-1002"}, want: []bool{true, false}, wantLeft: []string{"u-1001"}},
		{name: "everyone", remove: []string{"u-1001", "u-1002"}, want: []bool{true, true}, wantLeft: []string{}},
		{name: "unknown ID", remove: []string{"u-9999"}, want: []bool{false}, wantLeft: []string{"u-1001", "u-1002"}},
		{name: "a name", remove: []string{"bob"}, want: []bool{false}, wantLeft: []string{"u-1001", "u-1002"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newTestUsers(t)
			got := []bool{}
			for _, id := range tc.remove {
				got = append(got, s.Remove(id))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Remove%q mismatch (-want +got):\n%s", tc.remove, diff)
			}
			loaded, loggedIn := []string{}, []string{}
			for _, a := range []Account[user]{{User: alice(), Password: "wonderland"}, {User: bob(), Password: "builder"}} {
				if _, err := s.Load(t.Context(), a.User.ID); err == nil {
					loaded = append(loaded, a.User.ID)
				}
				if u, ok := s.Authenticate(a.User.Name, a.Password); ok {
					loggedIn = append(loggedIn, u.ID)
				}
			}
			if diff := cmp.Diff(tc.wantLeft, loaded); diff != "" {
				t.Errorf("users that load after Remove (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantLeft, loggedIn); diff != "" {
				t.Errorf("users that log in after Remove (-want +got):\n%s", diff)
			}
		})
	}
}

// A user type with a Clone method is handed out as clones, so changing a
// user that Authenticate or Load returned changes neither the store nor
// other callers' copies. A user type without one is handed out as stored.
func TestUsersHandOut(t *testing.T) {
	t.Parallel()
	authenticate := func(t *testing.T, s *Users[user]) []string {
		u, ok := s.Authenticate("alice", "wonderland")
		if !ok {
			t.Fatal("Authenticate(alice): not ok")
		}
		return u.Roles
	}
	load := func(t *testing.T, s *Users[user]) []string {
		u, err := s.Load(t.Context(), "u-1001")
		if err != nil {
			t.Fatalf("Load(u-1001): %v", err)
		}
		return u.Roles
	}
	for _, tc := range []struct {
		name  string
		roles func(t *testing.T) (first, second []string) // alice's roles, from two calls on one store
		want  []string                                    // the second call's roles after the first's are changed
	}{
		{
			name: "Authenticate clones",
			roles: func(t *testing.T) ([]string, []string) {
				s := newTestUsers(t)
				return authenticate(t, s), authenticate(t, s)
			},
			want: []string{"admin", "editor"},
		},
		{
			name: "Load clones",
			roles: func(t *testing.T) ([]string, []string) {
				s := newTestUsers(t)
				return load(t, s), load(t, s)
			},
			want: []string{"admin", "editor"},
		},
		{
			name: "no Clone method",
			roles: func(t *testing.T) ([]string, []string) {
				s, err := NewUsers(testIterations, func(u plainUser) (id, name string) { return u.ID, u.Name },
					[]Account[plainUser]{{User: plainUser(alice()), Password: "wonderland"}})
				if err != nil {
					t.Fatalf("NewUsers: %v", err)
				}
				u1, err1 := s.Load(t.Context(), "u-1001")
				u2, err2 := s.Load(t.Context(), "u-1001")
				if err1 != nil || err2 != nil {
					t.Fatalf("Load(u-1001): %v, %v", err1, err2)
				}
				return u1.Roles, u2.Roles
			},
			want: []string{"root", "editor"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			first, second := tc.roles(t)
			first[0] = "root"
			if diff := cmp.Diff(tc.want, second); diff != "" {
				t.Errorf("roles after changing another copy (-want +got):\n%s", diff)
			}
		})
	}
}

// Logins, loads and removals may run at once (go test -race checks it).
func TestUsersConcurrent(t *testing.T) {
	t.Parallel()
	s := newTestUsers(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { s.Authenticate("alice", "wonderland") })
		wg.Go(func() { s.Authenticate("bob", "builder") })
		wg.Go(func() { s.Load(t.Context(), "u-1002") })
		wg.Go(func() { s.Remove("u-1002") })
	}
	wg.Wait()
	if _, err := s.Load(t.Context(), "u-1002"); err == nil {
		t.Errorf("bob is still there after Remove")
	}
	if _, ok := s.Authenticate("alice", "wonderland"); !ok {
		t.Errorf("alice cannot log in after bob's removal")
	}
}
