package stack

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"nemrefusion.dk/events/ids"
)

// No personal data in logs (the executive order's § 1 stk. 10): the scan
// finds CPR numbers and masked ones (DDMMYY-xxxx: the date of birth), and
// passes pseudonyms and the other numbers a log holds.
func TestScanLogsForCPR(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	cpr := ids.MustCPR("1203854321")
	clean := `{"msg":"access denied","principal":{"cpr":"` + cpr.Pseudonym() + `","sub":"dev:self-employed:cvr-12345682:` + cpr.Pseudonym() + `"},"stream":"authz-a-1795377493389176836","receipt":"NR-2026-00000001","id":"0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b","port":"127.0.0.1:38123","err":"GET /cpr/v1/persons/` + cpr.Pseudonym() + `: status 503"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "logs", "clean.log"), []byte(clean), 0o644); err != nil {
		t.Fatal(err)
	}
	found, err := ScanLogsForCPR(dir)
	if err != nil || len(found) != 0 {
		t.Fatalf("clean log: %v %v", found, err)
	}
	dirty := `{"msg":"oops","who":"1203854321"}` + "\n" +
		`{"msg":"oops","who":"120385-4321"}` + "\n" +
		`{"msg":"access denied","principal":{"cpr":"120385-xxxx"}}` + "\n" +
		`{"msg":"look up person 120385-xxxx: not found"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "localstack.log"), []byte(dirty), 0o644); err != nil {
		t.Fatal(err)
	}
	found, err = ScanLogsForCPR(dir)
	want := []string{
		"localstack.log:1: CPR number",
		"localstack.log:2: CPR number",
		"localstack.log:3: masked CPR number (a birth date)",
		"localstack.log:4: masked CPR number (a birth date)",
	}
	if err != nil || !reflect.DeepEqual(found, want) {
		t.Fatalf("dirty log: %q %v, want %q", found, err, want)
	}
}
