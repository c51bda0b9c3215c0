// Command localstack runs the whole system on this machine (see package
// localstack). `make run` builds the function binaries and starts it.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/localstack"
)

func main() {
	var cfg localstack.Config
	flag.StringVar(&cfg.Manifests, "manifests", "k8s/base", "kustomize base with the Knative manifests")
	flag.StringVar(&cfg.DataDir, "data", env("NR_DATA", ".data"), "data directory")
	flag.StringVar(&cfg.BinDir, "bin", env("NR_BIN", ".data/bin"), "directory of function binaries")
	flag.StringVar(&cfg.PublicAddr, "public", env("PUBLIC_ADDR", "127.0.0.1:8080"), "public origin address")
	flag.StringVar(&cfg.BrokerAddr, "broker", env("BROKER_ADDR", "127.0.0.1:8099"), "broker ingress address")
	flag.IntVar(&cfg.FirstPort, "first-port", 8101, "port of the first function")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("component", "localstack")
	cfg.Log = log
	ctx := signals.NewContext()
	// The public origin is opened first: the development issuer mounted on
	// it needs its URL, and the functions verify tokens against that URL.
	ln, err := net.Listen("tcp", cfg.PublicAddr)
	if err != nil {
		log.Error("public origin", "err", err.Error())
		os.Exit(1)
	}
	cfg.PublicListener = ln
	issuer, err := devissuer.New(devissuer.Config{Issuer: devissuer.PublicURL(ln.Addr().String())})
	if err != nil {
		log.Error("development issuer", "err", err.Error())
		os.Exit(1)
	}
	cfg.Mounts = map[string]http.Handler{"/dev-issuer/": issuer}
	cfg.Env = append(cfg.Env, "OIDC_ISSUER="+issuer.URL())
	registersURL, err := serveRegisters(ctx, cfg.DataDir, env("REGISTERS_ADDR", "127.0.0.1:8098"), log)
	if err != nil {
		log.Error("start failed", "err", err.Error())
		os.Exit(1)
	}
	cfg.Env = append(cfg.Env, "REGISTERS_URL="+registersURL)
	standIns, err := servePostStandIns(ctx, &cfg, env("POST_STANDINS_ADDR", "127.0.0.1:8097"), registersURL, log)
	if err != nil {
		log.Error("start failed", "err", err.Error())
		os.Exit(1)
	}
	stack, err := localstack.Start(ctx, cfg)
	if err != nil {
		ln.Close()
		log.Error("start failed", "err", err.Error())
		os.Exit(1)
	}
	var names []string
	for n, u := range stack.Functions() {
		names = append(names, n+"="+u)
	}
	fmt.Printf("\nNemRefusion is running.\n  Open:     %s\n  Login:    %s (development issuer; nrctl token --persona employer)\n  Broker:   %s (this machine only)\n  Functions: %s (this machine only; events only from the broker)\n  Metrics:  http://127.0.0.1:<function port + 1000>/metrics\n  Letters and SMS: %s/_standins/digitalpost/memo/v1/received, %s/_standins/nemsms/nemsms/v1/received (this machine only)\n  Logs:     %s/logs/\n  Stop:     Ctrl-C\n\n",
		stack.URL(), issuer.URL(), stack.BrokerURL(), strings.Join(names, " "), standIns, standIns, cfg.DataDir)
	<-ctx.Done()
	fmt.Println("stopping…")
	stack.Close()
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
