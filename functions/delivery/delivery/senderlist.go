package delivery

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// NextAction is what the sender should do next about an absence, as a
// stable code with the text in Danish and English.
type NextAction struct {
	// Code is "deadline" (the recipient or the rules set a deadline: see
	// NextDeadline), "follow-up" (the absence is open: report recovery or
	// ask refusion for the next period), "await" (the municipality has the
	// case) or "none".
	Code string `json:"code"`
	Da   string `json:"da"`
	En   string `json:"en"`
}

// AbsenceSummary is one absence in the sender's list: what was sent, the
// case at the recipient, the next deadline and the next action. It holds
// no personal data (no CPR number or name): the list is not a read of
// personal data; opening one absence (GET …/absences/{id}) is.
type AbsenceSummary struct {
	AbsenceID string `json:"absenceId"`
	Recipient string `json:"recipient"`
	// Blanket is the event type of the first report; Receipt its receipt
	// number; Kind the delivery kind (e.g. "sickness.report").
	Blanket         string    `json:"blanket,omitempty"`
	Receipt         string    `json:"receipt,omitempty"`
	Kind            string    `json:"kind"`
	FirstAbsenceDay string    `json:"firstAbsenceDay,omitempty"`
	LastAbsenceDay  string    `json:"lastAbsenceDay,omitempty"`
	SentAt          time.Time `json:"sentAt"`
	// State is the absence as the sender reported it ("reported",
	// "recovered", "cancelled", …, from the newest report's result).
	State string `json:"state,omitempty"`
	// FollowUps counts the reports after the first (periods, recovery,
	// corrections, cancellation).
	FollowUps int `json:"followUps"`
	// Feedback is true for blankets with feedback to the sender; only
	// those have a case view.
	Feedback   bool      `json:"feedback"`
	CaseNumber string    `json:"caseNumber,omitempty"`
	Status     string    `json:"status"`
	StatusAt   time.Time `json:"statusAt"`
	Decisions  int       `json:"decisions"`
	PaidOre    int64     `json:"paidOre"`
	// NextDeadline is the earliest deadline from today on, if any.
	NextDeadline *DeadlineView `json:"nextDeadline,omitempty"`
	NextAction   NextAction    `json:"nextAction"`
}

// AbsenceList is the answer to GET /api/v1/feedback/absences.
type AbsenceList struct {
	CVR      string           `json:"cvr"`
	Absences []AbsenceSummary `json:"absences"`
	// More is true when there were more absences than the limit.
	More bool `json:"more"`
}

// senderCVR is the CVR a principal sends as: the company in its tenant
// ("cvr:<cvr>"), or "" for principals that send nothing.
func senderCVR(p auth.Principal) string {
	cvr, _ := strings.CutPrefix(p.Tenant(), "cvr:")
	if cvr == p.Tenant() {
		return ""
	}
	return cvr
}

