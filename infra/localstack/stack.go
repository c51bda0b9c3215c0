// Package localstack runs the whole system on one machine: the local broker
// (standing in for Knative Eventing, reading the same manifests in k8s/),
// every function binary as a supervised process, and the public gateway that
// routes the one public origin by the HTTPRoute in k8s/base, as a Gateway
// would in a cluster (path prefix or exact, and method).
//
// Internal traffic stays internal: every function listens on 127.0.0.1
// only (LISTEN_HOST), with /metrics on its own port (METRICS_PORT, the
// function's port + 1000; Stack.Metrics), and takes CloudEvents only with
// the token the broker signs for it on every delivery, with a key made at
// each start (the private half never leaves memory; the public half is
// <data>/keys/broker-delivery.pub, EVENTS_KEY_FILE). The broker's ingress
// listens on loopback and takes no token: it is this machine's, as in a
// cluster its ingress is the cluster's (where authentication-oidc and
// K_SINK_TOKEN_FILE authenticate the functions' publishes too).
package localstack

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"nemrefusion.dk/infra/broker"
	"nemrefusion.dk/infra/runtime"
)

// Config configures the local stack.
type Config struct {
	// Manifests is the kustomize base the broker and gateway read (k8s/base).
	Manifests string
	// DataDir holds the broker's JetStream store, keys and function logs.
	DataDir string
	// BinDir holds one binary per function, named after its Knative Service.
	BinDir string
	// PublicAddr is the public origin (default 127.0.0.1:8080).
	PublicAddr string
	// PublicListener, when set, is the already open public origin (PublicAddr
	// is then ignored). Open it first when the functions' environment needs
	// the public URL, as the issuer URL of the development issuer mounted
	// on it. Stack.Close closes it; when Start fails, the caller does.
	PublicListener net.Listener
	// BrokerAddr is the broker ingress (default 127.0.0.1:8099).
	BrokerAddr string
	// FirstPort is the port of the first function; the others follow
	// (default 8101). -1 lets the kernel pick a free port for each (tests).
	FirstPort int
	// Env is added to every function's environment.
	Env []string
	// Mounts are extra handlers on the public origin, by path prefix
	// (the development issuer, for example).
	Mounts map[string]http.Handler
	Log    *slog.Logger
}

// Stack is a running local stack.
type Stack struct {
	cfg    Config
	broker *broker.Broker
	procs  map[string]*process
	routes []Route
	public *http.Server
	ln     net.Listener
	cancel context.CancelFunc
	runCtx context.Context
	wg     sync.WaitGroup
	// brokerMu guards broker against RestartBroker.
	brokerMu sync.Mutex
	// deliveryKey signs the broker's deliveries (deliveryTrust).
	deliveryKey ed25519.PrivateKey
}

// startBroker starts a local broker on addr with the stack's manifests and
// its JetStream store under the data directory.
func (s *Stack) startBroker(addr string) (*broker.Broker, error) {
	b, err := broker.New(broker.Config{
		DataDir:      filepath.Join(s.cfg.DataDir, "broker"),
		Addr:         addr,
		ManifestsDir: s.cfg.Manifests,
		SkipDirs:     []string{"overlays"},
		Resolver:     s.resolve,
		Logger:       s.cfg.Log,
		DeliveryKey:  s.deliveryKey,
	})
	if err != nil {
		return nil, fmt.Errorf("localstack: broker: %w", err)
	}
	if err := b.Start(s.runCtx); err != nil {
		return nil, fmt.Errorf("localstack: broker: %w", err)
	}
	return b, nil
}

