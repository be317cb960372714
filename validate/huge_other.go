//go:build !linux

package validate

func adviseHuge([]byte) {}
