// Command maternity is the parental-leave function: it decides the
// parental blankets (the employer's refusion request, the self-employed's
// barselsdagpenge, the a-kasse's information — all for Udbetaling
// Danmark) through the generic blanket pipeline, and answers the parental
// refusion preview. main only wires.
package main

import (
	"log/slog"
	"os"
	"time"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/maternity/maternity"
	"nemrefusion.dk/functions/sickness/sickness"
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
	// ProvisionalRates are provisional maximum rates, "2026=4845" (kroner
	// per week), shared with the sickness function: the barselsdagpenge
	// maximum is the sygedagpenge maximum. NOT the law: every result using
	// one says so.
	ProvisionalRates string `envconfig:"SICKNESS_PROVISIONAL_RATES"`
}

func main() {
	ctx := signals.NewContext()
	var c cfg
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	rates, err := sickness.LoadRates(c.ProvisionalRates)
	if err != nil {
		slog.Error("rates", "err", err.Error())
		os.Exit(2)
	}
	regs, err := client.New(c.RegistersURL)
	if err != nil {
		slog.Error("registers", "err", err.Error())
		os.Exit(2)
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: "maternity", Base: c.Base})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	h := &maternity.Handler{Rates: rates}
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
	svc.Mux.Handle(maternity.PreviewPath, auth.Require(v, auth.Role(events.SenderEmployer), auth.Role(events.SenderPayrollSystem))(h.Preview(time.Now)))
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
