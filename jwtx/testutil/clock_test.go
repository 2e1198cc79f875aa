package testutil_test

import (
	"sync"
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestClock(t *testing.T) {
	t.Parallel()
	start := testNow()
	for _, tc := range []struct {
		name string
		move func(c *testutil.Clock)
		want time.Time
	}{
		{name: "still", move: func(*testutil.Clock) {}, want: start},
		{name: "advance", move: func(c *testutil.Clock) { c.Advance(time.Hour) }, want: start.Add(time.Hour)},
		{name: "advance back", move: func(c *testutil.Clock) { c.Advance(-time.Second) }, want: start.Add(-time.Second)},
		{name: "advance twice", move: func(c *testutil.Clock) { c.Advance(time.Minute); c.Advance(time.Second) }, want: start.Add(time.Minute + time.Second)},
		{name: "set", move: func(c *testutil.Clock) { c.Set(start.AddDate(1, 0, 0)) }, want: start.AddDate(1, 0, 0)},
		{name: "set back", move: func(c *testutil.Clock) { c.Advance(time.Hour); c.Set(start) }, want: start},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := testutil.NewClock(start)
			tc.move(c)
			if got := c.Now(); !got.Equal(tc.want) {
				t.Errorf("Now() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestClockAdvanceReturnsNow(t *testing.T) {
	t.Parallel()
	c := testutil.NewClock(testNow())
	if got, want := c.Advance(time.Minute), testNow().Add(time.Minute); !got.Equal(want) || !c.Now().Equal(want) {
		t.Errorf("Advance(1m) = %v and Now() = %v, want %v", got, c.Now(), want)
	}
}

// TestClockConcurrent moves and reads one clock from many goroutines; run
// it with -race.
func TestClockConcurrent(t *testing.T) {
	t.Parallel()
	var c jwtx.Clock = testutil.NewClock(testNow())
	clock := c.(*testutil.Clock)
	const n = 64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			clock.Advance(time.Second)
			_ = c.Now()
		})
	}
	wg.Wait()
	if got, want := clock.Now(), testNow().Add(n*time.Second); !got.Equal(want) {
		t.Errorf("after %d concurrent Advance(1s): Now() = %v, want %v", n, got, want)
	}
}
