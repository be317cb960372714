package main

import "syscall"

// maxRSSKB: Linux reports ru_maxrss in kilobytes.
func maxRSSKB(ru *syscall.Rusage) int64 { return ru.Maxrss }
