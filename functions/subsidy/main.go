// Command subsidy is the subsidy function: it decides the subsidy blankets
// (wage subsidy, flexjob subsidy, job clarification refusion, adult
// apprentice subsidy, mentor subsidy and the self-employed's § 136 support
// — all for the municipality, without feedback or notification letter)
// through the generic blanket pipeline, and answers the subsidy preview.
// main only wires.
package main

import (
	"log/slog"
	"os"
	"time"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/subsidy/grants"
	"nemrefusion.dk/functions/subsidy/subsidy"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/registers/client"
	"nemrefusion.dk/infra/runtime"
)

type cfg struct {
	config.Base
	auth.Config
	// RegistersURL is the CPR/CVR/eIndkomst API (the stand-in locally).
	RegistersURL string `envconfig:"REGISTERS_URL" default:"http://127.0.0.1:8090"`
}

func main() {
	ctx := signals.NewContext()
	var c cfg
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	caps, err := grants.DefaultCaps()
	if err != nil {
		slog.Error("caps", "err", err.Error())
		os.Exit(2)
	}
	regs, err := client.New(c.RegistersURL)
	if err != nil {
		slog.Error("registers", "err", err.Error())
		os.Exit(2)
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: "subsidy", Base: c.Base})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	h := &subsidy.Handler{Caps: caps}
	pipe, err := blanket.New(regs, h.Definitions()...)
	if err != nil {
		svc.Log.Error("blankets", "err", err.Error())
		os.Exit(1)
	}
	if err := pipe.Register(ctx, svc); err != nil {
		svc.Log.Error("blankets", "err", err.Error())
		os.Exit(1)
	}
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	v.Ledger = svc.DB
	senders := []auth.Role{auth.Role(events.SenderEmployer), auth.Role(events.SenderPayrollSystem), auth.Role(events.SenderSelfEmployed)}
	svc.Mux.Handle(subsidy.PreviewPath, auth.Require(v, senders...)(h.Preview(time.Now)))
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
