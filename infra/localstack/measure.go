package localstack

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Names lists the running functions, sorted.
func (s *Stack) Names() []string {
	out := make([]string, 0, len(s.procs))
	for n := range s.procs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Pid is the process id of the running instance of function name (0 when
// it is not running), for CPU and memory accounting in benchmarks.
func (s *Stack) Pid(name string) int {
	p, ok := s.procs[name]
	if !ok {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Started is what StartToReady measured of one process start.
type Started struct {
	// Ready is the time from the start of the process to the first 200 of
	// its readiness URL.
	Ready time.Duration
	// RSS is the process's resident set (VmRSS) after it was ready and
	// then idle for the given time, in bytes.
	RSS int64
}

// ColdStart starts another instance of function name, as a scale-up from
// zero would, with the running one's environment on free loopback ports,
// and measures it with StartToReady; it is stopped (SIGTERM) before
// ColdStart returns. Its log goes to <data>/logs/<name>.coldstart.log.
func (s *Stack) ColdStart(ctx context.Context, name string, idle time.Duration) (Started, error) {
	p, ok := s.procs[name]
	if !ok {
		return Started{}, fmt.Errorf("no function %q", name)
	}
	ports, err := freePorts(2)
	if err != nil {
		return Started{}, err
	}
	out, err := os.OpenFile(filepath.Join(p.logs, name+".coldstart.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return Started{}, err
	}
	defer out.Close()
	cmd := exec.Command(p.bin)
	cmd.Env = append(append(os.Environ(), p.env...), fmt.Sprintf("PORT=%d", ports[0]), fmt.Sprintf("METRICS_PORT=%d", ports[1]), "LISTEN_HOST=127.0.0.1")
	cmd.Stdout, cmd.Stderr = out, out
	return StartToReady(ctx, cmd, fmt.Sprintf("http://127.0.0.1:%d/readyz", ports[0]), idle)
}

// StartToReady starts cmd, polls readyURL every millisecond until it
// answers 200, waits idle, reads the process's VmRSS, and stops it
// (SIGTERM, SIGKILL after 10 s). An empty readyURL measures the time to
// the process's exit instead (a baseline such as /bin/true; RSS is then 0).
func StartToReady(ctx context.Context, cmd *exec.Cmd, readyURL string, idle time.Duration) (Started, error) {
	c := &http.Client{Timeout: time.Second}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return Started{}, err
	}
	if readyURL == "" {
		err := cmd.Wait()
		return Started{Ready: time.Since(t0)}, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	var st Started
	for {
		resp, err := c.Get(readyURL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				st.Ready = time.Since(t0)
				break
			}
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-exited:
			return st, fmt.Errorf("%s exited before it was ready", cmd.Path)
		case <-time.After(time.Millisecond):
		}
	}
	select {
	case <-time.After(idle):
	case <-ctx.Done():
		return st, ctx.Err()
	}
	rss, err := RSS(cmd.Process.Pid)
	st.RSS = rss
	return st, err
}

// RSS reads a process's resident set size (VmRSS of /proc/<pid>/status) in
// bytes.
func RSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			f := strings.Fields(v) // "12345 kB"
			if len(f) != 2 || f[1] != "kB" {
				return 0, fmt.Errorf("VmRSS of %d: %q", pid, v)
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for process %d", pid)
}

// clockTick is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every
// Linux architecture Go supports (sysconf(_SC_CLK_TCK)).
const clockTick = 100

// CPUTime is the user plus system CPU time a process has used so far
// (utime + stime of /proc/<pid>/stat), in steps of 10 ms.
func CPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", pid, b)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: utime %q stime %q", pid, f[11], f[12])
	}
	return time.Duration(utime+stime) * time.Second / clockTick, nil
}
