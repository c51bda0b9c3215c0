package schedule_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/schedule"
)

// BenchmarkClaimVsZAdd measures, in the same run, raw ZADD of reminders
// onto the schedule (the baseline: the cheapest write Redis offers) and the
// claim path a tick uses (the Lua claim plus the acknowledgement), k
// reminders per call. Each round first ZADDs b.N reminders (timed as the
// baseline) and then claims and acknowledges all of them (timed as the
// candidate). Reported: zadd/s, claimed/s and claimed/zadd.
func BenchmarkClaimVsZAdd(b *testing.B) {
	for _, k := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch=%d", k), func(b *testing.B) {
			ctx := context.Background()
			_, s := mustOpen(b)
			now := time.Now()
			var tz, tc time.Duration
			const rounds = 4
			total := 0
			b.ResetTimer()
			for r := range rounds {
				n := b.N / rounds
				if r == rounds-1 {
					n = b.N - (rounds-1)*(b.N/rounds)
				}
				if n == 0 {
					continue
				}
				start := time.Now()
				batch := make([]schedule.Entry, 0, k)
				for i := 0; i < n; i++ {
					batch = append(batch, schedule.Entry{ID: fmt.Sprintf("r%d-%d", r, i), Due: now.Add(-time.Duration(i) * time.Millisecond)})
					if len(batch) == k || i == n-1 {
						if err := s.Add(ctx, batch...); err != nil {
							b.Fatal(err)
						}
						batch = batch[:0]
					}
				}
				tz += time.Since(start)
				start = time.Now()
				claimed := 0
				for {
					ids, err := s.Claim(ctx, now, k)
					if err != nil {
						b.Fatal(err)
					}
					if len(ids) == 0 {
						break
					}
					if err := s.Ack(ctx, ids...); err != nil {
						b.Fatal(err)
					}
					claimed += len(ids)
				}
				tc += time.Since(start)
				if claimed != n {
					b.Fatalf("claimed %d of %d", claimed, n)
				}
				total += n
			}
			b.StopTimer()
			zs, cs := float64(total)/tz.Seconds(), float64(total)/tc.Seconds()
			b.ReportMetric(zs, "zadd/s")
			b.ReportMetric(cs, "claimed/s")
			b.ReportMetric(cs/zs, "claimed/zadd")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkRebuild100k measures rebuilding a schedule of 100,000 reminders
// from Postgres (streamed rows, pipelined ZADD in batches) against the
// baseline of ZADDing the same 100,000 entries from memory in the same
// batches, alternating in the same run. Reported: the rebuild time in ms,
// rebuilt/s, raw/s and rebuild/raw (time ratio, ≥ 1: the cost of reading
// Postgres).
func BenchmarkRebuild100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	_, s := mustOpen(b)
	pool, err := pgxpool.New(ctx, databaseURL())
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	schema := randomName("schedbench_")
	if _, err := pool.Exec(ctx, `CREATE SCHEMA `+schema+`; CREATE TABLE `+schema+`.reminders (id uuid PRIMARY KEY, due_at timestamptz NOT NULL, status text NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	defer pool.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	if _, err := pool.Exec(ctx, `INSERT INTO `+schema+`.reminders
		SELECT gen_random_uuid(), now() + make_interval(secs => g), CASE WHEN g % 10 = 0 THEN 'fired' ELSE 'scheduled' END
		FROM generate_series(1, $1) g`, n+n/9+1); err != nil {
		b.Fatal(err)
	}
	var want int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.reminders WHERE status = 'scheduled'`).Scan(&want); err != nil {
		b.Fatal(err)
	}
	mem := make([]schedule.Entry, want)
	now := time.Now()
	for i := range mem {
		mem[i] = schedule.Entry{ID: fmt.Sprintf("%036d", i), Due: now.Add(time.Duration(i) * time.Second)}
	}
	var tr, tb time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Drop(ctx); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, err := s.Rebuild(ctx, func(yield func(schedule.Entry) error) error {
			for _, e := range mem {
				if err := yield(e); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		tb += time.Since(start)
		if err := s.Drop(ctx); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		got, err := schedule.RebuildFromPostgres(ctx, s, pool, schema+".reminders")
		if err != nil || got != want {
			b.Fatalf("rebuilt %d of %d: %v", got, want, err)
		}
		tr += time.Since(start)
	}
	b.StopTimer()
	per := tr / time.Duration(b.N)
	b.ReportMetric(float64(per.Milliseconds()), "rebuild-ms")
	b.ReportMetric(float64(want)/per.Seconds(), "rebuilt/s")
	b.ReportMetric(float64(want*b.N)/tb.Seconds(), "raw/s")
	b.ReportMetric(tr.Seconds()/tb.Seconds(), "rebuild/raw")
	b.ReportMetric(0, "ns/op")
}
