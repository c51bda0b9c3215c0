package maternity

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/rates/*.sql
var rateMigrations embed.FS

// querier is a transaction or the pool.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// SetupRates makes the function's own copy of the maximum rates (table
// rates) the source of its rates (blanket.Function Setup): it migrates and
// seeds the table from the committed rates.json and the provisional rates
// of provisional ("2026=4845"; SICKNESS_PROVISIONAL_RATES) for years
// without a row, and keeps it from rate.registered, the sickness function's
// event for every rate registered or published there (the sickness function
// owns the table of record), recomputing the leaves that waited for the
// rate (Recompute). Decisions and the preview then read it.
func (h *Handler) SetupRates(ctx context.Context, svc *runtime.Service, pipe *blanket.Pipeline, provisional string) error {
	sub, _ := fs.Sub(rateMigrations, "migrations/rates")
	if err := svc.Migrate(ctx, "rates", sub); err != nil {
		return err
	}
	tab, err := kernel.LoadRates(provisional)
	if err != nil {
		return err
	}
	err = svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		for _, r := range tab.Rates() {
			if err := putRate(ctx, tx, r, 1, 0, false); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed rates: %w", err)
	}
	h.db, h.pipe = svc.DB, pipe
	runtime.On(svc, events.RateRegistered, func(ctx context.Context, tx *runtime.Tx, _ cloudevents.Event, r events.RateRegistration) error {
		if err := ApplyRate(ctx, tx, r); err != nil {
			return err
		}
		_, err := h.Recompute(ctx, tx)
		return err
	})
	return nil
}

// ApplyRate keeps a registered rate (rate.registered) in the copy: it
// replaces the year's row unless the row has a higher version (an event
// delivered late or twice changes nothing). A rate that does not pass the
// kernel's checks is refused as bad data.
func ApplyRate(ctx context.Context, tx querier, e events.RateRegistration) error {
	eff, err := kernel.ParseDate(e.EffectiveFrom)
	if err != nil {
		return runtime.InvalidData(err)
	}
	r, err := kernel.CheckRate(kernel.Rate{Year: e.Year, EffectiveFrom: eff, Weekly: kernel.Money(e.Weekly), Hourly: kernel.Money(e.Hourly),
		Source: e.Source, Provisional: e.Status == events.RateStatusProvisional})
	if err != nil {
		return runtime.InvalidData(err)
	}
	return putRate(ctx, tx, r, e.Version, e.ID, true)
}

// putRate writes r as version of its year: replacing an older (or, when
// replace, an equal) version, or only when the year has none.
func putRate(ctx context.Context, tx querier, r kernel.Rate, version int, id int64, replace bool) error {
	status := events.RateStatusPublished
	if r.Provisional {
		status = events.RateStatusProvisional
	}
	var rateID any
	if id > 0 {
		rateID = id
	}
	q := `INSERT INTO rates (year, version, rate_id, effective_from, weekly_ore, hourly_ore, source, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (year) DO NOTHING`
	if replace {
		q = `INSERT INTO rates (year, version, rate_id, effective_from, weekly_ore, hourly_ore, source, status)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (year) DO UPDATE SET version = EXCLUDED.version, rate_id = EXCLUDED.rate_id,
		effective_from = EXCLUDED.effective_from, weekly_ore = EXCLUDED.weekly_ore, hourly_ore = EXCLUDED.hourly_ore,
		source = EXCLUDED.source, status = EXCLUDED.status, updated_at = now() WHERE rates.version <= EXCLUDED.version`
	}
	if _, err := tx.Exec(ctx, q, r.Year, version, rateID, r.EffectiveFrom.Time(), r.Weekly.Ore(), r.Hourly.Ore(), r.Source, status); err != nil {
		return fmt.Errorf("rate %d: %w", r.Year, err)
	}
	return nil
}

// CurrentRates reads the copy as a rate table.
func CurrentRates(ctx context.Context, q querier) (kernel.Table, error) {
	rows, err := q.Query(ctx, `SELECT year, effective_from, weekly_ore, hourly_ore, source, status FROM rates ORDER BY year`)
	if err != nil {
		return kernel.Table{}, fmt.Errorf("read rates: %w", err)
	}
	defer rows.Close()
	var list []kernel.Rate
	for rows.Next() {
		var r kernel.Rate
		var eff time.Time
		var weekly, hourly int64
		var status string
		if err := rows.Scan(&r.Year, &eff, &weekly, &hourly, &r.Source, &status); err != nil {
			return kernel.Table{}, fmt.Errorf("read rates: %w", err)
		}
		r.EffectiveFrom = kernel.NewDate(eff.Year(), eff.Month(), eff.Day())
		r.Weekly, r.Hourly, r.Provisional = kernel.Money(weekly), kernel.Money(hourly), status == events.RateStatusProvisional
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return kernel.Table{}, fmt.Errorf("read rates: %w", err)
	}
	return kernel.NewTable(list)
}

// rated decides with the rates of the copy as they stand when the decision
// starts (read in the event's transaction), or with h.Rates before
// SetupRates (tests).
func rated[T any](h *Handler, decide func(*Handler, context.Context, *blanket.Env, T) (blanket.Outcome, error)) blanket.Decider[T] {
	return func(ctx context.Context, env *blanket.Env, data T) (blanket.Outcome, error) {
		if h.db == nil {
			return decide(h, ctx, env, data)
		}
		tab, err := CurrentRates(ctx, env.Tx)
		if err != nil {
			return blanket.Outcome{}, err
		}
		hc := *h
		hc.Rates = tab
		return decide(&hc, ctx, env, data)
	}
}
