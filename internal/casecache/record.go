package casecache

import (
	"github.com/acc-formation/acc/internal/binrec"
	"github.com/acc-formation/acc/validate"
)

// recordFormat changes with the layout of record.
const recordFormat = 2

// record is what a pack keeps of one beneficiary.
type record struct {
	files          []validate.FileState
	item           []byte // the binary item of the kind
	day            string // the day errs, warnings and invalid were counted; "" when not
	errs, warnings int
	invalid        []string // the documents with at least one error, in path order
}

func (r *record) encode() []byte {
	e := binrec.Encoder{B: []byte{recordFormat}}
	e.Uint(uint64(len(r.files)))
	for _, f := range r.files {
		e.Str(f.Name)
		e.B = append(e.B, f.Sum[:]...)
		e.Uint(uint64(f.Size))
		e.Uint(uint64(f.Mtime))
		e.Uint(uint64(f.Ctime))
		e.Uint(f.Ino)
	}
	e.Str(string(r.item))
	e.Str(r.day)
	e.Uint(uint64(r.errs))
	e.Uint(uint64(r.warnings))
	e.Strs(r.invalid)
	return e.B
}

// decodeRecord reads a record; ok is false for anything malformed.
func decodeRecord(b []byte) (r record, ok bool) {
	if len(b) == 0 || b[0] != recordFormat {
		return r, false
	}
	d := binrec.NewDecoder(b[1:], false)
	r.files = make([]validate.FileState, d.Count())
	for i := range r.files {
		f := &r.files[i]
		f.Name = d.Str()
		if d.Bad || len(d.B) < len(f.Sum) {
			return r, false
		}
		copy(f.Sum[:], d.B)
		d.B = d.B[len(f.Sum):]
		f.Size, f.Mtime, f.Ctime = int64(d.Uint()), int64(d.Uint()), int64(d.Uint())
		f.Ino = d.Uint()
	}
	r.item = []byte(d.Str())
	r.day = d.Str()
	r.errs, r.warnings = d.SmallUint(), d.SmallUint()
	r.invalid = d.Strs()
	if len(r.invalid) == 0 {
		r.invalid = nil
	}
	return r, d.Done()
}
