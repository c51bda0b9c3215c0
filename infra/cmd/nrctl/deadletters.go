package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/runtime"
)

func init() {
	register("deadletters", "list the events the broker gave up on, or redrive them to their subscriber (nrctl deadletters help)", runDeadLetters)
}

func deadLettersUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: nrctl deadletters list | redrive [--all | <seq>...]")
	fmt.Fprintln(w, "  list     the unresolved dead letters (seq, type, error code, subscriber)")
	fmt.Fprintln(w, "  redrive  post each again, unchanged but for the knativeerror* attributes, to the subscriber that refused it")
	fmt.Fprintln(w, "           (knativeerrordest), and mark it resolved once that subscriber answers 2xx. The event keeps its id,")
	fmt.Fprintln(w, "           so a subscriber that did handle it after all acknowledges it without a second effect.")
	fmt.Fprintln(w, "environment: DATABASE_URL, DEADLETTER_SCHEMA (default deadletter)")
}

var schemaRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

func runDeadLetters(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" {
		deadLettersUsage(e.stdout)
		if len(args) == 0 {
			return usageErr("deadletters: a subcommand is required")
		}
		return nil
	}
	schema := e.get("DEADLETTER_SCHEMA", "deadletter")
	if !schemaRE.MatchString(schema) {
		return usageErr("deadletters: invalid DEADLETTER_SCHEMA %q", schema)
	}
	pool, err := pgxpool.New(ctx, e.get("DATABASE_URL", defaultDatabaseURL))
	if err != nil {
		return &exitError{code: 3, err: fmt.Errorf("deadletters: %w", err)}
	}
	defer pool.Close()
	switch args[0] {
	case "list":
		return listDeadLetters(ctx, e, pool, schema)
	case "redrive":
		if len(args) < 2 {
			return usageErr("deadletters redrive: give --all or the seq numbers to redrive")
		}
		var seqs []int64
		if args[1] != "--all" {
			for _, a := range args[1:] {
				var n int64
				if _, err := fmt.Sscan(a, &n); err != nil {
					return usageErr("deadletters redrive: %q is not a seq number", a)
				}
				seqs = append(seqs, n)
			}
		}
		return redriveDeadLetters(ctx, e, pool, schema, seqs)
	}
	return usageErr("deadletters: unknown subcommand %q", args[0])
}

func listDeadLetters(ctx context.Context, e *env, pool *pgxpool.Pool, schema string) error {
	rows, err := pool.Query(ctx, `SELECT seq, event_type, error_code, error_dest, received_at FROM `+schema+`.dead_letters
		WHERE resolved_at IS NULL ORDER BY seq`)
	if err != nil {
		return &exitError{code: 3, err: fmt.Errorf("deadletters: %w", err)}
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var seq int64
		var typ, code, dest string
		var at any
		if err := rows.Scan(&seq, &typ, &code, &dest, &at); err != nil {
			return &exitError{code: 3, err: err}
		}
		fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\t%v\n", seq, typ, code, dest, at)
		n++
	}
	if err := rows.Err(); err != nil {
		return &exitError{code: 3, err: err}
	}
	fmt.Fprintf(e.stdout, "%d unresolved dead letters\n", n)
	return nil
}

// redriveDeadLetters posts each selected unresolved dead letter to the
// subscriber that refused it and marks it resolved after a 2xx. One that
// fails again stays unresolved and is reported (exit 1).
func redriveDeadLetters(ctx context.Context, e *env, pool *pgxpool.Pool, schema string, seqs []int64) error {
	q := `SELECT seq, error_dest, event FROM ` + schema + `.dead_letters WHERE resolved_at IS NULL`
	args := []any{}
	if len(seqs) > 0 {
		q += ` AND seq = ANY($1)`
		args = append(args, seqs)
	}
	rows, err := pool.Query(ctx, q+` ORDER BY seq`, args...)
	if err != nil {
		return &exitError{code: 3, err: fmt.Errorf("deadletters: %w", err)}
	}
	type item struct {
		seq  int64
		dest string
		ev   cloudevents.Event
	}
	var todo []item
	for rows.Next() {
		var it item
		var body []byte
		if err := rows.Scan(&it.seq, &it.dest, &body); err != nil {
			rows.Close()
			return &exitError{code: 3, err: err}
		}
		if err := json.Unmarshal(body, &it.ev); err != nil {
			rows.Close()
			return &exitError{code: 3, err: fmt.Errorf("dead letter %d: %w", it.seq, err)}
		}
		todo = append(todo, it)
	}
	rows.Close()
	failed := 0
	for _, it := range todo {
		if it.dest == "" {
			fmt.Fprintf(e.stderr, "%d: no subscriber recorded (knativeerrordest); not redriven\n", it.seq)
			failed++
			continue
		}
		for _, x := range []string{"knativeerrorcode", "knativeerrordest", "knativeerrordata"} {
			it.ev.SetExtension(x, nil)
		}
		pub, err := runtime.NewPublisher(it.dest, "")
		if err != nil {
			return &exitError{code: 3, err: err}
		}
		if err := pub.Send(ctx, it.ev); err != nil {
			fmt.Fprintf(e.stderr, "%d: %s refused again: %v\n", it.seq, it.ev.Type(), err)
			failed++
			continue
		}
		if _, err := pool.Exec(ctx, `UPDATE `+schema+`.dead_letters SET resolved_at = now() WHERE seq = $1`, it.seq); err != nil {
			return &exitError{code: 3, err: fmt.Errorf("mark %d resolved: %w", it.seq, err)}
		}
		fmt.Fprintf(e.stdout, "%d: %s redriven\n", it.seq, it.ev.Type())
	}
	fmt.Fprintf(e.stdout, "%d redriven, %d not\n", len(todo)-failed, failed)
	if failed > 0 {
		return foundProblems()
	}
	return nil
}
