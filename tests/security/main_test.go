// Package security holds the authorisation matrix: every route the public
// origin reaches (derived from the HTTPRoutes and the functions' ServeMux
// patterns), every development persona and anonymous, against records of
// their own, of another tenant and that do not exist. It runs against its
// own local stack, like tests/e2e.
package security

import (
	"fmt"
	"os"
	"testing"
	"time"

	"nemrefusion.dk/tests/stack"
)

// The sickness function needs a maximum rate for the current year to decide
// a report; the local stack registers a provisional one (as tests/e2e does).
func init() {
	if os.Getenv("SICKNESS_PROVISIONAL_RATES") == "" {
		os.Setenv("SICKNESS_PROVISIONAL_RATES", fmt.Sprintf("%d=4845", time.Now().Year()))
	}
}

func TestMain(m *testing.M) { os.Exit(stack.Run(m)) }
