package binrec

import (
	"reflect"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	day := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	var e Encoder
	e.Uint(300)
	e.Int(-7)
	e.Str("Élodie")
	e.Strs([]string{"a", "", "bc"})
	e.Date(day)
	e.Date(time.Time{})
	for _, share := range []bool{false, true} {
		d := NewDecoder(e.B, share)
		if d.Uint() != 300 || d.Int() != -7 || d.Str() != "Élodie" ||
			!reflect.DeepEqual(d.Strs(), []string{"a", "", "bc"}) || !d.Date().Equal(day) || !d.Date().IsZero() || !d.Done() {
			t.Fatalf("share=%v: round trip failed", share)
		}
	}
}

// A damaged record sets Bad and never panics or allocates what it claims.
func TestDamaged(t *testing.T) {
	var e Encoder
	e.Uint(1 << 40) // a count far larger than the record
	d := NewDecoder(e.B, true)
	if d.Strs(); !d.Bad {
		t.Error("huge count accepted")
	}
	d = NewDecoder([]byte{0x80}, false) // truncated varint
	if d.Uint(); !d.Bad || d.Done() {
		t.Error("truncated varint accepted")
	}
	e = Encoder{}
	e.Uint(1 << 33)
	if d = NewDecoder(e.B, false); d.SmallUint() != 0 || !d.Bad {
		t.Error("SmallUint accepted a 34-bit value")
	}
	e = Encoder{}
	e.Str("abc")
	if d = NewDecoder(e.B[:2], true); d.Str() != "" || !d.Bad {
		t.Error("short string accepted")
	}
}

// The first and last days of years 0–9999 read back; a day number outside
// them (a damaged record, which would overflow into some time of day) is
// refused.
func TestDateRange(t *testing.T) {
	for _, day := range []time.Time{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)} {
		var e Encoder
		e.Date(day)
		if d := NewDecoder(e.B, false); !d.Date().Equal(day) || !d.Done() {
			t.Errorf("%v does not read back", day)
		}
	}
	for _, v := range []uint64{dateBias + firstDay - 1, dateBias + lastDay + 1, 1 << 62} {
		var e Encoder
		e.Uint(v)
		if d := NewDecoder(e.B, false); !d.Date().IsZero() || !d.Bad {
			t.Errorf("day number %d accepted", v)
		}
	}
}
