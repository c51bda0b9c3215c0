package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/cache"
	"nemrefusion.dk/infra/registers/standin"
	"nemrefusion.dk/infra/registers/synth"
)

func init() {
	register("seed", "[--seed N] [--reference YYYY-MM]  (re)create the synthetic Denmark the stand-in registers serve", runSeed)
}

// runSeed writes the seed file the local stack's stand-in registers read
// (NR_DATA/registers/seed.json; a running stack picks it up within seconds)
// and drops the lookup cache in Redis, so no answer of the old dataset is
// served. The dataset is generated once here to check the config and print
// what it holds; nothing but the seed file is stored.
func runSeed(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	seed := fs.Uint64("seed", 1, "seed of the generator; the same seed gives the same Denmark")
	ref := fs.String("reference", "", "reference month YYYY-MM: income runs for the 12 months before it (default: this month)")
	persons := fs.Int("persons", synth.DefaultPersons, "number of persons")
	companies := fs.Int("companies", synth.DefaultCompanies, "number of ordinary companies")
	data := fs.String("data", e.get("NR_DATA", ".data"), "data directory of the local stack")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("seed takes no arguments")
	}
	cfg := synth.DefaultConfig(*seed, registers.MonthOf(time.Now()))
	cfg.Persons, cfg.Companies = *persons, *companies
	if *ref != "" {
		m, err := registers.ParseMonth(*ref)
		if err != nil {
			return usageErr("--reference: %v", err)
		}
		cfg.Reference = m
	}
	d, err := synth.Generate(cfg)
	if err != nil {
		return usageErr("%v", err)
	}
	path := standin.SeedPath(*data)
	if err := standin.WriteSeed(path, cfg); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "synthetic Denmark: seed %d, reference month %s: %d persons, %d companies, %d a-kasser, %d income months\n",
		cfg.Seed, cfg.Reference, len(d.Persons), len(d.Companies), len(d.AKasser), d.IncomeCount())
	fmt.Fprintf(e.stdout, "written to %s; a running local stack serves it within seconds\n", path)
	fmt.Fprintln(e.stdout, "personas (the same in every dataset):")
	for _, p := range synth.Personas() {
		id := p.CVR.String()
		if !p.CPR.IsZero() {
			id = p.CPR.String()
		}
		fmt.Fprintf(e.stdout, "  %-20s %-10s %s\n", p.Key, id, p.Description)
	}

	rdb, err := cache.NewClient(e.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
	if err != nil {
		return usageErr("%v", err)
	}
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := cache.New(rdb, nil, cache.Options{}).InvalidateAll(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "warning: could not drop the lookup cache (%v); cached answers of the old dataset live until their TTL\n", err)
		return nil
	}
	fmt.Fprintf(e.stdout, "lookup cache dropped (%d keys)\n", n)
	return nil
}
