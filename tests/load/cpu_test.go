package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"nemrefusion.dk/infra/load"
	"nemrefusion.dk/infra/localstack"
	"nemrefusion.dk/tests/stack"
)

// selfCPU is the CPU time of this process: the broker (localstack embeds
// it), but also the load client and the register and post stand-ins.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestCPUPerBlanket measures what each function and the broker cost per
// decided blanket: NR_BENCH_CPU_N submissions (default 3000) of the
// default mix as fast as 16 workers go, and each process's CPU time
// (utime + stime of /proc/<pid>/stat) from before the run until the stack
// is quiet again (so a letter backlog counts), divided by the blankets
// decided. The end-to-end rate is given as a ratio to the raw ledger
// append rate of the same run. With PPROF=1 (the functions then serve
// net/http/pprof on their metrics port) it also writes a CPU profile of
// every function and of this process (broker) for the first
// NR_BENCH_PPROF seconds (default 30) to $NR_DATA/pprof/<name>.pprof:
//
//	PPROF=1 NR_BENCH_SYSTEM=1 go test -run TestCPUPerBlanket -v ./load/
//	go tool pprof -top .data/bin/sickness .data/pprof/sickness.pprof
func TestCPUPerBlanket(t *testing.T) {
	benchOnly(t)
	ctx := context.Background()
	db := pool(t)
	s := stack.Get()
	out := os.Stdout
	appendRate := ledgerAppendRate(t, db, envDuration("NR_BENCH_LEDGER", 5*time.Second))

	names := s.Names()
	cpu := func() map[string]time.Duration {
		m := map[string]time.Duration{"broker": selfCPU()}
		for _, n := range names {
			d, err := localstack.CPUTime(s.Pid(n))
			if err != nil {
				t.Fatalf("CPU time of %s: %v (did it restart?)", n, err)
			}
			m[n] = d
		}
		return m
	}
	pids := map[string]int{}
	for _, n := range names {
		pids[n] = s.Pid(n)
	}

	var profiles sync.WaitGroup
	if os.Getenv("PPROF") == "1" {
		dir := filepath.Join(os.Getenv("NR_DATA"), "pprof")
		if os.Getenv("NR_DATA") == "" {
			dir = filepath.Join(os.TempDir(), "nemrefusion-pprof") // kept after the test, unlike t.TempDir
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		secs := envInt("NR_BENCH_PPROF", 30)
		for n, u := range s.Metrics() {
			profiles.Add(1)
			go func() {
				defer profiles.Done()
				if err := fetchProfile(strings.TrimSuffix(u, "/metrics")+fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs), filepath.Join(dir, n+".pprof"), secs); err != nil {
					t.Errorf("profile of %s: %v", n, err)
				}
			}()
		}
		f, err := os.Create(filepath.Join(dir, "broker.pprof"))
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		profiles.Add(1)
		go func() {
			defer profiles.Done()
			time.Sleep(time.Duration(secs) * time.Second)
			pprof.StopCPUProfile()
			f.Close()
		}()
		fmt.Fprintf(out, "profiles (first %d s of the run) go to %s\n", secs, dir)
	}

	before := cpu()
	n := envInt("NR_BENCH_CPU_N", 3000)
	res, err := load.Run(ctx, load.Config{BaseURL: s.URL(), Dataset: stack.Dataset(), Count: n, Workers: 16, Retry: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := load.Follow(ctx, db, res, max(5*time.Minute, time.Duration(n)*50*time.Millisecond), 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	decidedAt := time.Now()
	// Quiet: the functions together used under 5 % of a core for 2 s (the
	// letters and reminders after the decisions count), or 10 minutes.
	last, quietFor := cpu(), 0
	for deadline := time.Now().Add(10 * time.Minute); quietFor < 2 && time.Now().Before(deadline); {
		time.Sleep(time.Second)
		now := cpu()
		var busy time.Duration
		for _, n := range names {
			busy += now[n] - last[n]
		}
		if busy < 50*time.Millisecond {
			quietFor++
		} else {
			quietFor = 0
		}
		last = now
	}
	after, quietAfter := last, time.Since(decidedAt).Round(time.Second)
	for _, n := range names {
		if s.Pid(n) != pids[n] {
			t.Fatalf("%s restarted during the run: its CPU time is not comparable", n)
		}
	}
	profiles.Wait()
	if p.Decided == 0 {
		t.Fatalf("no blanket decided (%d accepted, %d processed)", p.Accepted, p.Processed)
	}
	e2e := p.LastDelivery.Sub(res.Started)
	decidedRate := float64(p.Decided) / decidedAt.Sub(res.Started).Seconds()

	rows := append([]string{"broker"}, names...)
	sort.SliceStable(rows, func(i, j int) bool { return after[rows[i]]-before[rows[i]] > after[rows[j]]-before[rows[j]] })
	var total time.Duration
	for _, r := range rows {
		total += after[r] - before[r]
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(out, "\nCPU per decided blanket: %d sent, %d accepted, %d decided, %d rejected; decided in %s (%.1f/s), quiet %s after; last delivery after %s\n",
		res.Sent, p.Accepted, p.Decided, p.Rejected, decidedAt.Sub(res.Started).Round(time.Second), decidedRate, quietAfter, e2e.Round(time.Second))
	fmt.Fprintf(out, "raw ledger appends (8 at a time, same run): %.0f/s; decided blankets/s / ledger appends/s = %.4f\n", appendRate, decidedRate/appendRate)
	fmt.Fprintln(tw, "process\tCPU s\tCPU ms/decided blanket\tshare\t")
	for _, r := range rows {
		d := after[r] - before[r]
		label := r
		if r == "broker" {
			label = "broker (+ load client, stand-ins)"
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.0f%%\t\n", label, d.Seconds(), float64(d.Milliseconds())/float64(p.Decided), 100*d.Seconds()/total.Seconds())
	}
	fmt.Fprintf(tw, "total\t%.1f\t%.1f\t100%%\t\n", total.Seconds(), float64(total.Milliseconds())/float64(p.Decided))
	tw.Flush()
	if len(res.Failed) > 0 || p.Missing > 0 {
		t.Errorf("%d never accepted, %d accepted but not processed", len(res.Failed), p.Missing)
	}
}

// fetchProfile saves the CPU profile at url (which takes secs seconds).
func fetchProfile(url, path string, secs int) error {
	c := &http.Client{Timeout: time.Duration(secs+30) * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %d %.200s (is PPROF=1 in the functions' environment?)", url, resp.StatusCode, b)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
