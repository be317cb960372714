// Package racy is the one judgement acc makes of whether recorded stat data
// can prove a file or a folder unchanged: Git's "racy clean" rule.
//
// A file system stamps a change with its clock, to some granularity (a few
// milliseconds of the kernel's clock on Linux, 100 ns on NTFS, 2 s on FAT).
// Stat data recorded for a file prove it unchanged only if the file's time
// is strictly before a reference time read from the same clock: a change
// made after that reference gets a time at or after it, never the recorded
// one, while a change within the same tick as the recorded time could keep
// it. The reference is the file system's time of a moment before the stat
// data were taken where acc records them itself (the start of the run that
// made a validation record, or a folder listing: the modification time of a
// file created then), and the time Git wrote its index for the index's
// entries (Git's own rule, which acc shares to agree with git status).
package racy

import "time"

// Proves reports whether a file or folder time t, recorded against the
// reference time ref, proves its stat data: both known and t strictly
// before ref.
func Proves(t, ref time.Time) bool {
	return !t.IsZero() && !ref.IsZero() && t.Before(ref)
}

// ProvesNano is Proves for times in nanoseconds since 1970, 0 standing for
// unknown.
func ProvesNano(t, ref int64) bool {
	return t != 0 && ref != 0 && t < ref
}
