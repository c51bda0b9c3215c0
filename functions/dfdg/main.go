// Command dfdg runs the data-foundation feed: sick, recovery and
// cancellation notices (seeds/004 chapter 37), the lookups of the
// municipalities an absence was delivered to, and the recovery told to
// those that looked before it arrived. main only wires.
package main

import (
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/dfdg/dfdg"
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
	svc, err := runtime.New(ctx, runtime.Options{Name: "dfdg", Base: c, Migrations: dfdg.Migrations()})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	dfdg.Register(svc, auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience))
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
