package e2e

import (
	"os"
	"testing"

	"nemrefusion.dk/tests/stack"
)

func TestMain(m *testing.M) { os.Exit(stack.Run(m)) }
