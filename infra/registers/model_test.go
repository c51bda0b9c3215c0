package registers

import (
	"errors"
	"fmt"
	"testing"
)

func TestUnavailableError(t *testing.T) {
	t.Parallel()
	cause := errors.New("connection refused")
	err := fmt.Errorf("look up person: %w", &UnavailableError{Register: "cpr", Err: cause})
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, cause) || errors.Is(err, ErrNotFound) {
		t.Fatalf("errors.Is mismatch for %v", err)
	}
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.Register != "cpr" {
		t.Fatalf("errors.As: %v", err)
	}
}