// senderList answers GET /api/v1/feedback/absences?limit=: the absences the
// CVR in the caller's token sent (newest first), each with the case at the
// recipient, the next deadline and the next action. Principals that are
// not senders get 403.
func (f *Function) senderList(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	cvr := senderCVR(p)
	if !authorize(p, actSender, cvr) {
		auth.Deny(w, r, f.svc.DB, p, "feedback/absences", "tenant")
		return
	}
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			runtime.WriteError(w, fail(runtime.KindInvalid, "limit", "limit skal være mellem 1 og 500.", "limit must be between 1 and 500."))
			return
		}
		limit = n
	}
	ctx := r.Context()
	today := time.Now().Format(time.DateOnly)
	out := AbsenceList{CVR: cvr, Absences: []AbsenceSummary{}}
	// The first and the newest item the CVR sent per absence, and the
	// feedback loop where there is one. Items name their sender "cvr:<cvr>"
	// (older ones the bare CVR).
	rows, err := f.svc.DB.Query(ctx, `WITH mine AS (
			SELECT case_ref, recipient, kind, payload, created_at, seq FROM items WHERE sender IN ($1, 'cvr:' || $1)
		), firsts AS (
			SELECT DISTINCT ON (case_ref) * FROM mine ORDER BY case_ref, created_at, seq
		), lasts AS (
			SELECT DISTINCT ON (case_ref) case_ref, payload FROM mine ORDER BY case_ref, created_at DESC, seq DESC
		), counts AS (
			SELECT case_ref, count(*) AS n FROM mine GROUP BY case_ref
		)
		SELECT fi.case_ref, fi.recipient, fi.kind, COALESCE(fi.payload->>'blanket', ''), COALESCE(fi.payload->>'receipt', ''),
			COALESCE(fi.payload->'submission'->>'firstAbsenceDay', ''), fi.created_at,
			COALESCE(la.payload->>'status', ''), COALESCE(la.payload->'result'->>'lastAbsenceDay', la.payload->'submission'->>'lastAbsenceDay', ''),
			c.n, a.absence_id IS NOT NULL, COALESCE(a.case_number, ''), COALESCE(a.status, 'delivered'), COALESCE(a.status_at, fi.created_at),
			(SELECT count(*) FROM decisions d WHERE d.absence_id = fi.case_ref),
			(SELECT COALESCE(sum(amount_ore), 0)::bigint FROM payments pm WHERE pm.absence_id = fi.case_ref)
		FROM firsts fi JOIN lasts la USING (case_ref) JOIN counts c USING (case_ref)
		LEFT JOIN feedback_loops a ON a.absence_id = fi.case_ref
		ORDER BY fi.created_at DESC, fi.case_ref
		LIMIT $2`, cvr, limit+1)
	if err != nil {
		runtime.WriteError(w, fmt.Errorf("list absences: %w", err))
		return
	}
	out.Absences, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (AbsenceSummary, error) {
		var s AbsenceSummary
		var n int
		err := row.Scan(&s.AbsenceID, &s.Recipient, &s.Kind, &s.Blanket, &s.Receipt, &s.FirstAbsenceDay, &s.SentAt,
			&s.State, &s.LastAbsenceDay, &n, &s.Feedback, &s.CaseNumber, &s.Status, &s.StatusAt, &s.Decisions, &s.PaidOre)
		s.FollowUps = n - 1
		return s, err
	})
	if err != nil {
		runtime.WriteError(w, fmt.Errorf("list absences: %w", err))
		return
	}
	if len(out.Absences) > limit {
		out.Absences, out.More = out.Absences[:limit], true
	}
	ids := make([]string, len(out.Absences))
	for i, s := range out.Absences {
		ids[i] = s.AbsenceID
	}
	next := map[string]DeadlineView{}
	rows, err = f.svc.DB.Query(ctx, `SELECT DISTINCT ON (absence_id) absence_id, kind, to_char(due, 'YYYY-MM-DD'), text_da, text_en, source
		FROM deadlines WHERE absence_id = ANY($1) AND due >= $2::date ORDER BY absence_id, due, kind`, ids, today)
	if err != nil {
		runtime.WriteError(w, fmt.Errorf("read deadlines: %w", err))
		return
	}
	for rows.Next() {
		var id string
		var d DeadlineView
		if err := rows.Scan(&id, &d.Kind, &d.Date, &d.TextDa, &d.TextEn, &d.Source); err != nil {
			rows.Close()
			runtime.WriteError(w, fmt.Errorf("read deadlines: %w", err))
			return
		}
		next[id] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		runtime.WriteError(w, fmt.Errorf("read deadlines: %w", err))
		return
	}
	for i := range out.Absences {
		s := &out.Absences[i]
		if d, ok := next[s.AbsenceID]; ok {
			s.NextDeadline = &d
		}
		s.NextAction = nextAction(*s)
	}
	runtime.WriteJSON(w, http.StatusOK, out)
}

// nextAction decides what the sender should do next: meet the next
// deadline; otherwise, for an open absence with feedback, report recovery
// or ask refusion for the next period; otherwise wait for the
// municipality, or nothing for a closed case or a blanket without feedback.
func nextAction(s AbsenceSummary) NextAction {
	switch {
	case s.State == "cancelled":
		return NextAction{"none", "Ingen – fraværet er annulleret.", "None – the absence was cancelled."}
	case s.NextDeadline != nil:
		return NextAction{"deadline", s.NextDeadline.TextDa, s.NextDeadline.TextEn}
	case !s.Feedback:
		return NextAction{"none", "Ingen – blanketten giver ingen tilbagemelding.", "None – the form has no feedback."}
	case s.LastAbsenceDay == "" && s.State != "recovered":
		return NextAction{"follow-up", "Meld raskmelding, eller søg refusion for næste periode.", "Report recovery, or ask refusion for the next period."}
	case s.Status == "paid" || (s.PaidOre > 0 && s.Decisions > 0):
		return NextAction{"none", "Ingen lige nu.", "None right now."}
	}
	return NextAction{"await", "Afvent kommunens behandling.", "Wait for the municipality."}
}
