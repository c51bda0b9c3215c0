// Command broker runs the local stand-in for Knative Eventing: the Broker,
// Trigger and PingSource manifests under -manifests, an ingress on -addr and
// a JetStream store under -data. Knative Service names are resolved through
// BROKER_SERVICES ("name=http://127.0.0.1:8101,name2=...").
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	_ "time/tzdata" // PingSource time zones without the OS database

	"knative.dev/pkg/signals"

	"nemrefusion.dk/infra/broker"
)

func main() {
	if err := run(); err != nil {
		slog.Error("broker failed", "err", err)
		os.Exit(1)
	}
}

func run() error {
	fs := flag.NewFlagSet("broker", flag.ContinueOnError)
	addr := fs.String("addr", env("BROKER_ADDR", "127.0.0.1:8099"), "ingress listen address (BROKER_ADDR)")
	data := fs.String("data", env("BROKER_DATA", ".data/broker"), "JetStream store directory (BROKER_DATA)")
	manifests := fs.String("manifests", env("BROKER_MANIFESTS", "k8s"), "directory walked for Broker, Trigger and PingSource manifests (BROKER_MANIFESTS)")
	skip := fs.String("skip-dirs", env("BROKER_SKIP_DIRS", "overlays"), "comma-separated directory names not walked (BROKER_SKIP_DIRS)")
	namespace := fs.String("namespace", env("BROKER_NAMESPACE", "nemrefusion"), "namespace of manifests without one (BROKER_NAMESPACE)")
	services := fs.String("services", os.Getenv("BROKER_SERVICES"), "Knative Service base URLs, name=url,... (BROKER_SERVICES)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)

	urls, err := parseServices(*services)
	if err != nil {
		return err
	}
	b, err := broker.New(broker.Config{
		Namespace:    *namespace,
		DataDir:      *data,
		Addr:         *addr,
		ManifestsDir: *manifests,
		SkipDirs:     splitList(*skip),
		Resolver:     staticResolver(urls),
		Logger:       log,
	})
	if err != nil {
		return err
	}
	ctx := signals.NewContext()
	if err := b.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	b.Close()
	return nil
}

// parseServices reads "name=url,name2=url2" into a map, checking each URL.
func parseServices(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range splitList(s) {
		name, raw, ok := strings.Cut(pair, "=")
		name, raw = strings.TrimSpace(name), strings.TrimSpace(raw)
		if !ok || name == "" {
			return nil, fmt.Errorf("BROKER_SERVICES entry %q: want name=url", pair)
		}
		if u, err := url.Parse(raw); err != nil || !u.IsAbs() || u.Host == "" {
			return nil, fmt.Errorf("BROKER_SERVICES entry %q: %q is not an absolute URL", pair, raw)
		}
		out[name] = raw
	}
	return out, nil
}

// staticResolver resolves Knative Service refs from a fixed map.
func staticResolver(urls map[string]string) broker.Resolver {
	return func(kind, name string) (string, error) {
		if kind != "Service" {
			return "", fmt.Errorf("cannot resolve kind %s", kind)
		}
		u, ok := urls[name]
		if !ok {
			return "", errors.New("service not in BROKER_SERVICES")
		}
		return u, nil
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
