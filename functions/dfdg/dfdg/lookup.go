package dfdg

import (
	"context"
	"fmt"
	"net/http"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// Lookup is the answer to a data-foundation lookup (seeds/004 § 133):
// first and last absence day, registration dates and UUID; Subscribed says
// the caller will be told when the recovery arrives.
type Lookup struct {
	AbsenceID            string       `json:"absenceId"`
	FirstAbsenceDay      string       `json:"firstAbsenceDay,omitempty"`
	LastAbsenceDay       string       `json:"lastAbsenceDay,omitempty"`
	SickRegisteredOn     string       `json:"sickRegisteredOn,omitempty"`
	RecoveryRegisteredOn string       `json:"recoveryRegisteredOn,omitempty"`
	Cancelled            bool         `json:"cancelled"`
	Notices              []NoticeView `json:"notices"`
	Subscribed           bool         `json:"subscribed"`
}

// mayLookUp is the one place the dfdg function decides who may look an
// absence up: a municipality (its case system or caseworkers, never
// Udbetaling Danmark) the absence was delivered to; deliveredTo says
// whether it was.
func mayLookUp(p auth.Principal, deliveredTo func(tenant string) (bool, error)) (bool, error) {
	if p.Municipality.IsZero() {
		return false, nil
	}
	r, err := ids.ParseRecipient(p.Municipality.String())
	if err != nil || r.IsUDK() || !p.CanSeeRecipient(r) {
		return false, nil
	}
	return deliveredTo(r.String())
}

// lookup answers GET /api/v1/dfdg/absences/{id} for a municipality the
// absence was delivered to; without a recovery yet, it subscribes the
// municipality to it. Everyone else gets 404, as for an absence that does
// not exist, and the refusal is in the ledger.
func (f *Function) lookup(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	id := r.PathValue("id")
	ctx := r.Context()
	ok, err := mayLookUp(p, func(tenant string) (bool, error) {
		var delivered bool
		err := f.svc.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM recipients WHERE absence_id = $1 AND recipient = $2)`, id, tenant).Scan(&delivered)
		return delivered, err
	})
	if err != nil {
		runtime.WriteError(w, fmt.Errorf("find absence: %w", err))
		return
	}
	if !ok {
		if err := auth.LogDenial(ctx, f.svc.DB, p, r, "dfdg/absences/"+id, "tenant"); err != nil {
			runtime.WriteError(w, err)
			return
		}
		auth.WriteNotFound(w)
		return
	}
	tenant := p.Municipality.String()
	out := Lookup{AbsenceID: id}
	err = f.svc.Do(context.WithoutCancel(ctx), nil, func(tx *runtime.Tx) error {
		if err := lockAbsence(ctx, tx, id, "FOR SHARE"); err != nil {
			return err
		}
		notices, err := readNotices(ctx, tx, id)
		if err != nil {
			return err
		}
		s := fold(notices)
		out.Notices, out.Cancelled = notices, s.Cancelled
		out.FirstAbsenceDay, out.LastAbsenceDay, out.SickRegisteredOn, out.RecoveryRegisteredOn = s.First, s.Last, s.SickRegistered, s.RecoveryRegistered
		if s.Last == "" && !s.Cancelled {
			if _, err := tx.Exec(ctx, `INSERT INTO subscriptions (absence_id, subscriber) VALUES ($1, $2)
				ON CONFLICT (absence_id, subscriber) DO NOTHING`, id, tenant); err != nil {
				return fmt.Errorf("subscribe: %w", err)
			}
			out.Subscribed = true
		}
		_, err = tx.Record(ctx, auth.ReadEntry(p, r, id))
		return err
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, out)
}
