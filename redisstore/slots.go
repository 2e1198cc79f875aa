package redisstore

import "strconv"

// clusterSlots is the number of hash slots of a Redis Cluster.
const clusterSlots = 16384

// slotOf returns the Redis Cluster hash slot of key: CRC16 (XMODEM) of its
// hash tag (the part between the first "{" and the next "}", when not
// empty) or of the whole key, modulo 16384.
func slotOf(key string) int {
	if i := indexByte(key, '{'); i >= 0 {
		if j := indexByte(key[i+1:], '}'); j > 0 {
			key = key[i+1 : i+1+j]
		}
	}
	return int(crc16(key)) % clusterSlots
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// crc16 is CRC-16/XMODEM (polynomial 0x1021, initial value 0), the hash
// of Redis Cluster.
func crc16(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// slotTags returns, for each hash slot, a short hash tag that maps to it:
// the data-loss marker of a slot is "{" + tag + "}" under the prefix, so
// that it lives with the keys it watches over, on whichever master holds
// the slot.
func slotTags() []string {
	tags := make([]string, clusterSlots)
	left := clusterSlots
	for n := 0; left > 0; n++ {
		tag := "e" + strconv.Itoa(n)
		if s := int(crc16(tag)) % clusterSlots; tags[s] == "" {
			tags[s] = tag
			left--
		}
	}
	return tags
}
