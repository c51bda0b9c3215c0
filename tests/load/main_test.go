// Package load holds the system benchmark (make bench-system): the whole
// local stack under the load of package nemrefusion.dk/infra/load. It
// starts a stack only when NR_BENCH_SYSTEM is set, so make test does not
// pay for it.
package load

import (
	"fmt"
	"os"
	"testing"
	"time"

	"nemrefusion.dk/tests/stack"
)

func TestMain(m *testing.M) {
	if os.Getenv("NR_BENCH_SYSTEM") == "" {
		os.Exit(m.Run())
	}
	// Blankets for the current year need a maximum rate: a provisional one
	// (not the law), as in the e2e tests.
	if os.Getenv("SICKNESS_PROVISIONAL_RATES") == "" {
		os.Setenv("SICKNESS_PROVISIONAL_RATES", fmt.Sprintf("%d=4845", time.Now().Year()))
	}
	os.Exit(stack.Run(m))
}
