package localstack

import "syscall"

// procAttr puts a function in its own process group (so a stop reaches its
// children) and has the kernel send it SIGTERM when the process that
// started it dies, so a test or localstack killed without its cleanup
// leaves no function running against the database.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
