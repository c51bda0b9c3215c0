package stack

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// cprShaped matches, standing alone, ten digits (optionally DDMMYY-SSSS)
// that start with a plausible day and month, which is what a leaked CPR
// number looks like, and the masked form DDMMYY-xxxx (ids.CPR.Masked),
// whose first half is still the person's date of birth. Logs name a person
// by ids.CPR.Pseudonym, which matches neither. Group 1 is the serial part.
var cprShaped = regexp.MustCompile(`(?:^|[^0-9A-Za-z])(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}(-?[0-9]{4}|-[xX]{4})(?:[^0-9A-Za-z]|$)`)

// ScanLogsForCPR returns where CPR numbers and masked CPR numbers (birth
// dates) are in the function logs and the local stack's log under data:
// "<file>:<line>: CPR number" or "<file>:<line>: masked CPR number (a birth
// date)", without the digits, so the report does not leak them again.
// Personal data must never reach a log.
func ScanLogsForCPR(data string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(data, "logs", "*.log"))
	if err != nil {
		return nil, err
	}
	files = append(files, filepath.Join(data, "localstack.log"))
	var found []string
	for _, f := range files {
		fh, err := os.Open(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for n := 1; sc.Scan(); n++ {
			for _, m := range cprShaped.FindAllStringSubmatch(sc.Text(), -1) {
				what := "CPR number"
				if len(m[1]) == 5 && (m[1][1] == 'x' || m[1][1] == 'X') {
					what = "masked CPR number (a birth date)"
				}
				found = append(found, fmt.Sprintf("%s:%d: %s", filepath.Base(f), n, what))
			}
		}
		err = sc.Err()
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", f, err)
		}
	}
	return found, nil
}
