package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// onDfdgNotice records a sick, recovery or cancellation notice for the data
// foundation (seeds/004 § 132). A recovery tells every municipality that
// looked the absence up before it arrived (§ 133 stk. 3): an item in that
// municipality's stream, delivered like every other item.
func (f *Function) onDfdgNotice(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event) error {
	var n events.DfdgNotice
	if err := decode(ev, &n); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO dfdg_notices (event_id, absence_id, kind, first_day, last_day, registered_on, reporter)
		VALUES ($1, $2, $3, $4, NULLIF($5, '')::date, $6, $7) ON CONFLICT DO NOTHING`,
		ev.Source()+"/"+ev.ID(), n.AbsenceID, n.Kind, n.FirstAbsenceDay, n.LastAbsenceDay, n.RegisteredOn, n.Reporter); err != nil {
		return fmt.Errorf("store notice: %w", err)
	}
	// The upsert locks the absence's row: a lookup that is deciding
	// whether to subscribe (FOR SHARE) finishes first, or waits and sees
	// this notice.
	var err error
	switch n.Kind {
	case "sick":
		_, err = tx.Exec(ctx, `INSERT INTO dfdg_absences (absence_id, cpr, first_day, last_day, sick_registered_on, recovery_registered_on)
			VALUES ($1, $2, $3, NULLIF($4, '')::date, $5, CASE WHEN $4 = '' THEN NULL ELSE $5::date END)
			ON CONFLICT (absence_id) DO UPDATE SET cpr = EXCLUDED.cpr, first_day = EXCLUDED.first_day,
				last_day = COALESCE(dfdg_absences.last_day, EXCLUDED.last_day),
				sick_registered_on = COALESCE(dfdg_absences.sick_registered_on, EXCLUDED.sick_registered_on),
				recovery_registered_on = COALESCE(dfdg_absences.recovery_registered_on, EXCLUDED.recovery_registered_on),
				updated_at = now()`, n.AbsenceID, n.CPR, n.FirstAbsenceDay, n.LastAbsenceDay, n.RegisteredOn)
	case "recovery":
		if n.LastAbsenceDay == "" {
			return events.FieldErrors{{Field: "lastAbsenceDay", Code: "required", Da: "En raskmelding skal have sidste fraværsdag.", En: "A recovery notice needs the last absence day."}}
		}
		_, err = tx.Exec(ctx, `INSERT INTO dfdg_absences (absence_id, cpr, first_day, last_day, recovery_registered_on)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (absence_id) DO UPDATE SET cpr = EXCLUDED.cpr, first_day = COALESCE(dfdg_absences.first_day, EXCLUDED.first_day),
				last_day = EXCLUDED.last_day, recovery_registered_on = EXCLUDED.recovery_registered_on, updated_at = now()`,
			n.AbsenceID, n.CPR, n.FirstAbsenceDay, n.LastAbsenceDay, n.RegisteredOn)
	case "cancelled":
		_, err = tx.Exec(ctx, `INSERT INTO dfdg_absences (absence_id, cpr, first_day, cancelled) VALUES ($1, $2, $3, true)
			ON CONFLICT (absence_id) DO UPDATE SET cancelled = true, updated_at = now()`, n.AbsenceID, n.CPR, n.FirstAbsenceDay)
	default:
		return events.FieldErrors{{Field: "kind", Code: "enum", Da: "Ukendt meddelelse.", En: "Unknown notice."}}
	}
	if err != nil {
		return fmt.Errorf("store absence notice: %w", err)
	}
	if _, err := tx.Record(ctx, ledger.Entry{Stream: n.AbsenceID}); err != nil {
		return err
	}
	if n.Kind == "recovery" || (n.Kind == "sick" && n.LastAbsenceDay != "") {
		return f.notifySubscribers(ctx, tx, n.AbsenceID)
	}
	return nil
}

// notifySubscribers puts a recovery item in the stream of every subscriber
// of absenceID not yet told.
func (f *Function) notifySubscribers(ctx context.Context, tx *runtime.Tx, absenceID string) error {
	var rec events.DfdgRecovery
	var sick *string
	err := tx.QueryRow(ctx, `SELECT absence_id, to_char(first_day, 'YYYY-MM-DD'), to_char(last_day, 'YYYY-MM-DD'),
			to_char(sick_registered_on, 'YYYY-MM-DD'), to_char(recovery_registered_on, 'YYYY-MM-DD')
		FROM dfdg_absences WHERE absence_id = $1`, absenceID).
		Scan(&rec.AbsenceID, &rec.FirstAbsenceDay, &rec.LastAbsenceDay, &sick, &rec.RecoveryRegisteredOn)
	if err != nil {
		return fmt.Errorf("read absence: %w", err)
	}
	if sick != nil {
		rec.SickRegisteredOn = *sick
	}
	payload, _ := json.Marshal(rec)
	rows, err := tx.Query(ctx, `UPDATE dfdg_subscriptions SET notified_at = now() WHERE absence_id = $1 AND notified_at IS NULL RETURNING subscriber`, absenceID)
	if err != nil {
		return fmt.Errorf("claim subscriptions: %w", err)
	}
	var subs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("read subscription: %w", err)
		}
		subs = append(subs, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read subscriptions: %w", err)
	}
	for _, s := range subs {
		if _, _, err := f.enqueue(ctx, tx, events.DeliveryRequest{
			ItemID: "dfdg-recovery/" + absenceID + "/" + s, Recipient: s, Kind: events.DfdgRecoveryKind, CaseRef: absenceID, Payload: payload,
		}); err != nil {
			return err
		}
	}
	return nil
}

// DfdgNoticeView is one notice as a lookup shows it.
type DfdgNoticeView struct {
	Kind            string `json:"kind"`
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	LastAbsenceDay  string `json:"lastAbsenceDay,omitempty"`
	RegisteredOn    string `json:"registeredOn"`
	Reporter        string `json:"reporter"`
}

// DfdgLookup is the answer to a data-foundation lookup (seeds/004 § 133):
// first and last absence day, registration dates and UUID; Subscribed says
// the caller will be told when the recovery arrives.
type DfdgLookup struct {
	AbsenceID            string           `json:"absenceId"`
	FirstAbsenceDay      string           `json:"firstAbsenceDay,omitempty"`
	LastAbsenceDay       string           `json:"lastAbsenceDay,omitempty"`
	SickRegisteredOn     string           `json:"sickRegisteredOn,omitempty"`
	RecoveryRegisteredOn string           `json:"recoveryRegisteredOn,omitempty"`
	Cancelled            bool             `json:"cancelled"`
	Notices              []DfdgNoticeView `json:"notices"`
	Subscribed           bool             `json:"subscribed"`
}

// dfdgLookup answers GET /api/v1/dfdg/absences/{id} for a municipality the
// absence was delivered to; without a recovery yet, it subscribes the
// municipality to it.
func (f *Function) dfdgLookup(w http.ResponseWriter, r *http.Request) {
	p, id := principal(r), r.PathValue("id")
	ctx := r.Context()
	tenant := p.Municipality.String()
	if p.Municipality.IsZero() || !authorize(p, actDFDG, tenant) {
		f.hide(w, r, p, "dfdg/absences/"+id)
		return
	}
	var delivered bool
	if err := f.svc.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM items WHERE case_ref = $1 AND recipient = $2)`, id, tenant).Scan(&delivered); err != nil {
		runtime.WriteError(w, fmt.Errorf("find absence: %w", err))
		return
	}
	if !delivered {
		f.hide(w, r, p, "dfdg/absences/"+id)
		return
	}
	out := DfdgLookup{AbsenceID: id, Notices: []DfdgNoticeView{}}
	err := f.svc.Do(withoutCancel(r), nil, func(tx *runtime.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO dfdg_absences (absence_id) VALUES ($1) ON CONFLICT DO NOTHING`, id); err != nil {
			return fmt.Errorf("open absence: %w", err)
		}
		var first, last, sick, rec *string
		if err := tx.QueryRow(ctx, `SELECT to_char(first_day, 'YYYY-MM-DD'), to_char(last_day, 'YYYY-MM-DD'), to_char(sick_registered_on, 'YYYY-MM-DD'),
				to_char(recovery_registered_on, 'YYYY-MM-DD'), cancelled FROM dfdg_absences WHERE absence_id = $1 FOR SHARE`, id).
			Scan(&first, &last, &sick, &rec, &out.Cancelled); err != nil {
			return fmt.Errorf("read absence: %w", err)
		}
		out.FirstAbsenceDay, out.LastAbsenceDay, out.SickRegisteredOn, out.RecoveryRegisteredOn = deref(first), deref(last), deref(sick), deref(rec)
		rows, err := tx.Query(ctx, `SELECT kind, to_char(first_day, 'YYYY-MM-DD'), COALESCE(to_char(last_day, 'YYYY-MM-DD'), ''), to_char(registered_on, 'YYYY-MM-DD'), reporter
			FROM dfdg_notices WHERE absence_id = $1 ORDER BY received_at`, id)
		if err != nil {
			return fmt.Errorf("read notices: %w", err)
		}
		for rows.Next() {
			var n DfdgNoticeView
			if err := rows.Scan(&n.Kind, &n.FirstAbsenceDay, &n.LastAbsenceDay, &n.RegisteredOn, &n.Reporter); err != nil {
				rows.Close()
				return fmt.Errorf("read notice: %w", err)
			}
			out.Notices = append(out.Notices, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read notices: %w", err)
		}
		if last == nil && !out.Cancelled {
			if _, err := tx.Exec(ctx, `INSERT INTO dfdg_subscriptions (absence_id, subscriber) VALUES ($1, $2)
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

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
