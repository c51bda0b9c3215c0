package dfdg

import (
	"context"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// onDeliveryRequested remembers which municipality an absence was
// delivered to: only such a municipality may look the absence up. Items
// for Udbetaling Danmark and unknown recipients are not lookups' business
// (the delivery function refuses the latter).
func (f *Function) onDeliveryRequested(ctx context.Context, tx *runtime.Tx, _ cloudevents.Event, req events.DeliveryRequest) error {
	r, err := ids.ParseRecipient(req.Recipient)
	if err != nil || r.IsUDK() {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO recipients (absence_id, recipient) VALUES ($1, $2) ON CONFLICT DO NOTHING`, req.CaseRef, r.String()); err != nil {
		return fmt.Errorf("store recipient: %w", err)
	}
	return nil
}

// onNotice records a sick, recovery or cancellation notice (seeds/004
// § 132). A recovery tells every municipality that looked the absence up
// before it arrived (§ 133 stk. 3).
func (f *Function) onNotice(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, n events.DfdgNotice) error {
	switch n.Kind {
	case "sick", "cancelled":
	case "recovery":
		if n.LastAbsenceDay == "" {
			return events.FieldErrors{{Field: "lastAbsenceDay", Code: "required", Da: "En raskmelding skal have sidste fraværsdag.", En: "A recovery notice needs the last absence day."}}
		}
	default:
		return events.FieldErrors{{Field: "kind", Code: "enum", Da: "Ukendt meddelelse.", En: "Unknown notice."}}
	}
	// The absence's row lock orders the notices (seq) and makes a lookup
	// that is deciding whether to subscribe (FOR SHARE) finish first, or
	// wait and see this notice.
	if err := lockAbsence(ctx, tx, n.AbsenceID, "FOR UPDATE"); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO notices (event_id, absence_id, kind, first_day, last_day, registered_on, reporter)
		VALUES ($1, $2, $3, $4, NULLIF($5, '')::date, $6, $7) ON CONFLICT DO NOTHING`,
		ev.Source()+"/"+ev.ID(), n.AbsenceID, n.Kind, n.FirstAbsenceDay, n.LastAbsenceDay, n.RegisteredOn, n.Reporter); err != nil {
		return fmt.Errorf("store notice: %w", err)
	}
	if _, err := tx.Record(ctx, ledger.Entry{Stream: n.AbsenceID}); err != nil {
		return err
	}
	if n.Kind == "recovery" || (n.Kind == "sick" && n.LastAbsenceDay != "") {
		return f.notifySubscribers(ctx, tx, n.AbsenceID)
	}
	return nil
}

// lockAbsence makes sure absenceID has its row and locks it (mode is
// "FOR UPDATE" or "FOR SHARE").
func lockAbsence(ctx context.Context, tx *runtime.Tx, absenceID, mode string) error {
	if _, err := tx.Exec(ctx, `INSERT INTO absences (absence_id) VALUES ($1) ON CONFLICT DO NOTHING`, absenceID); err != nil {
		return fmt.Errorf("open absence: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM absences WHERE absence_id = $1 `+mode, absenceID); err != nil {
		return fmt.Errorf("lock absence: %w", err)
	}
	return nil
}

// NoticeView is one notice as a lookup shows it.
type NoticeView struct {
	Kind            string `json:"kind"`
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	LastAbsenceDay  string `json:"lastAbsenceDay,omitempty"`
	RegisteredOn    string `json:"registeredOn"`
	Reporter        string `json:"reporter"`
}

// state is what the notices so far say of an absence.
type state struct {
	First, Last, SickRegistered, RecoveryRegistered string
	Cancelled                                       bool
}

// fold reads an absence's state from its notices in arrival order: a sick
// notice sets the first day (and, when it has one, the last day unless a
// recovery set it); its registration date is the first sick notice's; a
// recovery sets the last day and its registration date (a correction
// replaces both); a cancellation marks the absence cancelled.
func fold(notices []NoticeView) state {
	var s state
	for _, n := range notices {
		switch n.Kind {
		case "sick":
			s.First = n.FirstAbsenceDay
			if s.Last == "" && n.LastAbsenceDay != "" {
				s.Last = n.LastAbsenceDay
				if s.RecoveryRegistered == "" {
					s.RecoveryRegistered = n.RegisteredOn
				}
			}
			if s.SickRegistered == "" {
				s.SickRegistered = n.RegisteredOn
			}
		case "recovery":
			if s.First == "" {
				s.First = n.FirstAbsenceDay
			}
			s.Last, s.RecoveryRegistered = n.LastAbsenceDay, n.RegisteredOn
		case "cancelled":
			if s.First == "" {
				s.First = n.FirstAbsenceDay
			}
			s.Cancelled = true
		}
	}
	return s
}

// readNotices returns the notices of absenceID in arrival order.
func readNotices(ctx context.Context, tx *runtime.Tx, absenceID string) ([]NoticeView, error) {
	rows, err := tx.Query(ctx, `SELECT kind, to_char(first_day, 'YYYY-MM-DD'), COALESCE(to_char(last_day, 'YYYY-MM-DD'), ''), to_char(registered_on, 'YYYY-MM-DD'), reporter
		FROM notices WHERE absence_id = $1 ORDER BY seq`, absenceID)
	if err != nil {
		return nil, fmt.Errorf("read notices: %w", err)
	}
	defer rows.Close()
	out := []NoticeView{}
	for rows.Next() {
		var n NoticeView
		if err := rows.Scan(&n.Kind, &n.FirstAbsenceDay, &n.LastAbsenceDay, &n.RegisteredOn, &n.Reporter); err != nil {
			return nil, fmt.Errorf("read notice: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read notices: %w", err)
	}
	return out, nil
}

// notifySubscribers asks the delivery function to put a recovery item in
// the stream of every subscriber of absenceID not yet told. The item id is
// fixed per absence and subscriber, so delivery stores it once.
func (f *Function) notifySubscribers(ctx context.Context, tx *runtime.Tx, absenceID string) error {
	notices, err := readNotices(ctx, tx, absenceID)
	if err != nil {
		return err
	}
	s := fold(notices)
	payload, err := events.MarshalPayload(events.DfdgRecovery{AbsenceID: absenceID, FirstAbsenceDay: s.First, LastAbsenceDay: s.Last,
		SickRegisteredOn: s.SickRegistered, RecoveryRegisteredOn: s.RecoveryRegistered})
	if err != nil {
		return fmt.Errorf("recovery notification: %w", err)
	}
	rows, err := tx.Query(ctx, `UPDATE subscriptions SET notified_at = now() WHERE absence_id = $1 AND notified_at IS NULL RETURNING subscriber`, absenceID)
	if err != nil {
		return fmt.Errorf("claim subscriptions: %w", err)
	}
	var subs []string
	for rows.Next() {
		var sub string
		if err := rows.Scan(&sub); err != nil {
			rows.Close()
			return fmt.Errorf("read subscription: %w", err)
		}
		subs = append(subs, sub)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read subscriptions: %w", err)
	}
	for _, sub := range subs {
		if _, err := tx.Emit(ctx, events.DeliveryRequested, absenceID, events.DeliveryRequest{
			ItemID: "dfdg-recovery/" + absenceID + "/" + sub, Recipient: sub, Kind: events.DfdgRecoveryKind, CaseRef: absenceID, Payload: payload,
		}); err != nil {
			return err
		}
	}
	return nil
}
