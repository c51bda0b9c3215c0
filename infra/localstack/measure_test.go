package localstack

import (
	"os"
	"testing"
	"time"
)

// The readers of /proc give this process's figures: a resident set of at
// least a MiB and CPU time that grows while it spins.
func TestRSSAndCPUTimeOfThisProcess(t *testing.T) {
	rss, err := RSS(os.Getpid())
	if err != nil || rss < 1<<20 {
		t.Fatalf("RSS: %d %v", rss, err)
	}
	before, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
	}
	after, err := CPUTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if d := after - before; d < 30*time.Millisecond || d > 2*time.Second {
		t.Errorf("300 ms of spinning counted %s of CPU", d)
	}
}
