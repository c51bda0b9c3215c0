package sickness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/absence"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// The routes of the rate table's administration (role administrator).
const (
	RatesPath        = "/api/v1/admin/rates"
	LedgerRateChange = "dk.nemrefusion.admin.rate.registered.v1"
)

// SetupRates makes the rate table the source of the rates (blanket.Function
// Setup): it migrates max_rates, seeds it from the committed rates.json
// (SeedRates; a committed rate that replaces a provisional one is sent and
// recomputed),
// serves GET/POST /api/v1/admin/rates and POST
// /api/v1/admin/rates/{id}/publish to administrators, and recomputes on
// rate.registered (its own event: a safety net for a recompute the admin
// request could not finish). provisional ("2026=4845", kroner per week;
// SICKNESS_PROVISIONAL_RATES) registers provisional rates for years that
// have none in the table yet, for the local stack.
func (h *Handler) SetupRates(ctx context.Context, svc *runtime.Service, pipe *blanket.Pipeline, v *auth.Verifier, provisional string) error {
	if err := svc.Migrate(ctx, "rates", RateMigrations()); err != nil {
		return err
	}
	prov, err := kernel.LoadRates(provisional)
	if err != nil {
		return err
	}
	var replaced []RateRow
	err = svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, ratesLock); err != nil {
			return err
		}
		if replaced, err = SeedRates(ctx, tx); err != nil {
			return err
		}
		for _, row := range replaced {
			// The committed file published a rate that was provisional here:
			// the maternity function's copy and the recompute follow it.
			if _, err := tx.Emit(ctx, events.RateRegistered, fmt.Sprintf("rates/%d", row.Year), row.Event()); err != nil {
				return err
			}
		}
		for _, r := range prov.Rates() {
			if !r.Provisional {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO max_rates (year, version, effective_from, weekly_ore, hourly_ore, source, status, added_by)
				SELECT $1, 1, $2, $3, $4, $5, 'provisional', 'config:SICKNESS_PROVISIONAL_RATES' WHERE NOT EXISTS (SELECT 1 FROM max_rates WHERE year = $1)`,
				r.Year, r.EffectiveFrom.Time(), r.Weekly.Ore(), r.Hourly.Ore(), r.Source); err != nil {
				return fmt.Errorf("provisional rate %d: %w", r.Year, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("seed rates: %w", err)
	}
	h.db, h.pipe = svc.DB, pipe
	if len(replaced) > 0 {
		if err := svc.Do(ctx, nil, func(tx *runtime.Tx) error { _, err := h.Recompute(ctx, tx); return err }); err != nil {
			// rate.registered, sent above, recomputes again when delivered.
			svc.Log.WarnContext(ctx, "recompute after seeding rates failed; rate.registered retries it", "err", err.Error())
		}
	}
	admin := auth.Require(v, auth.RoleAdmin)
	svc.Mux.Handle("GET "+RatesPath, admin(http.HandlerFunc(h.listRates)))
	svc.Mux.Handle("POST "+RatesPath, admin(h.changeRate(svc, func(ctx context.Context, tx *runtime.Tx, r *http.Request, who string) (RateRow, error) {
		var in RateInput
		if err := runtime.ReadJSON(nil, r, &in); err != nil {
			return RateRow{}, err
		}
		return AddRate(ctx, tx, in, who)
	})))
	svc.Mux.Handle("POST "+RatesPath+"/{id}/publish", admin(h.changeRate(svc, func(ctx context.Context, tx *runtime.Tx, r *http.Request, who string) (RateRow, error) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return RateRow{}, runtime.Fail(runtime.KindNotFound, "rate-unknown", "Satsen findes ikke.", "The rate does not exist.", nil)
		}
		var in PublishInput
		if err := runtime.ReadJSON(nil, r, &in); err != nil {
			return RateRow{}, err
		}
		return PublishRate(ctx, tx, id, in, who)
	})))
	runtime.On(svc, events.RateRegistered, func(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, _ events.RateRegistration) error {
		_, err := h.Recompute(ctx, tx)
		return err
	})
	return nil
}

// RatesList is the answer of GET /api/v1/admin/rates: every version of
// every rate, by year and version (Current marks the one in use).
type RatesList struct {
	Rates []RateRow `json:"rates"`
}

func (h *Handler) listRates(w http.ResponseWriter, r *http.Request) {
	list, err := ListRates(r.Context(), h.db)
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	if list == nil {
		list = []RateRow{}
	}
	runtime.WriteJSON(w, http.StatusOK, RatesList{Rates: list})
}

// RateChange is the answer of a rate registered or published: the new
// version and how many absences were recomputed and fed back with it.
type RateChange struct {
	Rate       RateRow `json:"rate"`
	Recomputed int     `json:"recomputed"`
}

// changeRate serves a change of the rate table: in one transaction, with
// the rates lock held exclusively (so every decision that read the table
// before has committed), change makes the new version, which is recorded in
// the ledger (stream admin/rates/<year>, the administrator as actor) and
// sent as rate.registered; then, in a second transaction, every absence
// that waited for the rate (or used a provisional one) is recomputed and fed
// back (Recompute). 201 with RateChange; 400 field errors, 404, 409 as
// change says.
func (h *Handler) changeRate(svc *runtime.Service, change func(context.Context, *runtime.Tx, *http.Request, string) (RateRow, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.FromContext(r.Context())
		ctx := context.WithoutCancel(r.Context())
		r.Body = http.MaxBytesReader(w, r.Body, 1<<16)
		var row RateRow
		err := svc.Do(ctx, nil, func(tx *runtime.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, ratesLock); err != nil {
				return fmt.Errorf("rates lock: %w", err)
			}
			var err error
			if row, err = change(ctx, tx, r, p.Subject); err != nil {
				return err
			}
			payload, _ := json.Marshal(row.Event())
			if _, err := tx.Record(ctx, ledger.Entry{Stream: fmt.Sprintf("admin/rates/%d", row.Year), Actor: p.Subject, Role: string(p.Role),
				OnBehalfOf: p.OnBehalfOf(), EventType: LedgerRateChange, EventSource: events.SourcePrefix + "sickness", Payload: payload}); err != nil {
				return err
			}
			_, err = tx.Emit(ctx, events.RateRegistered, fmt.Sprintf("rates/%d", row.Year), row.Event())
			return err
		})
		if err != nil {
			runtime.WriteError(w, err)
			return
		}
		var n int
		err = svc.Do(ctx, nil, func(tx *runtime.Tx) error {
			var err error
			n, err = h.Recompute(ctx, tx)
			return err
		})
		if err != nil {
			// The rate is registered; its rate.registered event recomputes
			// again when it is delivered.
			runtime.Logger(ctx).WarnContext(ctx, "recompute after a rate change failed; rate.registered retries it", "year", row.Year, "err", err.Error())
		}
		runtime.WriteJSON(w, http.StatusCreated, RateChange{Rate: row, Recomputed: n})
	}
}

// Recompute computes again, in tx, every absence whose amounts waited for
// a maximum rate or used a provisional one (absence.Recompute) with the
// rates in use, and feeds back those whose amount changed as their
// decision was (blanket.Pipeline.Redecide: the delivery to the
// municipality, refusion.expected, blanket.decided with the report's
// receipt), once: a second run finds nothing changed. It returns how many
// absences were fed back.
func (h *Handler) Recompute(ctx context.Context, tx *runtime.Tx) (int, error) {
	if h.pipe == nil {
		return 0, fmt.Errorf("recompute: the rate table is not set up")
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, ratesLock); err != nil {
		return 0, fmt.Errorf("rates lock: %w", err)
	}
	rates, err := CurrentRates(ctx, tx)
	if err != nil {
		return 0, err
	}
	cases, err := h.pipe.CasesWithState(ctx, tx, Family, "ratePending")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cases {
		var a absence.Absence
		if err := unmarshalState(c, &a); err != nil {
			return n, err
		}
		d, what, changed, err := absence.Recompute(a, rates)
		if err != nil {
			return n, fmt.Errorf("recompute absence %s: %w", c.ID, err)
		}
		if !changed {
			continue
		}
		typ := events.SicknessPeriodReported
		if what.Report || d.Period == nil {
			typ = events.SicknessEmployerReported
		}
		out := outcome(d, &c, time.Now())
		why := fmt.Sprintf("recomputed: the maximum rate for %v became known", what.Years)
		if err := h.pipe.Redecide(ctx, tx, typ, out, why); err != nil {
			return n, fmt.Errorf("recompute absence %s: %w", c.ID, err)
		}
		n++
	}
	return n, nil
}
