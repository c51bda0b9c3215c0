package cache

import (
	"context"
	"fmt"

	"nemrefusion.dk/events/ids"
)

// InvalidatePerson drops the cached person and all their cached income.
// Unlike lookups it fails when Redis cannot be reached (the stale entry
// would come back with Redis): retry it.
func (c *Cache) InvalidatePerson(ctx context.Context, cpr ids.CPR) error {
	return c.del(ctx, "person "+cpr.Pseudonym(), c.personKey(cpr), c.incomeKey(cpr))
}

// InvalidateCompany drops the cached company and every P-unit of it that
// was cached through it or on its own. It fails when Redis cannot be
// reached.
func (c *Cache) InvalidateCompany(ctx context.Context, cvr ids.CVR) error {
	ctx, cancel := context.WithTimeout(ctx, 4*c.o.Timeout)
	defer cancel()
	set := c.o.Prefix + "cu:" + cvr.String()
	units, err := c.rdb.SMembers(ctx, set).Result()
	if err != nil {
		return fmt.Errorf("invalidate company %s: %w", cvr, err)
	}
	keys := []string{c.o.Prefix + "c:" + cvr.String(), set}
	for _, u := range units {
		keys = append(keys, c.o.Prefix+"u:"+u)
	}
	return c.del(ctx, "company "+cvr.String(), keys...)
}

// InvalidatePUnit drops one cached P-unit. It fails when Redis cannot be
// reached.
func (c *Cache) InvalidatePUnit(ctx context.Context, pn ids.PNumber) error {
	return c.del(ctx, "p-unit "+pn.String(), c.o.Prefix+"u:"+pn.String())
}

// InvalidateAll drops every entry under the cache's prefix (SCAN and
// UNLINK; meant for rare events such as re-seeding the stand-ins) and
// returns how many keys it dropped. It fails when Redis cannot be reached.
func (c *Cache) InvalidateAll(ctx context.Context) (int, error) {
	n := 0
	iter := c.rdb.Scan(ctx, 0, c.o.Prefix+"*", 500).Iterator()
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := c.rdb.Unlink(ctx, batch...).Err(); err != nil {
			return err
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return n, fmt.Errorf("invalidate all: %w", err)
			}
		}
	}
	if err := iter.Err(); err != nil {
		return n, fmt.Errorf("invalidate all: %w", err)
	}
	if err := flush(); err != nil {
		return n, fmt.Errorf("invalidate all: %w", err)
	}
	return n, nil
}

func (c *Cache) del(ctx context.Context, what string, keys ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 4*c.o.Timeout)
	defer cancel()
	if err := c.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("invalidate %s: %w", what, err)
	}
	return nil
}
