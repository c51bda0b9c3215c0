// Package cache puts a Redis cache in front of the registers: Cache
// implements registers.PersonRegister, registers.CompanyRegister and
// registers.IncomeRegister by asking Redis first and the register (usually
// a *client.Client) on a miss, keeping answers for a TTL.
//
// The cache never makes a lookup fail. Every Redis call is bounded by a
// short timeout; a Redis error makes the lookup go to the register (slower)
// and opens a breaker that skips Redis altogether for a while, so a Redis
// that hangs costs one timeout per breaker period, not one per lookup.
// Register errors (registers.ErrNotFound, registers.ErrUnavailable) pass
// through unchanged and are never cached.
//
// Invalidation: InvalidatePerson, InvalidateCompany, InvalidatePUnit and
// InvalidateAll drop entries now; the lookup function calls them on the
// event dk.nemrefusion.lookup.invalidated.v1. A lookup that read the
// register just before an invalidation may store the old answer just after
// it; such an answer lives at most one TTL.
//
// Keys and values: keys hold no CPR number (a keyed HMAC of it instead), so
// key listings and slow logs show no personal data; values are the
// registers' JSON and are personal data: protect Redis like the database.
//
// Layout under the prefix: p:<h(cpr)> person, i:<h(cpr)> a hash of income
// periods ("from:to" → months), c:<cvr> company, u:<pnumber> P-unit, and
// cu:<cvr> the set of P-numbers cached for a company (to drop them with it).
package cache

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
)

// Source is what the cache decorates; *client.Client is one.
type Source interface {
	registers.PersonRegister
	registers.CompanyRegister
	registers.IncomeRegister
}

// Defaults of Options.
const (
	DefaultTTL     = 10 * time.Minute
	DefaultPrefix  = "nr:registers:"
	DefaultTimeout = 150 * time.Millisecond
	DefaultBackoff = 2 * time.Second
)

// Options configure a Cache. Zero fields take the defaults.
type Options struct {
	// TTL is how long an answer is kept.
	TTL time.Duration
	// Prefix starts every key; tests use a random one.
	Prefix string
	// Timeout bounds every Redis call.
	Timeout time.Duration
	// Backoff is how long Redis is skipped after it failed.
	Backoff time.Duration
	// KeySecret keys the HMAC that turns a CPR number into a key. Use the
	// same secret in every process sharing the cache.
	KeySecret []byte
	// Log receives one warning when Redis starts failing (no personal data).
	Log *slog.Logger
}

// Cache is a registers source with a Redis cache in front. It is safe for
// concurrent use.
type Cache struct {
	rdb redis.UniversalClient
	src Source
	o   Options

	openUntil atomic.Int64 // unix nanos until which Redis is skipped
	hits      atomic.Uint64
	misses    atomic.Uint64
	failures  atomic.Uint64
	skipped   atomic.Uint64
}

var (
	_ registers.PersonRegister  = (*Cache)(nil)
	_ registers.CompanyRegister = (*Cache)(nil)
	_ registers.IncomeRegister  = (*Cache)(nil)
)

// New returns a cache of src in rdb. rdb should fail fast (see NewClient);
// it may point at a Redis that is down.
func New(rdb redis.UniversalClient, src Source, o Options) *Cache {
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Backoff <= 0 {
		o.Backoff = DefaultBackoff
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Cache{rdb: rdb, src: src, o: o}
}

// NewClient returns a Redis client for url ("redis://host:port/db") tuned
// for a cache: short dial, read and write timeouts, no retries, context
// deadlines respected. It does not connect until first used.
func NewClient(url string) (*redis.Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("cache: redis url: %w", err)
	}
	opt.DialTimeout = 250 * time.Millisecond
	opt.ReadTimeout = 250 * time.Millisecond
	opt.WriteTimeout = 250 * time.Millisecond
	opt.PoolTimeout = 250 * time.Millisecond
	opt.MaxRetries = -1
	opt.DialerRetries = 1
	opt.ContextTimeoutEnabled = true
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return redis.NewClient(opt), nil
}

// Stats counts what the cache did since it was made.
type Stats struct {
	// Hits and Misses count lookups answered from Redis and from the register.
	Hits, Misses uint64
	// Failures counts Redis calls that failed; Skipped counts lookups that
	// went straight to the register because the breaker was open.
	Failures, Skipped uint64
}

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Failures: c.failures.Load(), Skipped: c.skipped.Load()}
}

// Person returns the person from the cache or CPR.
func (c *Cache) Person(ctx context.Context, cpr ids.CPR) (registers.Person, error) {
	return cached(ctx, c, c.personKey(cpr), "", func() (registers.Person, error) { return c.src.Person(ctx, cpr) }, nil)
}

