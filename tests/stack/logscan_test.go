package stack

import (
	"os"
	"path/filepath"
	"testing"
)

func TestScanLogsForCPR(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	clean := `{"msg":"access denied","cpr":"120385-xxxx","stream":"authz-a-1795377493389176836","receipt":"NR-2026-00000001","id":"0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b","port":"127.0.0.1:38123"}` + "\n"
	dirty := `{"msg":"oops","who":"1203854321"}` + "\n" + `{"msg":"oops","who":"120385-4321"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "logs", "clean.log"), []byte(clean), 0o644); err != nil {
		t.Fatal(err)
	}
	found, err := ScanLogsForCPR(dir)
	if err != nil || len(found) != 0 {
		t.Fatalf("clean log: %v %v", found, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "localstack.log"), []byte(dirty), 0o644); err != nil {
		t.Fatal(err)
	}
	found, err = ScanLogsForCPR(dir)
	if err != nil || len(found) != 2 || found[0] != "localstack.log: 120385-xxxx" {
		t.Fatalf("dirty log: %v %v", found, err)
	}
}
