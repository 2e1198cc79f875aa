package jwtx_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// loadRequest is one call of a steppedLoader, waiting for the test to
// answer it.
type loadRequest struct {
	subject string
	reply   chan User
}

// steppedLoader hands every load to the test, which answers each one when
// it chooses. A load returns its context's error if that is done by the
// time it is answered, as a database driver does.
type steppedLoader struct {
	requests chan loadRequest
}

func newSteppedLoader() *steppedLoader { return &steppedLoader{requests: make(chan loadRequest)} }

func (l *steppedLoader) load(ctx context.Context, subject string) (User, error) {
	r := loadRequest{subject: subject, reply: make(chan User)}
	l.requests <- r
	u := <-r.reply
	if err := ctx.Err(); err != nil {
		return User{}, err
	}
	return u, nil
}

// pending returns the load waiting to be received, if any. Call it after
// synctest.Wait, when every load that will start has started.
func (l *steppedLoader) pending() (loadRequest, bool) {
	select {
	case r := <-l.requests:
		return r, true
	default:
		return loadRequest{}, false
	}
}

var (
	admin   = User{Name: "alice", Roles: []string{"admin"}}
	demoted = User{Name: "alice", Roles: []string{"reader"}}
)

// TestInvalidateNotJoinedByLaterCallers reproduces finding 7: a Load that
// starts after Invalidate joined the load already in flight and got the
// user as it was before Invalidate, so a demoted admin kept admin rights
// until the TTL. A Load after Invalidate must start a load of its own;
// callers that joined before still get the old user, which is not cached,
// in whichever order the two loads finish.
func TestInvalidateNotJoinedByLaterCallers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		before     int  // callers that join the load begun before Invalidate
		newIsFirst bool // the load begun after Invalidate finishes first
	}{
		{name: "old load finishes first", before: 1},
		{name: "new load finishes first", before: 1, newIsFirst: true},
		{name: "several callers before", before: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				l := newSteppedLoader()
				c, err := jwtx.NewUserCache(l.load, jwtx.WithClock(testutil.NewClock(issuedAt)))
				if err != nil {
					t.Fatal(err)
				}
				load := func(got chan<- User) {
					u, err := c.Load(context.Background(), "alice")
					if err != nil {
						t.Errorf("Load: %v", err)
					}
					got <- u
				}
				early := make(chan User, tc.before)
				for range tc.before {
					go load(early)
				}
				synctest.Wait()
				old, ok := l.pending()
				if !ok {
					t.Fatal("no load started")
				}
				c.Invalidate("alice") // the admin is demoted now
				late := make(chan User, 1)
				go load(late)
				synctest.Wait()
				fresh, started := l.pending()
				if !started {
					t.Error("a Load after Invalidate started no load of its own")
				}
				if started && tc.newIsFirst {
					fresh.reply <- demoted
					synctest.Wait()
				}
				old.reply <- admin
				if started && !tc.newIsFirst {
					synctest.Wait()
					fresh.reply <- demoted
				}
				for range tc.before {
					if diff := cmp.Diff(admin, <-early); diff != "" {
						t.Errorf("caller that joined before Invalidate (-want +got):\n%s", diff)
					}
				}
				if diff := cmp.Diff(demoted, <-late); diff != "" {
					t.Errorf("caller after Invalidate (-want +got):\n%s", diff)
				}
				after := make(chan User, 1)
				go load(after)
				synctest.Wait()
				if r, ok := l.pending(); ok {
					t.Errorf("Load after both loads finished started another load")
					r.reply <- demoted
				}
				if diff := cmp.Diff(demoted, <-after); diff != "" {
					t.Errorf("cached user after both loads finished (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// TestInvalidateDuringLoadCompletion: an Invalidate that lands after the
// loader read the user but before its result is stored keeps that result
// out of the cache, so the next Load reads the user again.
func TestInvalidateDuringLoadCompletion(t *testing.T) {
	t.Parallel()
	var c *jwtx.UserCache[User]
	calls := 0
	loader := func(_ context.Context, subject string) (User, error) {
		calls++
		if calls == 1 {
			c.Invalidate(subject) // the user changes as the first load returns
			return admin, nil
		}
		return demoted, nil
	}
	c, err := jwtx.NewUserCache(loader, jwtx.WithClock(testutil.NewClock(issuedAt)))
	if err != nil {
		t.Fatal(err)
	}
	var got []User
	for range 3 {
		u, err := c.Load(context.Background(), "alice")
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		got = append(got, u)
	}
	if diff := cmp.Diff([]User{admin, demoted, demoted}, got); diff != "" {
		t.Errorf("users loaded (-want +got):\n%s", diff)
	}
	if calls != 2 {
		t.Errorf("loader calls = %d, want 2", calls)
	}
}

// TestLoadNotJoinedAfterEveryCallerGaveUp: once every caller waiting for a
// load has given up, the load is cancelled; a Load that starts then must
// not join it and inherit its cancellation.
func TestLoadNotJoinedAfterEveryCallerGaveUp(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := newSteppedLoader()
		c, err := jwtx.NewUserCache(l.load, jwtx.WithClock(testutil.NewClock(issuedAt)))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		gaveUp := make(chan error, 1)
		go func() {
			_, err := c.Load(ctx, "alice")
			gaveUp <- err
		}()
		synctest.Wait()
		abandoned, ok := l.pending()
		if !ok {
			t.Fatal("no load started")
		}
		cancel()
		if err := <-gaveUp; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Load error = %v, want %v", err, context.Canceled)
		}
		type result struct {
			User User
			Err  error
		}
		late := make(chan result, 1)
		go func() {
			u, err := c.Load(context.Background(), "alice")
			late <- result{u, err}
		}()
		synctest.Wait()
		fresh, started := l.pending()
		if !started {
			t.Error("a Load after every caller gave up joined the cancelled load")
		}
		abandoned.reply <- admin
		if started {
			synctest.Wait()
			fresh.reply <- demoted
		}
		got := <-late
		if diff := cmp.Diff(result{User: demoted}, got, cmpopts.EquateErrors()); diff != "" {
			t.Errorf("Load after every caller gave up (-want +got):\n%s", diff)
		}
	})
}
