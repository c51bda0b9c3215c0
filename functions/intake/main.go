// Command intake is the public door for CloudEvents from the web app and
// partner systems: it hands submissions to the accept step
// (nemrefusion.dk/infra/accept), which records and forwards them to the
// broker. main only wires.
package main

import (
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/intake/intake"
	"nemrefusion.dk/infra/accept"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/runtime"
)

func main() {
	ctx := signals.NewContext()
	var c struct {
		config.Base
		auth.Config
	}
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: "intake", Base: c.Base, Migrations: intake.Migrations()})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	front, err := accept.New(ctx, svc, accept.Options{SigningMaxAge: c.SigningMaxAge})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	v.Log = svc.Log
	intake.Register(svc, v, front)
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
