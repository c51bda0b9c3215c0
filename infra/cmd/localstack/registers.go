package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"nemrefusion.dk/infra/registers/standin"
)

// serveRegisters serves the stand-in CPR, CVR and eIndkomst registers on
// addr (REGISTERS_ADDR, default 127.0.0.1:8098, the functions' default
// REGISTERS_URL) from the synthetic Denmark of the data directory's seed
// file, and follows that file, so `nrctl seed` takes effect without a
// restart. It returns the URL to pass to the functions as REGISTERS_URL.
func serveRegisters(ctx context.Context, dataDir, addr string, log *slog.Logger) (string, error) {
	live, err := standin.NewLive(standin.SeedPath(dataDir))
	if err != nil {
		return "", fmt.Errorf("stand-in registers: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("stand-in registers: %w", err)
	}
	srv := &http.Server{Handler: standin.New(live), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("stand-in registers stopped", "err", err.Error())
		}
	}()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	go live.Watch(ctx, 2*time.Second, func(err error) {
		log.Warn("seed file not loaded; still serving the previous dataset", "err", err.Error())
	})
	c := live.Dataset().Config
	log.Info("stand-in registers", "url", "http://"+ln.Addr().String(), "seed", c.Seed, "reference", c.Reference.String(), "persons", c.Persons)
	return "http://" + ln.Addr().String(), nil
}
