// Command deadletter receives the events the broker could not deliver after
// all retries, so nothing is silently lost. main only wires.
package main

import (
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/deadletter/deadletter"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/runtime"
)

func main() {
	ctx := signals.NewContext()
	var c config.Base
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: "deadletter", Base: c, Migrations: deadletter.Migrations(), MaxEventBytes: 8 << 20})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	v.Log = svc.Log
	deadletter.Register(svc, v)
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
