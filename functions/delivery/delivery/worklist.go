package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
)

// The sender's work list (issue 18, executive order § 1 stk. 3): senders
// follow their cases, are told of deadlines and see what was refused. The
// blanket functions emit blanket.rejected.v1 for a submission their rules
// refuse after intake gave it a receipt, and blanket.decided.v1 with the
// rules' result; before these handlers nothing consumed them, so a
// rejected report looked received for ever.

// onBlanketRejected stores one row per rejected submission, with the
// reasons as the sender reads them. The key is the receipt number (or the
// event id when there is none), so the same rejection delivered twice is
// stored once.
func (f *Function) onBlanketRejected(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.BlanketRejection) error {
	cvr := events.SenderCVR(in.Sender)
	if cvr == "" {
		// Only CVR tenants have a work list; a rejection for anyone else
		// is not ours to show.
		runtime.Logger(ctx).InfoContext(ctx, "rejection ignored: the sender is not a CVR tenant", "blanket", in.Blanket)
		return nil
	}
	key := in.Receipt
	if key == "" {
		key = "event:" + ev.ID()
	}
	at := ev.Time()
	if at.IsZero() {
		at = time.Now()
	}
	reasons := in.Errors
	if reasons == nil {
		reasons = events.FieldErrors{}
	}
	b, _ := json.Marshal(reasons)
	if _, err := tx.Exec(ctx, `INSERT INTO rejections (key, event_id, sender_cvr, blanket, receipt, absence_id, reasons, at, first_day, last_day)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (key) DO NOTHING`,
		key, ev.ID(), cvr, in.Blanket, in.Receipt, in.CaseID, b, at, in.FirstAbsenceDay, in.LastAbsenceDay); err != nil {
		return fmt.Errorf("store rejection: %w", err)
	}
	if in.CaseID == "" {
		return nil
	}
	// The CPR number the sender itself gave: the row shows it masked and
	// the list finds it by it. No name is looked up for it (learnNames
	// names only absences the sender's items reached a recipient with).
	if cpr, err := ids.ParseCPR(in.CPR); err == nil {
		if _, err := tx.Exec(ctx, `INSERT INTO absence_persons (absence_id, cpr) VALUES ($1, $2) ON CONFLICT DO NOTHING`, in.CaseID, cpr.String()); err != nil {
			return fmt.Errorf("store the rejection's person: %w", err)
		}
	}
	return record(ctx, tx, in.CaseID)
}

// onBlanketDecided keeps the deadline the rules computed for the absence,
// so the list's next deadline is the rules' one: the sickness report's
// deadline for refusion from the day after the employer period
// (sygedagpengeloven § 59, stk. 2: refusionFrom's reportDeadline) and the
// parental request's deadline of the open leave period (barselsloven
// § 39: nextDeadline). A newer decision with a deadline replaces the
// rules' earlier one; a cancellation removes it.
func (f *Function) onBlanketDecided(ctx context.Context, tx *runtime.Tx, _ cloudevents.Event, in events.BlanketDecision) error {
	if in.CaseID == "" {
		return nil
	}
	var d *events.Deadline
	switch r := in.Result.(type) {
	case events.SicknessResult:
		if r.Refusion != nil && r.Refusion.ReportDeadline != "" {
			d = &events.Deadline{Kind: "refusion-report", Date: r.Refusion.ReportDeadline,
				TextDa: "Sidste frist for anmeldelse med refusion fra dagen efter arbejdsgiverperioden (sygedagpengeloven § 59, stk. 2).",
				TextEn: "Last day to report for reimbursement from the day after the employer period (Sickness Benefit Act § 59(2))."}
		}
	case events.ParentalEmployerResult:
		if r.Refusion.NextDeadline != "" {
			d = &events.Deadline{Kind: "refusion-request", Date: r.Refusion.NextDeadline,
				TextDa: "Frist for at søge refusion for den åbne orlovsperiode (barselsloven § 39).",
				TextEn: "Deadline to request reimbursement for the open leave period (Parental Leave Act § 39)."}
		}
	}
	if d == nil && in.Status != "cancelled" {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM deadlines WHERE absence_id = $1 AND source = 'rules'`, in.CaseID); err != nil {
		return fmt.Errorf("replace rules' deadline: %w", err)
	}
	if d != nil && in.Status != "cancelled" {
		if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
			return events.FieldErrors{{Field: "result", Code: "date", Da: "Fristen er ikke en dato.", En: "The deadline is not a date."}}
		}
		if err := addDeadline(ctx, tx, in.CaseID, *d, "rules"); err != nil {
			return err
		}
	}
	return record(ctx, tx, in.CaseID)
}

// storePerson remembers the CPR number of the absence of an item (its
// submission's "cpr"), so the sender's list can search by CPR and show
// the name; the first item of an absence names its person.
func storePerson(ctx context.Context, tx *runtime.Tx, absenceID string, payload json.RawMessage) error {
	var p struct {
		Submission struct {
			CPR string `json:"cpr"`
		} `json:"submission"`
	}
	if json.Unmarshal(payload, &p) != nil || p.Submission.CPR == "" {
		return nil
	}
	cpr, err := ids.ParseCPR(p.Submission.CPR)
	if err != nil {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO absence_persons (absence_id, cpr) VALUES ($1, $2) ON CONFLICT DO NOTHING`, absenceID, cpr.String()); err != nil {
		return fmt.Errorf("store person of absence: %w", err)
	}
	return nil
}

