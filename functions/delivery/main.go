// Command delivery runs the delivery function: recipients' streams (fetch
// and push), the feedback loop to senders and the administration of DPO
// links and the contribution key. main only wires.
package main

import (
	"errors"
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/delivery/admin"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/runtime"
)

type cfg struct {
	config.Base
	delivery.Config
}

func main() {
	ctx := signals.NewContext()
	var c cfg
	var ac admin.Config
	if err := errors.Join(config.Load(&c), config.Load(&ac)); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: "delivery", Base: c.Base, Migrations: delivery.Migrations()})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	fn, err := delivery.Register(svc, c.Config, v)
	if err != nil {
		svc.Log.Error("start", "err", err.Error())
		os.Exit(1)
	}
	if _, err := admin.Register(ctx, svc, ac, v); err != nil {
		svc.Log.Error("start", "err", err.Error())
		os.Exit(1)
	}
	go fn.Run(ctx)
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
