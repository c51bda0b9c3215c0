package ledger_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/ledger"
)

// The benchmarks compare ledger appends with plain INSERTs of a comparable
// row (same columns and secondary index, a bigserial key, no chain) into a
// plain table, in the same run, and report both rates and their ratio:
//
//	go test -run x -bench . -benchtime 2s ./ledger/

const benchPlainTable = `CREATE TABLE bench_plain (
  id bigserial PRIMARY KEY, stream text COLLATE "C" NOT NULL, seq bigint NOT NULL, recorded_at timestamptz NOT NULL,
  actor text NOT NULL, role text NOT NULL, on_behalf_of text NOT NULL, event_type text NOT NULL,
  event_source text NOT NULL, event_id text NOT NULL, cause text NOT NULL, correlation text NOT NULL,
  reason json, payload bytea NOT NULL, payload_digest bytea NOT NULL, content_digest bytea NOT NULL,
  prev_hash bytea NOT NULL, hash bytea NOT NULL);
CREATE INDEX bench_plain_correlation ON bench_plain (correlation);`

const benchPlainInsert = `INSERT INTO bench_plain (stream, seq, recorded_at, actor, role, on_behalf_of, event_type,
  event_source, event_id, cause, correlation, reason, payload, payload_digest, content_digest, prev_hash, hash)
  VALUES ($1, 0, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::json, $12, $13, $14, $15, $16)`

const benchStreams = 10000

func benchEntry(stream string, i int64) ledger.Entry {
	return ledger.Entry{
		Stream: stream, Actor: "caseworker-42", Role: "caseworker", OnBehalfOf: "municipality-101",
		EventType: "dk.nemrefusion.sickness.reported.v1", EventSource: "/nemrefusion/sickness",
		EventID: fmt.Sprintf("ev-%d", i), Cause: "cause", Correlation: "corr-" + stream,
		Reason:  []byte(`{"rules":["SDL §56"]}`),
		Payload: []byte(`{"absence":"` + stream + `","firstDay":"2025-03-01","employer":"12345678","payload":"some typical size of event data"}`),
	}
}

func plainArgs(e ledger.Entry) []any {
	d := sha256.Sum256(e.Payload)
	return []any{e.Stream, time.Now(), e.Actor, e.Role, e.OnBehalfOf, e.EventType, e.EventSource, e.EventID,
		e.Cause, e.Correlation, string(e.Reason), e.Payload, d[:], d[:], d[:], d[:]}
}

func benchDB(b *testing.B) *pgxpool.Pool {
	pool := newDB(b, 40)
	if _, err := pool.Exec(context.Background(), benchPlainTable); err != nil {
		b.Fatal(err)
	}
	return pool
}

// runOps runs n ops on c goroutines and returns the elapsed time.
func runOps(b *testing.B, n, c int, op func(i int64) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				if err := op(i); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	return time.Since(start)
}

// compare runs b.N plain ops and b.N ledger ops at concurrency c, alternating
// in rounds so both see the same machine load, and reports rows/s of each
// and ledger/plain.
func compare(b *testing.B, c, rowsPerOp int, plain, led func(i int64) error) {
	var tp, tl time.Duration
	const rounds = 4
	b.ResetTimer()
	for r := range rounds {
		n := b.N / rounds
		if r == rounds-1 {
			n = b.N - (rounds-1)*(b.N/rounds)
		}
		if n == 0 {
			continue
		}
		tp += runOps(b, n, c, plain)
		tl += runOps(b, n, c, led)
	}
	b.StopTimer()
	rows := float64(b.N * rowsPerOp)
	ps, ls := rows/tp.Seconds(), rows/tl.Seconds()
	b.ReportMetric(ps, "plain-rows/s")
	b.ReportMetric(ls, "ledger-rows/s")
	b.ReportMetric(ls/ps, "ledger/plain")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkAppend(b *testing.B) {
	pool := benchDB(b)
	ctx := context.Background()
	prefix := randomName("s")
	stream := func() string { return fmt.Sprintf("%s-%d", prefix, rand.IntN(benchStreams)) }
	for _, c := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("c=%d", c), func(b *testing.B) {
			compare(b, c, 1,
				func(i int64) error {
					_, err := pool.Exec(ctx, benchPlainInsert, plainArgs(benchEntry(stream(), i))...)
					return err
				},
				func(i int64) error {
					_, err := ledger.Append(ctx, pool, benchEntry(stream(), i))
					return err
				})
		})
	}
	// Everyone on one stream: appends serialise on its head.
	b.Run("c=8/one-stream", func(b *testing.B) {
		hot := prefix + "-hot"
		compare(b, 8, 1,
			func(i int64) error {
				_, err := pool.Exec(ctx, benchPlainInsert, plainArgs(benchEntry(hot, i))...)
				return err
			},
			func(i int64) error {
				_, err := ledger.Append(ctx, pool, benchEntry(hot, i))
				return err
			})
	})
}

func BenchmarkAppendBatch100(b *testing.B) {
	pool := benchDB(b)
	ctx := context.Background()
	prefix := randomName("s")
	stream := func() string { return fmt.Sprintf("%s-%d", prefix, rand.IntN(benchStreams)) }
	const size = 100
	for _, c := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("c=%d", c), func(b *testing.B) {
			compare(b, c, size,
				func(i int64) error {
					batch := &pgx.Batch{}
					for j := range int64(size) {
						batch.Queue(benchPlainInsert, plainArgs(benchEntry(stream(), i*size+j))...)
					}
					return pool.SendBatch(ctx, batch).Close()
				},
				func(i int64) error {
					es := make([]ledger.Entry, size)
					for j := range es {
						es[j] = benchEntry(stream(), i*size+int64(j))
					}
					_, err := ledger.AppendBatch(ctx, pool, es)
					return err
				})
		})
	}
}

// BenchmarkVerify reports how many entries per second Verify checks.
func BenchmarkVerify(b *testing.B) {
	pool := newDB(b, 4)
	ctx := context.Background()
	const total = 20000
	for i := 0; i < total; i += 1000 {
		es := make([]ledger.Entry, 1000)
		for j := range es {
			es[j] = benchEntry(fmt.Sprintf("s-%d", (i+j)%1000), int64(i+j))
		}
		if _, err := ledger.AppendBatch(ctx, pool, es); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := ledger.Checkpoint(ctx, pool, ledger.NewSigner(newKey(b))); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		r, err := ledger.Verify(ctx, pool, nil)
		if err != nil || !r.OK() || r.Entries != total {
			b.Fatalf("verify: %v %s", err, r)
		}
	}
	b.ReportMetric(float64(total*b.N)/time.Since(start).Seconds(), "entries/s")
}
