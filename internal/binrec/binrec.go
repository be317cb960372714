// Package binrec writes and reads the compact records of acc's caches:
// unsigned and signed varints, length-prefixed strings, lists of strings and
// calendar dates. A decoder never panics on damaged input: it sets Bad and
// returns zero values, and the caller treats the record as a cache miss.
package binrec

import (
	"encoding/binary"
	"time"
	"unsafe"
)

// Encoder appends to B.
type Encoder struct{ B []byte }

// Uint appends an unsigned varint.
func (e *Encoder) Uint(v uint64) { e.B = binary.AppendUvarint(e.B, v) }

// Int appends a signed varint.
func (e *Encoder) Int(v int) { e.B = binary.AppendVarint(e.B, int64(v)) }

// Str appends a length-prefixed string.
func (e *Encoder) Str(s string) { e.Uint(uint64(len(s))); e.B = append(e.B, s...) }

// Strs appends a counted list of strings.
func (e *Encoder) Strs(ss []string) {
	e.Uint(uint64(len(ss)))
	for _, s := range ss {
		e.Str(s)
	}
}

// Date appends a calendar date (midnight UTC) as a day number; the zero time
// is 0.
func (e *Encoder) Date(t time.Time) {
	if t.IsZero() {
		e.Uint(0)
		return
	}
	e.Uint(uint64(t.Unix()/86400 + dateBias))
}

// dateBias keeps the day numbers of years 0–9999 positive and above 0.
const dateBias = 1 << 20

// firstDay and lastDay are the day numbers (from 1970-01-01) of the first and
// last days of years 0–9999, the dates a case file can hold: Date refuses a
// number outside them (a damaged record), whose seconds would overflow into
// some time of day.
const (
	firstDay = -719528
	lastDay  = 2932896
)

// Decoder reads from B; Bad is set at the first damaged value.
type Decoder struct {
	B   []byte
	Bad bool
	s   string // B as one string, when strings are cut from it
}

// NewDecoder reads b. With shareStrings, b is copied once into a string and
// every Str is cut from it, so that decoding allocates one string in all;
// without, each Str is its own copy (better when few strings are read from a
// large buffer).
func NewDecoder(b []byte, shareStrings bool) *Decoder {
	d := &Decoder{B: b}
	if shareStrings {
		d.s = string(b)
	}
	return d
}

// NewStringDecoder reads s without copying it: every Str is cut from s, so
// that a record kept as one string can be decoded piecemeal, each piece
// when it is needed. B aliases s and is only read.
func NewStringDecoder(s string) *Decoder {
	return &Decoder{B: unsafe.Slice(unsafe.StringData(s), len(s)), s: s}
}

// Uint reads an unsigned varint.
func (d *Decoder) Uint() uint64 {
	v, n := binary.Uvarint(d.B)
	if n <= 0 {
		d.Bad = true
		return 0
	}
	d.B = d.B[n:]
	return v
}

// Int reads a signed varint.
func (d *Decoder) Int() int {
	v, n := binary.Varint(d.B)
	if n <= 0 {
		d.Bad = true
		return 0
	}
	d.B = d.B[n:]
	return int(v)
}

// SmallUint reads an unsigned varint that must fit in 31 bits.
func (d *Decoder) SmallUint() int {
	v := d.Uint()
	if v > 1<<31 {
		d.Bad = true
		return 0
	}
	return int(v)
}

// Str reads a length-prefixed string.
func (d *Decoder) Str() string {
	n := d.Uint()
	if d.Bad || n > uint64(len(d.B)) {
		d.Bad = true
		return ""
	}
	var s string
	if d.s != "" {
		off := len(d.s) - len(d.B)
		s = d.s[off : off+int(n)]
	} else {
		s = string(d.B[:n])
	}
	d.B = d.B[n:]
	return s
}

// Count reads a number of items that each take at least one byte, so that a
// damaged count cannot make the caller allocate more than the record holds.
func (d *Decoder) Count() int {
	n := d.Uint()
	if d.Bad || n > uint64(len(d.B)) {
		d.Bad = true
		return 0
	}
	return int(n)
}

// Strs reads a counted list of strings.
func (d *Decoder) Strs() []string {
	out := make([]string, d.Count())
	for i := range out {
		out[i] = d.Str()
	}
	return out
}

// Date reads a date written by Encoder.Date.
func (d *Decoder) Date() time.Time {
	v := d.Uint()
	if v == 0 || d.Bad {
		return time.Time{}
	}
	if v < dateBias+firstDay || v > dateBias+lastDay {
		d.Bad = true
		return time.Time{}
	}
	return time.Unix((int64(v)-dateBias)*86400, 0).UTC()
}

// Done reports whether the record was read whole and undamaged.
func (d *Decoder) Done() bool { return !d.Bad && len(d.B) == 0 }
