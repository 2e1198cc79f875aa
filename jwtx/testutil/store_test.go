package testutil_test

import (
	"testing"
	"time"

	"github.com/typedjwt/typedjwt/jwtx"
	"github.com/typedjwt/typedjwt/jwtx/testutil"
)

func TestStoreContractMemoryStore(t *testing.T) {
	t.Parallel()
	testutil.StoreContract(t, func(t *testing.T, clock jwtx.Clock) testutil.Store {
		s, err := jwtx.NewMemoryStore(0, 24*time.Hour, clock)
		if err != nil {
			t.Fatalf("NewMemoryStore: %v", err)
		}
		return s
	})
}
