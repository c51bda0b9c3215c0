// Command waiting is the ventefunktion (prepared blankets held until the
// sender submits them) and the senders' alerts for reminders that came due.
// main only wires.
package main

import (
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/waiting/waiting"
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
	svc, err := runtime.New(ctx, runtime.Options{Name: "waiting", Base: c.Base, Migrations: waiting.Migrations()})
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
	v.Ledger = svc.DB
	waiting.New(svc, front, auth.Require(v, auth.RoleEmployer, auth.RoleSelfEmployed, auth.RoleAKasse, auth.RolePayrollSystem), nil).Register()
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
