package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/cache"
	"nemrefusion.dk/infra/registers/standin"
)

func seedEnv(vars map[string]string) (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}, &out, &errb
}

func redisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

func TestSeedWritesTheSeedFileAndDropsTheCache(t *testing.T) {
	dir := t.TempDir()
	rdb, err := cache.NewClient(redisURL())
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	ctx := context.Background()
	stale := cache.DefaultPrefix + "test-stale-entry"
	if err := rdb.Set(ctx, stale, "x", 0).Err(); err != nil {
		t.Fatal(err)
	}
	e, out, errb := seedEnv(map[string]string{"NR_DATA": dir, "REDIS_URL": redisURL()})
	code := run(ctx, []string{"seed", "--seed", "7", "--reference", "2024-06", "--persons", "1000", "--companies", "50"}, e)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	cfg, err := standin.ReadSeed(filepath.Join(dir, "registers", "seed.json"), time.Now())
	if err != nil || cfg.Seed != 7 || cfg.Reference != registers.NewMonth(2024, 6) || cfg.Persons != 1000 || cfg.Companies != 50 {
		t.Fatalf("seed file: %+v %v", cfg, err)
	}
	if !strings.Contains(out.String(), "1000 persons") || !strings.Contains(out.String(), "lookup cache dropped") {
		t.Fatalf("output: %s", out)
	}
	if n, _ := rdb.Exists(ctx, stale).Result(); n != 0 {
		t.Fatal("the lookup cache was not dropped")
	}
}

func TestSeedUsage(t *testing.T) {
	t.Parallel()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"bad reference", []string{"seed", "--reference", "2024-13"}, 2, "month"},
		{"too few persons", []string{"seed", "--persons", "10"}, 2, "persons"},
		{"stray argument", []string{"seed", "now"}, 2, "no arguments"},
		{"redis down only warns", []string{"seed", "--persons", "1000", "--companies", "50"}, 0, "could not drop the lookup cache"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, _, errb := seedEnv(map[string]string{"NR_DATA": t.TempDir(), "REDIS_URL": "redis://" + closed + "/0"})
			if code := run(context.Background(), tc.args, e); code != tc.code || !strings.Contains(errb.String(), tc.err) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errb, tc.err)
			}
		})
	}
}
