//go:build !linux

package localstack

import "syscall"

// procAttr puts a function in its own process group (so a stop reaches its
// children).
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
