package testutil_test

import (
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

// newMemoryStore is a store factory for the contracts.
func newMemoryStore(t *testing.T, clock jwtx.Clock) testutil.Store {
	s, err := jwtx.NewMemoryStore(jwtx.WithMaxTokenLifetime(24*time.Hour), jwtx.WithClock(clock))
	if err != nil {
		t.Fatalf("NewMemoryStore: %v", err)
	}
	return s
}

func TestStoreContractMemoryStore(t *testing.T) {
	t.Parallel()
	testutil.StoreContract(t, newMemoryStore)
}

// TestSessionModelMemoryStore runs the session model on MemoryStore.
func TestSessionModelMemoryStore(t *testing.T) {
	t.Parallel()
	testutil.SessionContract(t, newMemoryStore, 200, 88, 129, 139)
}
