package redisstore

import "testing"

// TestSlotOf checks the slot function against slots Redis Cluster gives
// (CLUSTER KEYSLOT), hash tags included.
func TestSlotOf(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]int{
		"foo": 12182, "bar": 5061, "{user1000}.following": 3443, "{user1000}.followers": 3443,
		"foo{}{bar}": 8363, "foo{{bar}}zap": 4015, "foo{bar}{zap}": 5061, "": 0,
	} {
		if got := slotOf(key); got != want {
			t.Errorf("slotOf(%q) = %d, want %d", key, got, want)
		}
	}
	tags := slotTags()
	for slot, tag := range tags {
		if got := slotOf("{" + tag + "}"); got != slot {
			t.Fatalf("tag %q of slot %d maps to %d", tag, slot, got)
		}
	}
}
