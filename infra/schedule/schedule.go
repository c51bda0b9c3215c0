// Package schedule is the Redis adapter of the reminder schedule: a sorted
// set of reminder ids scored by due time (unix milliseconds), an atomic
// claim (a Lua script) that hands each due id to exactly one caller, and a
// second sorted set of claims with a lease, so an id claimed by a process
// that dies before acknowledging it is handed out again when the lease runs
// out.
//
// Redis is never the source of truth. Postgres holds every reminder with its
// status; the schedule is a hint of what may be due. Consumers must
// therefore re-check each claimed id in Postgres with a conditional update
// (status 'scheduled' → 'fired'), which makes a second hand-out of the same
// id harmless, and they must be able to rebuild the whole schedule from
// Postgres (Rebuild, RebuildFromPostgres), which makes the loss of Redis
// (a restart without persistence, FLUSHALL) harmless. A marker key written
// by Rebuild lets callers notice such a loss (Built) and rebuild at once.
//
// All keys of one Schedule share a Redis Cluster hash tag, so the claim
// script's two keys live in one slot.
package schedule

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

//go:embed claim.lua
var claimLua string

var claimScript = redis.NewScript(claimLua)

// DefaultLease is how long a claim is held before another caller may claim
// the same id again.
const DefaultLease = time.Minute

// Entry is one scheduled id with its due time.
type Entry struct {
	ID  string
	Due time.Time
}

// Schedule is the schedule of one function under one key prefix. It is safe
// for concurrent use by any number of goroutines and processes.
type Schedule struct {
	rdb    redis.UniversalClient
	prefix string
	// Lease is how long a claim is held; 0 means DefaultLease.
	Lease time.Duration
}

// New returns the schedule stored under prefix in rdb. The prefix should
// contain a hash tag ("nr:{x}:") when rdb is a Redis Cluster; Prefix builds
// one.
func New(rdb redis.UniversalClient, prefix string) *Schedule {
	return &Schedule{rdb: rdb, prefix: prefix}
}

// Open connects to the Redis at url (redis://host:port/db) and pings it.
// The caller closes the returned client.
func Open(ctx context.Context, redisURL string) (*redis.Client, error) {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, fmt.Errorf("schedule: parse redis url: %w", err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("schedule: ping redis: %w", err)
	}
	return rdb, nil
}

// Prefix returns the key prefix for a schedule named name that mirrors the
// database at databaseURL: "nr:{<database>:<name>}:". Two processes that
// share a database therefore share a schedule, and two test runs with fresh
// databases never see each other's keys.
func Prefix(databaseURL, name string) string {
	db := "default"
	if u, err := url.Parse(databaseURL); err == nil && strings.Trim(u.Path, "/") != "" {
		db = strings.Trim(u.Path, "/")
	}
	return "nr:{" + db + ":" + name + "}:"
}

func (s *Schedule) key() string    { return s.prefix + "schedule" }
func (s *Schedule) claims() string { return s.prefix + "claims" }
func (s *Schedule) marker() string { return s.prefix + "built" }

func ms(t time.Time) float64 { return float64(t.UnixMilli()) }

// Add puts entries on the schedule, or moves them to their new due time.
func (s *Schedule) Add(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	zs := make([]redis.Z, len(entries))
	for i, e := range entries {
		zs[i] = redis.Z{Score: ms(e.Due), Member: e.ID}
	}
	if err := s.rdb.ZAdd(ctx, s.key(), zs...).Err(); err != nil {
		return fmt.Errorf("schedule: add %d: %w", len(entries), err)
	}
	return nil
}

// Claim atomically takes up to limit ids that are due at now (or whose
// earlier claim's lease ran out) and holds them under a lease until Ack.
// Concurrent callers, in any number of processes, never receive the same
// id while its lease runs.
func (s *Schedule) Claim(ctx context.Context, now time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		limit = 100
	}
	lease := s.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	res, err := claimScript.Run(ctx, s.rdb, []string{s.key(), s.claims()},
		now.UnixMilli(), limit, now.Add(lease).UnixMilli()).StringSlice()
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("schedule: claim: %w", err)
	}
	return res, nil
}

// Ack releases the claims of ids once their effect is committed (or known
// to be unnecessary).
func (s *Schedule) Ack(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	if err := s.rdb.ZRem(ctx, s.claims(), toAny(ids)...).Err(); err != nil {
		return fmt.Errorf("schedule: ack %d: %w", len(ids), err)
	}
	return nil
}

// Len returns how many ids are scheduled and how many are claimed.
func (s *Schedule) Len(ctx context.Context) (scheduled, claimed int64, err error) {
	cmds, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZCard(ctx, s.key())
		p.ZCard(ctx, s.claims())
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("schedule: len: %w", err)
	}
	return cmds[0].(*redis.IntCmd).Val(), cmds[1].(*redis.IntCmd).Val(), nil
}

// Due returns the due time of id and whether it is scheduled.
func (s *Schedule) Due(ctx context.Context, id string) (time.Time, bool, error) {
	v, err := s.rdb.ZScore(ctx, s.key(), id).Result()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("schedule: score: %w", err)
	}
	return time.UnixMilli(int64(v)).UTC(), true, nil
}

// Built reports whether the marker of a completed rebuild is present. It is
// false after Redis lost its data (a restart without persistence, FLUSHALL):
// the caller should then Rebuild.
func (s *Schedule) Built(ctx context.Context) (bool, error) {
	n, err := s.rdb.Exists(ctx, s.marker()).Result()
	if err != nil {
		return false, fmt.Errorf("schedule: marker: %w", err)
	}
	return n == 1, nil
}

// RebuildBatch is how many entries one pipelined ZADD carries in Rebuild.
const RebuildBatch = 1000

// Rebuild adds every entry that each yields to the schedule (ZADD is an
// upsert, so entries already present only get their due time set again)
// and then writes the marker Built looks for. It never removes anything:
// an id left on the schedule that Postgres no longer holds as scheduled is
// dropped when it is claimed and re-checked. It returns how many entries it
// added.
//
// each calls yield once per entry and stops when yield returns an error.
func (s *Schedule) Rebuild(ctx context.Context, each func(yield func(Entry) error) error) (int, error) {
	batch := make([]redis.Z, 0, RebuildBatch)
	total := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := s.rdb.ZAdd(ctx, s.key(), batch...).Err(); err != nil {
			return fmt.Errorf("schedule: rebuild: %w", err)
		}
		total += len(batch)
		batch = batch[:0]
		return nil
	}
	err := each(func(e Entry) error {
		batch = append(batch, redis.Z{Score: ms(e.Due), Member: e.ID})
		if len(batch) == RebuildBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return total, err
	}
	if err := s.rdb.Set(ctx, s.marker(), strconv.FormatInt(time.Now().UnixMilli(), 10), 0).Err(); err != nil {
		return total, fmt.Errorf("schedule: rebuild marker: %w", err)
	}
	return total, nil
}

// Drop deletes every key of this schedule (tests, and the loss Rebuild
// repairs).
func (s *Schedule) Drop(ctx context.Context) error {
	if err := s.rdb.Del(ctx, s.key(), s.claims(), s.marker()).Err(); err != nil {
		return fmt.Errorf("schedule: drop: %w", err)
	}
	return nil
}

func toAny(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
