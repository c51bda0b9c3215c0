package stack

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
)

// cprShaped matches ten digits (optionally DDMMYY-SSSS) that start with a
// plausible day and month, standing alone: what a leaked CPR number looks
// like. Masked numbers (DDMMYY-xxxx) do not match.
var cprShaped = regexp.MustCompile(`(?:^|[^0-9A-Za-z])((?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])[0-9]{2}-?[0-9]{4})(?:[^0-9A-Za-z]|$)`)

// ScanLogsForCPR returns the CPR-shaped strings (masked in the result) found
// in the function logs and the local stack's log under data, with the file
// they are in. Personal data must never reach a log.
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
		for sc.Scan() {
			for _, m := range cprShaped.FindAllStringSubmatch(sc.Text(), -1) {
				found = append(found, fmt.Sprintf("%s: %s-xxxx", filepath.Base(f), m[1][:6]))
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
