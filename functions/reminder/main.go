// Command reminder keeps reminders in Postgres, their schedule in Redis, and
// fires each once (reminder.due.v1). main only wires.
package main

import (
	"log/slog"
	"net/http"
	"os"
	"time"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/reminder/reminder"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/schedule"
)

type cfg struct {
	config.Base
	// RedisPrefix overrides the schedule's key prefix (default: derived
	// from the database name, see schedule.Prefix).
	RedisPrefix string `envconfig:"REMINDER_REDIS_PREFIX"`
	// Poll is the in-process tick interval (sub-minute latency next to the
	// once-a-minute PingSource); 0 turns it off.
	Poll time.Duration `envconfig:"REMINDER_POLL" default:"2s"`
}

func main() {
	ctx := signals.NewContext()
	var c cfg
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: "reminder", Base: c.Base, Migrations: reminder.Migrations()})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	rdb, err := schedule.Open(ctx, c.RedisURL)
	if err != nil {
		svc.Log.Error("start", "err", err.Error())
		os.Exit(1)
	}
	defer rdb.Close()
	prefix := c.RedisPrefix
	if prefix == "" {
		prefix = schedule.Prefix(c.DatabaseURL, "reminder")
	}
	r := reminder.New(svc, schedule.New(rdb, prefix), nil)
	verifier := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	r.Authorize = func(req *http.Request) error { return reminder.AuthorizeOperator(verifier, req) }
	r.Register()
	if n, err := r.Rebuild(ctx); err != nil {
		svc.Log.Error("rebuild at start", "err", err.Error())
		os.Exit(1)
	} else {
		svc.Log.Info("reminder schedule rebuilt from Postgres", "reminders", n)
	}
	go r.Loop(ctx, c.Poll)
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
