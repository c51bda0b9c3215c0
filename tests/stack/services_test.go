package stack

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestOwnPostgreSQLIsDurable is issue 16's low finding: make run's own
// PostgreSQL ran with fsync=off (and full_page_writes=off), so a crash of
// the machine could lose submissions already answered 2xx. The server
// services.sh starts must keep PostgreSQL's durable defaults.
func TestOwnPostgreSQLIsDurable(t *testing.T) {
	t.Parallel()
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "infra", "stack", "services.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?m)^[^#\n]*-c (fsync|full_page_writes|synchronous_commit)=off`).Find(b); m != nil {
		t.Errorf("services.sh starts PostgreSQL without durability: %s", m)
	}
	if !regexp.MustCompile(`pg_ctl" -D "\$data"`).Match(b) {
		t.Error("services.sh no longer starts its own PostgreSQL with pg_ctl; move this check along")
	}
}