// Company returns the company from the cache or CVR. A company read from
// CVR also fills the cache with each of its P-units.
func (c *Cache) Company(ctx context.Context, cvr ids.CVR) (registers.Company, error) {
	return cached(ctx, c, c.o.Prefix+"c:"+cvr.String(), "", func() (registers.Company, error) { return c.src.Company(ctx, cvr) },
		func(p redis.Pipeliner, co registers.Company) {
			for _, u := range co.PUnits {
				if b, err := json.Marshal(u); err == nil {
					p.Set(ctx, c.o.Prefix+"u:"+u.PNumber.String(), b, c.o.TTL)
				}
				c.notePUnit(ctx, p, cvr, u.PNumber)
			}
		})
}

// PUnit returns the production unit from the cache or CVR.
func (c *Cache) PUnit(ctx context.Context, pn ids.PNumber) (registers.PUnit, error) {
	return cached(ctx, c, c.o.Prefix+"u:"+pn.String(), "", func() (registers.PUnit, error) { return c.src.PUnit(ctx, pn) },
		func(p redis.Pipeliner, u registers.PUnit) { c.notePUnit(ctx, p, u.CVR, pn) })
}

// Income returns the income months from the cache or eIndkomst. Each
// period is cached on its own, in one hash per person.
func (c *Cache) Income(ctx context.Context, cpr ids.CPR, from, to registers.Month) ([]registers.IncomeMonth, error) {
	return cached(ctx, c, c.incomeKey(cpr), from.String()+":"+to.String(),
		func() ([]registers.IncomeMonth, error) { return c.src.Income(ctx, cpr, from, to) }, nil)
}

// Membership returns the person's a-kasse membership from the register
// (not cached: only a-kasser ask, rarely). A source that keeps no
// memberships answers as for no member, an error matching
// registers.ErrNotFound.
func (c *Cache) Membership(ctx context.Context, cpr ids.CPR) (registers.Membership, error) {
	m, ok := c.src.(registers.MembershipRegister)
	if !ok {
		return registers.Membership{}, fmt.Errorf("membership of %s: %w", cpr.Pseudonym(), registers.ErrNotFound)
	}
	return m.Membership(ctx, cpr)
}

func (c *Cache) notePUnit(ctx context.Context, p redis.Pipeliner, cvr ids.CVR, pn ids.PNumber) {
	if cvr.IsZero() {
		return
	}
	k := c.o.Prefix + "cu:" + cvr.String()
	p.SAdd(ctx, k, pn.String())
	p.Expire(ctx, k, c.o.TTL+time.Minute) // outlives the P-units it lists
}

// cached answers from key (field of the hash at key when field is set) or
// from load, storing load's answer with extra writes in one pipeline.
func cached[T any](ctx context.Context, c *Cache, key, field string, load func() (T, error), extra func(redis.Pipeliner, T)) (T, error) {
	if c.usable() {
		b, err := c.read(ctx, key, field)
		switch {
		case err == nil:
			var v T
			if err := json.Unmarshal(b, &v); err == nil {
				c.hits.Add(1)
				return v, nil
			}
			// An entry this version cannot read: treat as a miss and overwrite.
		case errors.Is(err, redis.Nil):
		default:
			c.fail(err)
		}
	} else {
		c.skipped.Add(1)
	}
	c.misses.Add(1)
	v, err := load()
	if err != nil {
		return v, err
	}
	if c.usable() {
		write(ctx, c, key, field, v, extra)
	}
	return v, nil
}

func (c *Cache) read(ctx context.Context, key, field string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.o.Timeout)
	defer cancel()
	if field != "" {
		return c.rdb.HGet(ctx, key, field).Bytes()
	}
	return c.rdb.Get(ctx, key).Bytes()
}

// write stores v at key (or the field of the hash at key) with extra
// writes, in one transaction; a failure only opens the breaker.
func write[T any](ctx context.Context, c *Cache, key, field string, v T, extra func(redis.Pipeliner, T)) {
	b, err := json.Marshal(v)
	if err != nil {
		return // cannot happen for register types; nothing is cached
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.o.Timeout)
	defer cancel()
	_, err = c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if field != "" {
			p.HSet(ctx, key, field, b)
			// The hash expires at most one TTL after its first field, so
			// no period outlives the TTL.
			p.ExpireNX(ctx, key, c.o.TTL)
		} else {
			p.Set(ctx, key, b, c.o.TTL)
		}
		if extra != nil {
			extra(p, v)
		}
		return nil
	})
	if err != nil {
		c.fail(err)
	}
}

// usable reports whether the breaker lets calls through to Redis.
func (c *Cache) usable() bool { return time.Now().UnixNano() >= c.openUntil.Load() }

// fail counts a Redis failure and opens the breaker; the first failure
// after a closed period is logged.
func (c *Cache) fail(err error) {
	c.failures.Add(1)
	until := time.Now().Add(c.o.Backoff).UnixNano()
	prev := c.openUntil.Swap(until)
	if prev < time.Now().UnixNano() {
		c.o.Log.Warn("registers cache: redis failed; answering from the registers", "err", err.Error(), "skip_for", c.o.Backoff.String())
	}
}

func (c *Cache) personKey(cpr ids.CPR) string { return c.o.Prefix + "p:" + c.hash(cpr) }
func (c *Cache) incomeKey(cpr ids.CPR) string { return c.o.Prefix + "i:" + c.hash(cpr) }
