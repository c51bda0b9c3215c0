package sickness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/absence"
	"nemrefusion.dk/functions/sickness/refusion"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/runtime"
)

// DispensationPath is the route of a caseworker's dispensation from the
// late-report rule (sygedagpengeloven § 59) on one absence. It lies under
// /api/v1/refusion, which the gateway routes to this function.
const DispensationPath = "POST /api/v1/refusion/absences/{id}/dispensation"

// DispensationRequest is the body of a dispensation: the day refusion is
// to run from ("YYYY-MM-DD") and the caseworker's reason.
type DispensationRequest struct {
	RefusionFrom string `json:"refusionFrom"`
	Reason       string `json:"reason"`
}

// DispensationAnswer is what a granted dispensation answers.
type DispensationAnswer struct {
	AbsenceID    string          `json:"absenceId"`
	Version      int             `json:"version"`
	RefusionFrom string          `json:"refusionFrom"`
	Reasons      []kernel.Reason `json:"reasons"`
}

// SetupDispensation registers the dispensation route for caseworkers
// (role caseworker); pipe records and feeds back the changed decision
// (blanket.Pipeline.Redecide).
func (h *Handler) SetupDispensation(svc *runtime.Service, pipe *blanket.Pipeline, v *auth.Verifier) {
	svc.Mux.Handle(DispensationPath, auth.Require(v, auth.RoleCaseworker)(h.Dispensation(svc, pipe, time.Now)))
}

// Dispensation answers DispensationPath: a caseworker of the absence's
// recipient municipality moves the refusion start of a late report
// (absence.Dispense). The decision is stored with the caseworker's reason
// in the absence's ledger stream, the recipient's case system gets the
// absence as changed (an item of kind absence.DeliveryDispensation), and
// the employer the changed decision (blanket.decided, the expected
// refusion) — blanket.Pipeline.Redecide, as of the employer's report.
// Answers: 200 with the new refusion start; 404 for an absence that does
// not exist, is not a sickness absence, or is another municipality's (the
// same answer, and the refusal is in the ledger); 400 naming the bad
// fields; 422 when the rules refuse a dispensation (in time, more than 6
// months, no wages, cancelled).
func (h *Handler) Dispensation(svc *runtime.Service, pipe *blanket.Pipeline, now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.FromContext(r.Context())
		id := r.PathValue("id")
		var in DispensationRequest
		if err := runtime.ReadJSON(w, r, &in); err != nil {
			runtime.WriteError(w, err)
			return
		}
		ctx := context.WithoutCancel(r.Context())
		var answer DispensationAnswer
		denied := false
		err := svc.Do(ctx, nil, func(tx *runtime.Tx) error {
			// The rates in use, read before the case is locked (as a
			// submission's decision reads them, rated).
			rates := h.Rates
			if h.db != nil {
				var err error
				if rates, err = ratesForDecision(ctx, tx); err != nil {
					return err
				}
			}
			c, ok, err := loadCase(ctx, tx, id)
			if err != nil {
				return err
			}
			if !ok || c.Family != Family || !canDecide(p, c.Recipient) {
				denied = ok
				return auth.ErrNotFound
			}
			var fe events.FieldErrors
			from, perr := kernel.ParseDate(in.RefusionFrom)
			if in.RefusionFrom != "" && perr != nil {
				fe.Add("refusionFrom", "date", "Datoen findes ikke (ÅÅÅÅ-MM-DD).", "The date does not exist (YYYY-MM-DD).")
				return fe
			}
			var a absence.Absence
			if err := json.Unmarshal(c.State, &a); err != nil {
				return fmt.Errorf("absence %s state: %w", id, err)
			}
			d, err := absence.Dispense(a, from, in.Reason, p.Tenant(), absence.Facts{ReceivedOn: kernel.DateOf(now()), Rates: rates})
			var de refusion.DispensationError
			if errors.As(err, &de) {
				return runtime.Fail(runtime.KindUnprocessable, de.Code, de.Da, de.En, nil)
			}
			if err != nil {
				return err
			}
			out, err := decided(d, &c, nil, now())
			if err != nil {
				return err
			}
			if err := pipe.Redecide(ctx, tx, events.SicknessEmployerReported, out, "dispensation (sygedagpengeloven § 59) by "+p.Tenant()); err != nil {
				return err
			}
			answer = DispensationAnswer{AbsenceID: a.ID, Version: d.Absence.Version, RefusionFrom: d.Absence.RefusionFrom.String(), Reasons: d.Reasons}
			return nil
		})
		if denied {
			// Another municipality's absence answers as a missing one; the
			// refusal is in the ledger.
			if lerr := auth.LogDenial(ctx, svc.DB, p, r, "refusion/absences/"+id+"/dispensation", "recipient"); lerr != nil {
				err = lerr
			}
		}
		if err != nil {
			runtime.WriteError(w, err)
			return
		}
		runtime.WriteJSON(w, http.StatusOK, answer)
	}
}

// canDecide tells whether p is a caseworker of recipient (a municipality
// number): only the absence's own municipality decides on it.
func canDecide(p auth.Principal, recipient string) bool {
	r, err := ids.ParseRecipient(recipient)
	return err == nil && p.Is(auth.RoleCaseworker) && p.CanSeeRecipient(r)
}

// loadCase reads the case id (any family) from the pipeline's table in
// the function's schema, locked for update; ok is false when there is none.
func loadCase(ctx context.Context, tx *runtime.Tx, id string) (blanket.Case, bool, error) {
	var c blanket.Case
	if _, err := uuid.Parse(id); err != nil {
		return c, false, nil
	}
	err := tx.QueryRow(ctx, `SELECT id::text, family, case_key, tenant, person, recipient, status, version, state
		FROM blanket_cases WHERE id = $1 FOR UPDATE`, id).
		Scan(&c.ID, &c.Family, &c.Key, &c.Tenant, &c.Person, &c.Recipient, &c.Status, &c.Version, &c.State)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}
