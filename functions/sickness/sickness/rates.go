package sickness

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/rates/*.sql
var rateMigrations embed.FS

// RateMigrations are the migrations of the rate table (max_rates), a set of
// their own ("rates") in the sickness function's schema.
func RateMigrations() fs.FS {
	sub, _ := fs.Sub(rateMigrations, "migrations/rates")
	return sub
}

// SeedActor is who the rates seeded from the committed rates.json were
// added by.
const SeedActor = "seed:functions/kernel/rates.json"

// ratesLock is the advisory lock between decisions (shared: they read the
// rate table) and a rate being registered (exclusive): a rate commits only
// after every decision that read the table without it has committed, so the
// recompute that follows finds every amount that waited for it.
const ratesLock int64 = 0x6e722d7261746573 // "nr-rates"

// querier is a transaction or the pool.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// RateRow is one version of one year's maximum rate in max_rates.
type RateRow struct {
	ID            int64        `json:"id"`
	Year          int          `json:"year"`
	Version       int          `json:"version"`
	EffectiveFrom kernel.Date  `json:"effectiveFrom"`
	Weekly        kernel.Money `json:"weekly"`
	Hourly        kernel.Money `json:"hourly"`
	Source        string       `json:"source"`
	Status        string       `json:"status"`
	AddedBy       string       `json:"addedBy"`
	AddedAt       time.Time    `json:"addedAt"`
	// Current is true for the year's highest version, the one in use.
	Current bool `json:"current"`
}

// Rate is the row as the kernel's rate.
func (r RateRow) Rate() kernel.Rate {
	return kernel.Rate{Year: r.Year, EffectiveFrom: r.EffectiveFrom, Weekly: r.Weekly, Hourly: r.Hourly, Source: r.Source,
		Provisional: r.Status == events.RateStatusProvisional}
}

// Event is the row as rate.registered data.
func (r RateRow) Event() events.RateRegistration {
	return events.RateRegistration{ID: r.ID, Year: r.Year, EffectiveFrom: r.EffectiveFrom.String(), Weekly: events.Kroner(r.Weekly),
		Hourly: events.Kroner(r.Hourly), Source: r.Source, Status: r.Status, Version: r.Version, AddedBy: r.AddedBy,
		AddedAt: r.AddedAt.UTC().Format(time.RFC3339Nano)}
}

const rateColumns = `id, year, version, effective_from, weekly_ore, hourly_ore, source, status, added_by, added_at`

func scanRate(row pgx.Row) (RateRow, error) {
	var r RateRow
	var eff time.Time
	var weekly, hourly int64
	err := row.Scan(&r.ID, &r.Year, &r.Version, &eff, &weekly, &hourly, &r.Source, &r.Status, &r.AddedBy, &r.AddedAt)
	r.EffectiveFrom = kernel.NewDate(eff.Year(), eff.Month(), eff.Day())
	r.Weekly, r.Hourly = kernel.Money(weekly), kernel.Money(hourly)
	return r, err
}

// SeedRates puts every rate of the committed table (kernel.DefaultTable)
// into max_rates, added by SeedActor: as published version 1 of a year
// that has no rate yet, or as the next version of a year whose rate in use
// is provisional (the committed file now has the published one). A year
// whose rate is published is left as it is. It returns the versions that
// replaced a provisional rate (to be sent and recomputed); q must hold
// ratesLock exclusively.
func SeedRates(ctx context.Context, q querier) ([]RateRow, error) {
	tab, err := kernel.DefaultTable()
	if err != nil {
		return nil, err
	}
	var replaced []RateRow
	for _, r := range tab.Rates() {
		cur, ok, err := currentOf(ctx, q, r.Year)
		switch {
		case err != nil:
			return nil, fmt.Errorf("seed rate %d: %w", r.Year, err)
		case ok && cur.Status == events.RateStatusPublished:
			continue
		}
		row, err := insertRate(ctx, q, r, cur.Version+1, SeedActor)
		if err != nil {
			return nil, fmt.Errorf("seed rate %d: %w", r.Year, err)
		}
		if ok {
			replaced = append(replaced, row)
		}
	}
	return replaced, nil
}

// ListRates returns every version of every rate, by year and version.
func ListRates(ctx context.Context, q querier) ([]RateRow, error) {
	rows, err := q.Query(ctx, `SELECT `+rateColumns+`, version = max(version) OVER (PARTITION BY year)
		FROM max_rates ORDER BY year, version`)
	if err != nil {
		return nil, fmt.Errorf("list rates: %w", err)
	}
	defer rows.Close()
	var out []RateRow
	for rows.Next() {
		var r RateRow
		var eff time.Time
		var weekly, hourly int64
		if err := rows.Scan(&r.ID, &r.Year, &r.Version, &eff, &weekly, &hourly, &r.Source, &r.Status, &r.AddedBy, &r.AddedAt, &r.Current); err != nil {
			return nil, fmt.Errorf("list rates: %w", err)
		}
		r.EffectiveFrom = kernel.NewDate(eff.Year(), eff.Month(), eff.Day())
		r.Weekly, r.Hourly = kernel.Money(weekly), kernel.Money(hourly)
		out = append(out, r)
	}
	return out, rows.Err()
}

// CurrentRates returns the table of the rates in use: each year's highest
// version.
func CurrentRates(ctx context.Context, q querier) (kernel.Table, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (year) `+rateColumns+` FROM max_rates ORDER BY year, version DESC`)
	if err != nil {
		return kernel.Table{}, fmt.Errorf("read rates: %w", err)
	}
	defer rows.Close()
	var list []kernel.Rate
	for rows.Next() {
		r, err := scanRate(rows)
		if err != nil {
			return kernel.Table{}, fmt.Errorf("read rates: %w", err)
		}
		list = append(list, r.Rate())
	}
	if err := rows.Err(); err != nil {
		return kernel.Table{}, fmt.Errorf("read rates: %w", err)
	}
	tab, err := kernel.NewTable(list)
	if err != nil {
		return kernel.Table{}, fmt.Errorf("rate table: %w", err)
	}
	return tab, nil
}

// ratesForDecision takes the shared side of ratesLock in tx and reads the
// rates in use. Every decision calls it before it locks its case.
func ratesForDecision(ctx context.Context, tx querier) (kernel.Table, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, ratesLock); err != nil {
		return kernel.Table{}, fmt.Errorf("rates lock: %w", err)
	}
	return CurrentRates(ctx, tx)
}

// RateInput is a rate an administrator registers: the year, the weekly
// amount in kroner, the source, the status (published or provisional) and,
// optionally, another effective date than the first Monday of January.
type RateInput struct {
	Year          int          `json:"year"`
	Weekly        kernel.Money `json:"weekly"`
	EffectiveFrom *kernel.Date `json:"effectiveFrom,omitempty"`
	Source        string       `json:"source"`
	Status        string       `json:"status"`
}

// check validates in and returns it as a kernel rate, or field errors
// naming every bad field.
func (in RateInput) check() (kernel.Rate, error) {
	var fe events.FieldErrors
	if in.Year < 1900 || in.Year > 2199 {
		fe.Add("year", "range", "Året skal ligge mellem 1900 og 2199.", "The year must be between 1900 and 2199.")
	}
	if in.Weekly <= 0 {
		fe.Add("weekly", "positive", "Ugesatsen skal være et positivt beløb i kroner.", "The weekly rate must be a positive amount of kroner.")
	}
	switch in.Status {
	case events.RateStatusPublished:
		if in.Source == "" {
			fe.Add("source", "required", "En offentliggjort sats skal have sin kilde (fx en adresse på bm.dk).", "A published rate needs its source (e.g. an address on bm.dk).")
		}
	case events.RateStatusProvisional:
	default:
		fe.Add("status", "enum", "Status skal være published (offentliggjort) eller provisional (foreløbig).", "The status must be published or provisional.")
	}
	if len(in.Source) > 500 {
		fe.Add("source", "too_long", "Kilden kan højst være 500 tegn.", "The source can be at most 500 characters.")
	}
	r := kernel.Rate{Year: in.Year, Weekly: in.Weekly, Hourly: kernel.HourlyFromWeekly(in.Weekly), Source: in.Source,
		Provisional: in.Status == events.RateStatusProvisional}
	if r.Provisional && r.Source == "" {
		r.Source = kernel.ProvisionalSource
	}
	if in.EffectiveFrom != nil {
		r.EffectiveFrom = *in.EffectiveFrom
		if !r.EffectiveFrom.IsZero() && r.EffectiveFrom.Year() != in.Year {
			fe.Add("effectiveFrom", "not_in_year", fmt.Sprintf("Satsen for %d skal gælde fra en dag i %d (normalt første mandag i januar).", in.Year, in.Year),
				fmt.Sprintf("The %d rate must take effect on a day in %d (normally the first Monday of January).", in.Year, in.Year))
		}
	}
	if err := fe.Err(); err != nil {
		return r, err
	}
	r, err := kernel.CheckRate(r)
	if err != nil {
		return r, events.FieldErrors{{Field: "weekly", Code: "invalid", Da: "Satsen kan ikke bruges: " + err.Error(), En: "The rate cannot be used: " + err.Error()}}
	}
	return r, nil
}

// errPublished refuses a change to a year whose rate is published.
func errPublished(year int) error {
	return runtime.Fail(runtime.KindConflict, "rate-published",
		fmt.Sprintf("Satsen for %d er offentliggjort og kan ikke ændres.", year),
		fmt.Sprintf("The %d rate is published and cannot be changed.", year), nil)
}

// currentOf returns the year's current version, locked, or ok false.
func currentOf(ctx context.Context, tx querier, year int) (RateRow, bool, error) {
	r, err := scanRate(tx.QueryRow(ctx, `SELECT `+rateColumns+` FROM max_rates WHERE year = $1 ORDER BY version DESC LIMIT 1 FOR UPDATE`, year))
	if errors.Is(err, pgx.ErrNoRows) {
		return RateRow{}, false, nil
	}
	if err != nil {
		return RateRow{}, false, fmt.Errorf("rate %d: %w", year, err)
	}
	r.Current = true
	return r, true, nil
}

// insertRate adds r as the next version of its year, added by who.
func insertRate(ctx context.Context, tx querier, r kernel.Rate, version int, who string) (RateRow, error) {
	status := events.RateStatusPublished
	if r.Provisional {
		status = events.RateStatusProvisional
	}
	row, err := scanRate(tx.QueryRow(ctx, `INSERT INTO max_rates (year, version, effective_from, weekly_ore, hourly_ore, source, status, added_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+rateColumns,
		r.Year, version, r.EffectiveFrom.Time(), r.Weekly.Ore(), r.Hourly.Ore(), r.Source, status, who))
	if err != nil {
		return RateRow{}, fmt.Errorf("add rate %d: %w", r.Year, err)
	}
	row.Current = true
	return row, nil
}

// AddRate registers in as the next version of its year's rate, added by
// who, in tx (which must hold ratesLock exclusively). A year whose rate is
// published is refused (409); a provisional rate may be replaced by another
// provisional or a published one. Bad input gives field errors.
func AddRate(ctx context.Context, tx querier, in RateInput, who string) (RateRow, error) {
	r, err := in.check()
	if err != nil {
		return RateRow{}, runtime.Invalid(asFieldErrors(err))
	}
	cur, ok, err := currentOf(ctx, tx, r.Year)
	if err != nil {
		return RateRow{}, err
	}
	if ok && cur.Status == events.RateStatusPublished {
		return RateRow{}, errPublished(r.Year)
	}
	return insertRate(ctx, tx, r, cur.Version+1, who)
}

// PublishInput is the final value of a provisional rate: the source (required)
// and, when it differs from the provisional amount, the weekly amount.
type PublishInput struct {
	Weekly *kernel.Money `json:"weekly,omitempty"`
	Source string        `json:"source"`
}

// PublishRate publishes the provisional rate id (it must be its year's
// current version) with in's source and, optionally, another weekly
// amount, as a new version added by who, in tx (holding ratesLock
// exclusively). An unknown id is 404; a published or superseded one 409.
func PublishRate(ctx context.Context, tx querier, id int64, in PublishInput, who string) (RateRow, error) {
	var year int
	err := tx.QueryRow(ctx, `SELECT year FROM max_rates WHERE id = $1`, id).Scan(&year)
	if errors.Is(err, pgx.ErrNoRows) {
		return RateRow{}, runtime.Fail(runtime.KindNotFound, "rate-unknown", "Satsen findes ikke.", "The rate does not exist.", nil)
	}
	if err != nil {
		return RateRow{}, fmt.Errorf("rate %d: %w", id, err)
	}
	cur, _, err := currentOf(ctx, tx, year)
	if err != nil {
		return RateRow{}, err
	}
	switch {
	case cur.Status == events.RateStatusPublished:
		return RateRow{}, errPublished(year)
	case cur.ID != id:
		return RateRow{}, runtime.Fail(runtime.KindConflict, "rate-superseded",
			fmt.Sprintf("Satsen er erstattet af en nyere udgave (id %d) for %d.", cur.ID, year),
			fmt.Sprintf("The rate was replaced by a newer version (id %d) for %d.", cur.ID, year), nil)
	}
	weekly := cur.Weekly
	if in.Weekly != nil {
		weekly = *in.Weekly
	}
	eff := cur.EffectiveFrom
	r, err := RateInput{Year: year, Weekly: weekly, EffectiveFrom: &eff, Source: in.Source, Status: events.RateStatusPublished}.check()
	if err != nil {
		return RateRow{}, runtime.Invalid(asFieldErrors(err))
	}
	return insertRate(ctx, tx, r, cur.Version+1, who)
}

func asFieldErrors(err error) events.FieldErrors {
	var fe events.FieldErrors
	errors.As(err, &fe)
	return fe
}