// RestartBroker stops the local broker (as a crash of the broker's pod
// would, but letting it flush), waits down, and starts it again on the same
// address with the same JetStream store, so what it accepted is delivered
// after the restart. While it is down, functions cannot publish (their
// outboxes keep the events). For fault tests; not safe to call
// concurrently with Close.
func (s *Stack) RestartBroker(down time.Duration) error {
	s.brokerMu.Lock()
	defer s.brokerMu.Unlock()
	addr := s.broker.Addr()
	s.broker.Close()
	time.Sleep(down)
	var err error
	for range 50 { // the port may linger a moment after Close
		var b *broker.Broker
		if b, err = s.startBroker(addr); err == nil {
			s.broker = b
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// Start brings the stack up and returns when every function answers /readyz.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	if cfg.PublicAddr == "" {
		cfg.PublicAddr = "127.0.0.1:8080"
	}
	if cfg.BrokerAddr == "" {
		cfg.BrokerAddr = "127.0.0.1:8099"
	}
	if cfg.FirstPort == 0 {
		cfg.FirstPort = 8101
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	services, routes, err := readManifests(cfg.Manifests)
	if err != nil {
		return nil, fmt.Errorf("localstack: manifests: %w", err)
	}
	logs := filepath.Join(cfg.DataDir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, fmt.Errorf("localstack: %w", err)
	}
	trust, err := trustEnv(ctx, cfg)
	if err != nil {
		return nil, err
	}
	cfg.Env = append(cfg.Env, trust...)
	s := &Stack{cfg: cfg, procs: map[string]*process{}, routes: routes}
	key, deliveryEnv, err := deliveryTrust(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	s.deliveryKey = key
	port := cfg.FirstPort
	var free []int
	if cfg.FirstPort < 0 {
		if free, err = freePorts(2 * len(services)); err != nil {
			return nil, fmt.Errorf("localstack: %w", err)
		}
	}
	for i, name := range services {
		bin := filepath.Join(cfg.BinDir, name)
		if _, err := os.Stat(bin); err != nil {
			cfg.Log.Warn("no binary for Knative Service; not started", "service", name)
			continue
		}
		p, mp := port, port+1000 // metrics: 9101, 9102, … next to 8101, 8102, …
		if cfg.FirstPort < 0 {
			p, mp = free[2*i], free[2*i+1]
		}
		s.procs[name] = &process{
			name: name, bin: bin, port: p, metrics: mp, logs: logs, log: cfg.Log,
			env: append(append([]string{
				"LEDGER_KEY_FILE=" + filepath.Join(cfg.DataDir, "keys", "ledger-ed25519.key"),
			}, cfg.Env...), deliveryEnv...),
		}
		port++
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel

	s.runCtx = runCtx
	if s.broker, err = s.startBroker(cfg.BrokerAddr); err != nil {
		cancel()
		return nil, err
	}
	for _, p := range s.procs {
		p.env = append(p.env, "K_SINK="+s.broker.IngressURL("default"))
		if err := p.start(); err != nil {
			s.Close()
			return nil, err
		}
		s.wg.Add(1)
		go func(p *process) { defer s.wg.Done(); p.supervise(runCtx) }(p)
	}
	readyCtx, readyCancel := context.WithTimeout(ctx, 90*time.Second)
	defer readyCancel()
	for _, p := range s.procs {
		if err := p.waitReady(readyCtx); err != nil {
			s.Close()
			return nil, fmt.Errorf("localstack: %w", err)
		}
	}
	if s.ln = cfg.PublicListener; s.ln == nil {
		if s.ln, err = net.Listen("tcp", cfg.PublicAddr); err != nil {
			s.Close()
			return nil, fmt.Errorf("localstack: public origin: %w", err)
		}
	}
	s.public = &http.Server{Handler: s.gateway(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.public.Serve(s.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.Log.Error("public origin stopped", "err", err.Error())
		}
	}()
	return s, nil
}

// URL is the public origin.
func (s *Stack) URL() string { return "http://" + s.ln.Addr().String() }

// BrokerURL is the broker ingress of the default broker.
func (s *Stack) BrokerURL() string {
	s.brokerMu.Lock()
	defer s.brokerMu.Unlock()
	return s.broker.IngressURL("default")
}

// Functions lists the running functions and their URLs.
func (s *Stack) Functions() map[string]string {
	out := map[string]string{}
	for n, p := range s.procs {
		out[n] = p.url()
	}
	return out
}

// Metrics lists the running functions' metrics URLs (GET), each on its
// own loopback port, apart from the function's app port and never on the
// public origin.
func (s *Stack) Metrics() map[string]string {
	out := map[string]string{}
	for n, p := range s.procs {
		out[n] = p.metricsURL()
	}
	return out
}

// Kill crashes a function (SIGKILL); the supervisor restarts it. For fault tests.
func (s *Stack) Kill(name string) error {
	p, ok := s.procs[name]
	if !ok {
		return fmt.Errorf("no function %q", name)
	}
	p.kill()
	return nil
}

// Close stops the public origin, every function (SIGTERM, then SIGKILL after
// 20 s) and the broker, in that order, so nothing accepted is lost.
func (s *Stack) Close() {
	if s.public != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = s.public.Shutdown(sctx)
		cancel()
	}
	var wg sync.WaitGroup
	for _, p := range s.procs {
		wg.Add(1)
		go func(p *process) { defer wg.Done(); p.stop(20 * time.Second) }(p)
	}
	wg.Wait()
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	s.brokerMu.Lock()
	defer s.brokerMu.Unlock()
	if s.broker != nil {
		s.broker.Close()
	}
}

func (s *Stack) resolve(kind, name string) (string, error) {
	if p, ok := s.procs[name]; ok && kind == "Service" {
		return p.url(), nil
	}
	return "", fmt.Errorf("localstack: no running %s %q", kind, name)
}

// gateway routes the public origin: mounts first, then the HTTPRoute rules
// (longest prefix first), then a small index page.
func (s *Stack) gateway() http.Handler {
	mux := http.NewServeMux()
	for prefix, h := range s.cfg.Mounts {
		mux.Handle(prefix, h)
	}
	proxies := map[string]*httputil.ReverseProxy{}
	for _, r := range s.routes {
		p, ok := s.procs[r.Backend]
		if !ok {
			continue
		}
		u, _ := url.Parse(p.url())
		if proxies[r.Backend] == nil {
			rp := httputil.NewSingleHostReverseProxy(u)
			rp.ErrorHandler = func(w http.ResponseWriter, _ *http.Request, err error) {
				runtime.WriteError(w, runtime.Fail(runtime.KindUnavailable, "backend-unavailable",
					"Tjenesten er midlertidigt utilgængelig. Prøv igen om lidt.", "The service is temporarily unavailable. Please try again shortly.", err))
			}
			proxies[r.Backend] = rp
		}
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		for _, rt := range s.routes {
			if rt.matches(r) {
				if rp := proxies[rt.Backend]; rp != nil {
					rp.ServeHTTP(w, r)
					return
				}
			}
		}
		// No route takes it: a path no route serves, or a method the
		// route does not take (POST / would be the portal's CloudEvents
		// receiver, which is not public).
		if r.URL.Path == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, indexPage)
			return
		}
		runtime.WriteError(w, runtime.Fail(runtime.KindNotFound, "not-found", "Siden findes ikke.", "The page does not exist.", nil))
	})
	return mux
}

const indexPage = `<!doctype html><html lang="da"><head><meta charset="utf-8"><title>NemRefusion (lokal)</title></head>
<body><h1>NemRefusion – lokal udviklingsstak</h1>
<p>Offentlige API'er: <code>POST /api/v1/events</code> (CloudEvents), <code>GET /api/v1/audit/streams/{stream}</code>. De kræver et token.</p>
<p>Udviklingslogin (kun lokalt): <a href="/dev-issuer/.well-known/openid-configuration">/dev-issuer/</a>.</p>
</body></html>`

// freePorts returns n distinct loopback ports that are free now, for the
// functions to bind a moment later. They are picked below the kernel's
// ephemeral range (32768–60999 on Linux), where no outgoing connection
// takes one in between, and all are held until all are found, so no two
// functions (or a function and its metrics listener) are given the same.
func freePorts(n int) ([]int, error) {
	const lo, hi = 20000, 32000
	var held []net.Listener
	defer func() {
		for _, ln := range held {
			_ = ln.Close()
		}
	}()
	ports := make([]int, 0, n)
	for try := 0; len(ports) < n; try++ {
		if try > 50*n {
			return nil, fmt.Errorf("no %d free loopback ports in %d–%d", n, lo, hi)
		}
		port := lo + rand.IntN(hi-lo)
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue // taken
		}
		held = append(held, ln)
		ports = append(ports, port)
	}
	return ports, nil
}
