// Command benchtable reads `go test -bench` output on stdin and prints one
// table: every benchmark with its custom metrics, ratios first. Our
// benchmarks measure a baseline and a candidate in alternating rounds of the
// same run and report rates ("x/s") and their ratio ("candidate/baseline"),
// so the table compares like with like on a noisy machine.
package main

import (
	"bufio"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

type metric struct {
	unit  string
	value float64
}

func main() {
	var pkg string
	type row struct {
		pkg, name string
		ms        []metric
	}
	var rows []row
	failed := false
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "pkg: "):
			pkg = strings.TrimPrefix(line, "pkg: ")
		case strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL"):
			failed = true
			fmt.Fprintln(os.Stderr, line)
		case strings.HasPrefix(line, "Benchmark"):
			f := strings.Fields(line)
			if len(f) < 4 {
				continue
			}
			r := row{pkg: pkg, name: strings.TrimPrefix(f[0], "Benchmark")}
			for i := 2; i+1 < len(f); i += 2 {
				v, err := strconv.ParseFloat(f[i], 64)
				if err != nil {
					continue
				}
				if f[i+1] == "ns/op" && v == 0 {
					continue
				}
				r.ms = append(r.ms, metric{f[i+1], v})
			}
			rows = append(rows, r)
		}
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PACKAGE\tBENCHMARK\tRATIOS\tRATES AND TIMES")
	for _, r := range rows {
		var ratios, rest []string
		sort.SliceStable(r.ms, func(i, j int) bool { return r.ms[i].unit < r.ms[j].unit })
		for _, m := range r.ms {
			s := fmt.Sprintf("%s=%s", m.unit, format(m.value))
			if isRatio(m.unit) {
				ratios = append(ratios, s)
			} else {
				rest = append(rest, s)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", shortPkg(r.pkg), r.name, strings.Join(ratios, " "), strings.Join(rest, " "))
	}
	tw.Flush()
	if failed {
		os.Exit(1)
	}
}

// isRatio: "ledger/plain" is a ratio; "rows/s", "ns/op", "B/op" are not.
func isRatio(unit string) bool {
	i := strings.LastIndex(unit, "/")
	if i < 0 {
		return false
	}
	switch unit[i+1:] {
	case "s", "op", "sec", "ms":
		return false
	}
	return true
}

func format(v float64) string {
	switch {
	case v >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

func shortPkg(p string) string { return strings.TrimPrefix(p, "nemrefusion.dk/") }
