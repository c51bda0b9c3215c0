package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"nemrefusion.dk/infra/load"
	"nemrefusion.dk/infra/registers/standin"
	"nemrefusion.dk/infra/registers/synth"
)

func init() {
	register("load", "submit a realistic mix of blankets to a running stack and report throughput, latency and lag (nrctl load -h)", runLoad)
}

// defaultMix writes load.DefaultMix as --mix takes it.
func defaultMix() string {
	var parts []string
	for _, k := range load.Kinds {
		if w := load.DefaultMix[k]; w > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", k, w))
		}
	}
	return strings.Join(parts, ",")
}

// runLoad generates load on a running stack (make run) with package load:
// the synthetic Denmark of the stack's seed file, tokens from its
// development issuer, and (unless --follow 0) the pipeline read from the
// stack's database afterwards for the end-to-end lag.
func runLoad(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	base := fs.String("url", e.get("NR_URL", "http://localhost:8080"), "public origin of the stack (env NR_URL)")
	data := fs.String("data", e.get("NR_DATA", ".data"), "data directory of the local stack (its registers seed file)")
	rate := fs.Float64("rate", 0, "submissions per second; 0 = as fast as the workers allow")
	count := fs.Int("count", 0, fmt.Sprintf("stop after this many submissions (at most %d)", load.MaxCount))
	duration := fs.Duration("duration", 0, fmt.Sprintf("stop after this long (at most %s)", load.MaxDuration))
	workers := fs.Int("workers", 16, "requests in flight at most")
	mix := fs.String("mix", "", "weights per kind, e.g. employer-report=60,recovery=20,parental-employer=10,subsidy-wage=5 (default: "+defaultMix()+"); kinds: "+load.KindNames())
	retry := fs.Bool("retry", false, "retry 503/429 (after Retry-After), 401 and broken connections with the same event id until accepted")
	seed := fs.Uint64("seed", 0, "vary who is reported (default random)")
	follow := fs.Duration("follow", 2*time.Minute, "afterwards, wait up to this long for the pipeline (decisions, deliveries) and report the end-to-end lag; 0 skips it (needs DATABASE_URL)")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: nrctl load (--count N | --duration D) [--rate R] [--workers W] [--mix ...] [--retry] [--follow D] [--url URL]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(splitFlags(args, "url", "data", "rate", "count", "duration", "workers", "mix", "seed", "follow")); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return usageErr("%v", err)
	}
	if fs.NArg() > 0 || (*count <= 0 && *duration <= 0) {
		fs.Usage()
		return usageErr("give --count or --duration (both are capped)")
	}
	if *count > load.MaxCount || *duration > load.MaxDuration || *rate < 0 {
		return usageErr("--count is at most %d, --duration at most %s, --rate not negative", load.MaxCount, load.MaxDuration)
	}
	cfg := load.Config{BaseURL: *base, Rate: *rate, Count: *count, Duration: *duration, Workers: *workers, Retry: *retry, Seed: *seed,
		Progress: func(sent, accepted int) { fmt.Fprintf(e.stderr, "\r%d sent, %d accepted", sent, accepted) }}
	if *mix != "" {
		m, err := load.ParseMix(*mix)
		if err != nil {
			return usageErr("%v", err)
		}
		cfg.Mix = m
	}
	sc, err := standin.ReadSeed(standin.SeedPath(*data), time.Now())
	if err != nil {
		return err
	}
	if cfg.Dataset, err = synth.Generate(sc); err != nil {
		return fmt.Errorf("synthetic Denmark: %w", err)
	}
	res, err := load.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stderr)
	var p *load.Pipeline
	if *follow > 0 {
		pool, err := openPool(ctx, e)
		if err != nil {
			return err
		}
		defer pool.Close()
		if p, err = load.Follow(ctx, pool, res, *follow, 5*time.Second); err != nil {
			return err
		}
	}
	load.Print(e.stdout, res, p)
	if len(res.Failed) > 0 || (p != nil && p.Missing > 0) {
		return foundProblems()
	}
	return nil
}
