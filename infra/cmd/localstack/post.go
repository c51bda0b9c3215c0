package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/digitalpost"
	"nemrefusion.dk/infra/localstack"
	"nemrefusion.dk/infra/nemsms"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/client"
)

// servePostStandIns serves the stand-in Digital Post (with its paper-print
// queue) and NemSMS on their own loopback listener addr (POST_STANDINS_ADDR,
// default 127.0.0.1:8097), under /_standins/, never on the public origin:
// what they received is every letter with its recipient's CPR, so only
// this machine may read it. It points the functions at them
// (DIGITALPOST_URL, NEMSMS_URL). NemSMS asks the registers at registersURL
// who signed up. What they received is listed at
// http://<addr>/_standins/digitalpost/memo/v1/received and
// http://<addr>/_standins/nemsms/nemsms/v1/received.
func servePostStandIns(ctx context.Context, cfg *localstack.Config, addr, registersURL string, log *slog.Logger) (string, error) {
	regs, err := client.New(registersURL)
	if err != nil {
		return "", err
	}
	sms := nemsms.NewStandIn(func(ctx context.Context, cpr ids.CPR) (bool, error) {
		p, err := regs.Person(ctx, cpr)
		if errors.Is(err, registers.ErrNotFound) {
			return false, nil
		}
		return err == nil && p.NemSMS != "", err
	})
	mux := http.NewServeMux()
	mux.Handle("/_standins/digitalpost/", http.StripPrefix("/_standins/digitalpost", digitalpost.NewStandIn()))
	mux.Handle("/_standins/nemsms/", http.StripPrefix("/_standins/nemsms", sms))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("stand-in Digital Post and NemSMS: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("stand-in Digital Post and NemSMS stopped", "err", err.Error())
		}
	}()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	base := "http://" + ln.Addr().String()
	cfg.Env = append(cfg.Env, "DIGITALPOST_URL="+base+"/_standins/digitalpost", "NEMSMS_URL="+base+"/_standins/nemsms")
	return base, nil
}
