// Command portal serves the browser app (NemRefusion, Mit Sygefravær and the
// caseworkers' inbox) on the public origin, next to the APIs. main only wires.
package main

import (
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/portal/portal"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/runtime"
)

func main() {
	ctx := signals.NewContext()
	var c struct {
		config.Base
		portal.Config
	}
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	c.Config.Issuer = c.OIDCIssuer
	svc, err := runtime.New(ctx, runtime.Options{Name: "portal", Base: c.Base})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	h, err := portal.New(c.Config, svc.Log)
	if err != nil {
		svc.Log.Error("start", "err", err.Error())
		os.Exit(1)
	}
	h.Register(svc.Mux)
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
