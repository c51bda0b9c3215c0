// Command lookup answers register lookups (CPR, CVR, eIndkomst) from the
// registers behind a Redis cache, by event and over HTTP. main only wires.
package main

import (
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/lookup/lookup"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/registers/cache"
	"nemrefusion.dk/infra/runtime"
)

type cfg struct {
	config.Base
	cache.Config
}

func main() {
	ctx := signals.NewContext()
	var c cfg
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: "lookup", Base: c.Base})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	regs, closeRedis, err := cache.Open(c.Config, c.RedisURL, svc.Log)
	if err != nil {
		svc.Log.Error("registers", "err", err.Error())
		os.Exit(1)
	}
	defer closeRedis()
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	v.Ledger = svc.DB
	lookup.Register(svc, regs, v)
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
