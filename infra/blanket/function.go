package blanket

import (
	"context"
	"log/slog"
	"net/http"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/registers/client"
	"nemrefusion.dk/infra/runtime"
)

// Config is the configuration every blanket function reads: the shared
// base, the login settings and where the registers answer. A function
// embeds it in its own configuration and loads that with config.Load.
type Config struct {
	config.Base
	auth.Config
	// RegistersURL is the CPR/CVR/eIndkomst API (the stand-in locally).
	RegistersURL string `envconfig:"REGISTERS_URL" default:"http://127.0.0.1:8090"`
}

// Function is what a blanket function names as its own; Main wires the rest.
type Function struct {
	// Name is the function's name: its schema, event source and metrics label.
	Name string
	// Definitions are the blankets the function decides.
	Definitions []Definition
	// PreviewPath is the route of the function's preview, e.g.
	// "POST /api/v1/refusion/preview", and Preview its handler.
	PreviewPath string
	Preview     http.Handler
	// PreviewRoles are the roles of the senders who may call the preview.
	PreviewRoles []auth.Role
	// Setup, when set, wires what the function has besides its blankets
	// (its own tables, routes and event handlers) once the pipeline is
	// registered; it gets the pipeline (for Redecide) and the login
	// verifier. An error stops the function from starting.
	Setup func(ctx context.Context, svc *runtime.Service, pipe *Pipeline, v *auth.Verifier) error
}

// Main is the main of a blanket function: it reads the registers at
// c.RegistersURL, starts the runtime, registers the pipeline of
// f.Definitions and, behind a login with one of f.PreviewRoles, the
// preview, then serves until ctx ends. It logs what stops it and returns
// the process's exit code: 2 for a configuration error, 1 when the function
// cannot start or stops with an error, 0 after a clean shutdown.
func Main(ctx context.Context, c Config, f Function) int {
	regs, err := client.New(c.RegistersURL)
	if err != nil {
		slog.Error("registers", "err", err.Error())
		return 2
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: f.Name, Base: c.Base})
	if err != nil {
		slog.Error("start", "err", err.Error())
		return 1
	}
	pipe, err := New(regs, f.Definitions...)
	if err != nil {
		svc.Log.Error("blankets", "err", err.Error())
		return 1
	}
	if err := pipe.Register(ctx, svc); err != nil {
		svc.Log.Error("blankets", "err", err.Error())
		return 1
	}
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	v.Ledger = svc.DB
	svc.Mux.Handle(f.PreviewPath, auth.Require(v, f.PreviewRoles...)(f.Preview))
	if f.Setup != nil {
		if err := f.Setup(ctx, svc, pipe, v); err != nil {
			svc.Log.Error("setup", "err", err.Error())
			return 1
		}
	}
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		return 1
	}
	return 0
}
