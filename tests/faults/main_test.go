// Package faults runs the local stack under load and breaks it: each test
// kills or stops a part while a retrying client submits blankets, brings it
// back, and reconciles what every stage received against what was
// submitted (reconcile_test.go). make test runs them all (about six
// minutes with the stack's start); make test-faults runs only these.
//
// The backing services are not the shared ones directly: PostgreSQL, MinIO
// and clamd are reached through TCP proxies this package controls (down =
// the service stopped, as its clients see it), and Redis is a server of its
// own on a free port, so that flushing and killing it harms nobody else.
package faults

import (
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"nemrefusion.dk/tests/stack"
)

var (
	pgProxy, s3Proxy, clamdProxy *proxy
	redis                        *redisServer
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(m *testing.M) int {
	if os.Getenv("SICKNESS_PROVISIONAL_RATES") == "" {
		os.Setenv("SICKNESS_PROVISIONAL_RATES", fmt.Sprintf("%d=4845", time.Now().Year()))
	}
	db, err := url.Parse(getenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "DATABASE_URL:", err)
		return 1
	}
	s3, err := url.Parse(getenv("S3_ENDPOINT", "http://127.0.0.1:9000"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "S3_ENDPOINT:", err)
		return 1
	}
	if pgProxy, err = newProxy(db.Host); err == nil {
		if s3Proxy, err = newProxy(s3.Host); err == nil {
			clamdProxy, err = newProxy(getenv("CLAMD_ADDR", "127.0.0.1:3310"))
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "proxies:", err)
		return 1
	}
	if redis, err = startRedis(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer redis.close()
	db.Host, s3.Host = pgProxy.addr, s3Proxy.addr
	os.Setenv("DATABASE_URL", db.String())
	os.Setenv("S3_ENDPOINT", s3.String())
	os.Setenv("CLAMD_ADDR", clamdProxy.addr)
	os.Setenv("REDIS_URL", redis.url())
	return stack.Run(m)
}
