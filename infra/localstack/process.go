package localstack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// process supervises one function binary: it restarts it when it dies
// (backoff 0.5 s doubling to 10 s) until the stack stops.
type process struct {
	name    string
	bin     string
	port    int
	metrics int // METRICS_PORT
	env     []string
	logs    string
	log     *slog.Logger

	mu      sync.Mutex
	cmd     *exec.Cmd
	stopped bool
	exited  chan struct{}
}

func (p *process) url() string { return fmt.Sprintf("http://127.0.0.1:%d", p.port) }

func (p *process) metricsURL() string { return fmt.Sprintf("http://127.0.0.1:%d/metrics", p.metrics) }

// start launches the binary; it is called again by supervise after a death.
func (p *process) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return nil
	}
	out, err := os.OpenFile(filepath.Join(p.logs, p.name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("log file of %s: %w", p.name, err)
	}
	cmd := exec.Command(p.bin)
	// Loopback only: the public origin's gateway is the one way in from
	// outside, and it never routes to the CloudEvents receiver or metrics.
	cmd.Env = append(append(os.Environ(), p.env...), fmt.Sprintf("PORT=%d", p.port), fmt.Sprintf("METRICS_PORT=%d", p.metrics), "LISTEN_HOST=127.0.0.1")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("start %s: %w", p.name, err)
	}
	p.cmd = cmd
	p.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		out.Close()
		close(done)
	}(cmd, p.exited)
	return nil
}

// supervise restarts the process whenever it exits, until stop.
func (p *process) supervise(ctx context.Context) {
	backoff := 500 * time.Millisecond
	for {
		p.mu.Lock()
		done, stopped := p.exited, p.stopped
		p.mu.Unlock()
		if stopped {
			return
		}
		started := time.Now()
		select {
		case <-ctx.Done():
			return
		case <-done:
		}
		p.mu.Lock()
		stopped = p.stopped
		p.mu.Unlock()
		if stopped {
			return
		}
		if time.Since(started) > time.Minute {
			backoff = 500 * time.Millisecond
		}
		p.log.Warn("function exited; restarting", "function", p.name, "in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
		if err := p.start(); err != nil {
			p.log.Error("restart failed", "function", p.name, "err", err.Error())
		}
	}
}

// Kill sends SIGKILL (a crash); supervise restarts it.
func (p *process) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil && p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// stop sends SIGTERM and waits up to grace, then SIGKILL.
func (p *process) stop(grace time.Duration) {
	p.mu.Lock()
	p.stopped = true
	cmd, done := p.cmd, p.exited
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// waitReady polls /readyz until it answers 200 or ctx ends.
func (p *process) waitReady(ctx context.Context) error {
	c := &http.Client{Timeout: time.Second}
	for {
		resp, err := c.Get(p.url() + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w (see its log)", p.name, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
