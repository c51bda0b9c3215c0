package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"nemrefusion.dk/infra/schedule"
)

const defaultRedisURL = "redis://127.0.0.1:6379/0"

func init() {
	register("reminders", "rebuild the Redis reminder schedule from Postgres, show its state (nrctl reminders help)", runReminders)
}

var reminderCommands = map[string]struct {
	summary string
	run     commandFunc
}{
	"rebuild": {"put every reminder Postgres holds as scheduled back on the Redis schedule", remindersRebuild},
	"status":  {"count reminders by status in Postgres and on the Redis schedule", remindersStatus},
}

func remindersUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: nrctl reminders <rebuild|status>")
	for _, n := range []string{"rebuild", "status"} {
		fmt.Fprintf(w, "  %-8s %s\n", n, reminderCommands[n].summary)
	}
	fmt.Fprintln(w, "environment: DATABASE_URL, REDIS_URL, REMINDER_REDIS_PREFIX (default derived from the database name, as the reminder function does)")
}

func runReminders(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		remindersUsage(e.stdout)
		if len(args) == 0 {
			return &exitError{code: 2}
		}
		return nil
	}
	sub, ok := reminderCommands[args[0]]
	if !ok {
		remindersUsage(e.stderr)
		return usageErr("unknown reminders command %q", args[0])
	}
	return sub.run(ctx, e, args[1:])
}

// openSchedule connects to Redis and returns the reminder function's
// schedule, under the same prefix the function uses.
func openSchedule(ctx context.Context, e *env) (*schedule.Schedule, func(), error) {
	rdb, err := schedule.Open(ctx, e.get("REDIS_URL", defaultRedisURL))
	if err != nil {
		return nil, nil, err
	}
	prefix := e.get("REMINDER_REDIS_PREFIX", schedule.Prefix(e.get("DATABASE_URL", defaultDatabaseURL), "reminder"))
	return schedule.New(rdb, prefix), func() { rdb.Close() }, nil
}

func remindersRebuild(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageErr("rebuild takes no arguments")
	}
	pool, err := openPool(ctx, e)
	if err != nil {
		return err
	}
	defer pool.Close()
	s, closeRedis, err := openSchedule(ctx, e)
	if err != nil {
		return err
	}
	defer closeRedis()
	start := time.Now()
	n, err := schedule.RebuildFromPostgres(ctx, s, pool, "reminder.reminders")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "rebuilt %d scheduled reminders in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

func remindersStatus(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageErr("status takes no arguments")
	}
	pool, err := openPool(ctx, e)
	if err != nil {
		return err
	}
	defer pool.Close()
	s, closeRedis, err := openSchedule(ctx, e)
	if err != nil {
		return err
	}
	defer closeRedis()
	var scheduled, fired, cancelled int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'scheduled'), count(*) FILTER (WHERE status = 'fired'),
		count(*) FILTER (WHERE status = 'cancelled') FROM reminder.reminders`).Scan(&scheduled, &fired, &cancelled); err != nil {
		return fmt.Errorf("read reminders: %w", err)
	}
	onRedis, claimed, err := s.Len(ctx)
	if err != nil {
		return err
	}
	built, err := s.Built(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "postgres: %d scheduled, %d fired, %d cancelled\nredis:    %d on the schedule, %d claimed, rebuilt marker present: %v\n",
		scheduled, fired, cancelled, onRedis, claimed, built)
	return nil
}