// maxNameLookups bounds the names one list request learns.
const maxNameLookups = 500

// learnNames asks the registers for the names of the persons of cvr's
// absences whose name is not known yet (only the sender's own reports),
// and stores them so the search finds them. A register outage stops the
// round and leaves the names unknown (retried on the next list); an
// unknown person is stored with an empty name and not asked again.
func (f *Function) learnNames(ctx context.Context, cvr string) {
	if f.persons == nil {
		return
	}
	rows, err := f.svc.DB.Query(ctx, `SELECT DISTINCT p.cpr FROM absence_persons p
		WHERE p.name_at IS NULL AND EXISTS (SELECT 1 FROM items i WHERE i.case_ref = p.absence_id AND i.sender IN ($1, 'cvr:' || $1))
		LIMIT $2`, cvr, maxNameLookups)
	if err != nil {
		f.svc.Log.WarnContext(ctx, "names not learnt", "err", err.Error())
		return
	}
	var cprs []string
	for rows.Next() {
		var s string
		if rows.Scan(&s) == nil {
			cprs = append(cprs, s)
		}
	}
	rows.Close()
	f.lookupNames(ctx, cprs)
}

// lookupNames asks the registers for the names of the persons cprs and
// stores them in absence_persons (learnNames; the inbox's personNames).
func (f *Function) lookupNames(ctx context.Context, cprs []string) {
	if f.persons == nil || len(cprs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var (
		mu    sync.Mutex
		found = map[string]string{}
		down  bool
		wg    sync.WaitGroup
		work  = make(chan string)
	)
	for range min(8, len(cprs)) {
		wg.Go(func() {
			for s := range work {
				cpr, err := ids.ParseCPR(s)
				if err != nil {
					continue
				}
				p, err := f.persons.Person(ctx, cpr)
				mu.Lock()
				switch {
				case err == nil:
					found[s] = p.Name
				case errors.Is(err, registers.ErrNotFound):
					found[s] = ""
				default:
					down = true
				}
				mu.Unlock()
			}
		})
	}
	for _, s := range cprs {
		mu.Lock()
		stop := down
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		work <- s
	}
	close(work)
	wg.Wait()
	if down {
		f.svc.Log.WarnContext(ctx, "registers unavailable: names left unknown", "asked", len(cprs), "learnt", len(found))
	}
	for s, name := range found {
		if _, err := f.svc.DB.Exec(context.WithoutCancel(ctx), `UPDATE absence_persons SET name = $2, name_at = now() WHERE cpr = $1 AND name_at IS NULL`, s, name); err != nil {
			f.svc.Log.WarnContext(ctx, "name not stored", "err", err.Error())
			return
		}
	}
}
