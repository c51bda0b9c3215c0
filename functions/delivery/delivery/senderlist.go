package delivery

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// NextAction is what the sender should do next about an absence, as a
// stable code with the text in Danish and English.
type NextAction struct {
	// Code is "resubmit" (the submission was rejected: see Reasons),
	// "deadline" (the recipient or the rules set a deadline: see
	// NextDeadline), "follow-up" (the absence is open: report recovery or
	// ask refusion for the next period), "await" (the municipality has the
	// case) or "none".
	Code string `json:"code"`
	Da   string `json:"da"`
	En   string `json:"en"`
}

// Person is who an absence is about, as the sender's list shows it: the
// name from CPR (empty while the registers cannot tell it) and the masked
// CPR number.
type Person struct {
	Name      string `json:"name"`
	CPRMasked string `json:"cprMasked"`
}

// AbsenceSummary is one row of the sender's work list: an absence (what
// was sent, the case at the recipient, the next deadline and the next
// action) or a submission the rules rejected (Status "rejected", with the
// reasons). Person makes the list a read of personal data: each list that
// shows one is recorded in the ledger.
type AbsenceSummary struct {
	// AbsenceID is the absence (stream, case); for a rejection the one it
	// names, which may be empty.
	AbsenceID string `json:"absenceId"`
	Recipient string `json:"recipient"`
	// RecipientName is "Københavns Kommune" or "Udbetaling Danmark".
	RecipientName string `json:"recipientName,omitempty"`
	// Blanket is the event type of the first report; Receipt its receipt
	// number; Kind the delivery kind (e.g. "sickness.report").
	Blanket         string    `json:"blanket,omitempty"`
	Receipt         string    `json:"receipt,omitempty"`
	Kind            string    `json:"kind"`
	Person          *Person   `json:"person,omitempty"`
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
	// Reasons are why a rejected submission was refused.
	Reasons events.FieldErrors `json:"reasons,omitempty"`
	// NextDeadline is the earliest deadline from today on, if any.
	NextDeadline *DeadlineView `json:"nextDeadline,omitempty"`
	NextAction   NextAction    `json:"nextAction"`
}

// AbsenceList is the answer to GET /api/v1/feedback/absences.
type AbsenceList struct {
	CVR      string           `json:"cvr"`
	Absences []AbsenceSummary `json:"absences"`
	// Total is the number of rows that match; Offset and Limit the page.
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
	// More is true when rows after this page match.
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

// Limits of the list.
const (
	defaultListLimit = 50
	maxListLimit     = 500
	maxCSVRows       = 10000
	maxDeadlineDays  = 366
)

// listSorts are the sort orders of the list, as SQL.
var listSorts = map[string]string{
	"-sentAt":      "l.sent_at DESC",
	"sentAt":       "l.sent_at ASC",
	"nextDeadline": "nd.due ASC NULLS LAST",
	"name":         "NULLIF(p.name, '') ASC NULLS LAST",
}

var statusPattern = regexp.MustCompile(`^[a-z][a-z-]{1,49}$`)
var cprQuery = regexp.MustCompile(`^[0-9]{1,6}-?[0-9]{0,4}$`)

// listQuery is the list's query parameters, validated.
type listQuery struct {
	q, qDigits string
	statuses   []string
	blanket    string
	within     *int
	sort       string
	offset     int
	limit      int
	csv        bool
}

// parseListQuery validates every parameter and reports all problems at
// once.
func parseListQuery(v url.Values) (listQuery, error) {
	lq := listQuery{sort: "-sentAt", limit: defaultListLimit}
	var fe events.FieldErrors
	lq.q = strings.ToLower(strings.TrimSpace(v.Get("q")))
	if len(lq.q) > 100 {
		fe.Add("q", "too-long", "Søgningen må højst være 100 tegn.", "The search may be at most 100 characters.")
	}
	if cprQuery.MatchString(lq.q) {
		lq.qDigits = strings.ReplaceAll(lq.q, "-", "")
	}
	if s := v.Get("status"); s != "" {
		for st := range strings.SplitSeq(s, ",") {
			st = strings.TrimSpace(st)
			if !statusPattern.MatchString(st) {
				fe.Add("status", "unknown-status", "Status er ugyldig.", "The status is not valid.")
				break
			}
			lq.statuses = append(lq.statuses, st)
		}
	}
	if b := v.Get("blanket"); b != "" {
		if _, ok := events.BlanketOf(b); !ok {
			fe.Add("blanket", "unknown-blanket", "Blanketten findes ikke.", "The form does not exist.")
		}
		lq.blanket = b
	}
	if s := v.Get("deadlineWithin"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > maxDeadlineDays {
			fe.Add("deadlineWithin", "range", "deadlineWithin skal være et antal dage mellem 0 og 366.", "deadlineWithin must be a number of days from 0 to 366.")
		}
		lq.within = &n
	}
	if s := v.Get("sort"); s != "" {
		if _, ok := listSorts[s]; !ok {
			fe.Add("sort", "unknown-sort", "Sorteringen skal være -sentAt, sentAt, nextDeadline eller name.", "The sort must be -sentAt, sentAt, nextDeadline or name.")
		}
		lq.sort = s
	}
	readPage(v, &fe, &lq.offset, &lq.limit, maxListLimit)
	switch v.Get("format") {
	case "", "json":
	case "csv":
		lq.csv, lq.offset, lq.limit = true, 0, maxCSVRows
	default:
		fe.Add("format", "unknown-format", "Formatet skal være json eller csv.", "The format must be json or csv.")
	}
	if len(fe) > 0 {
		return lq, runtime.Invalid(fe)
	}
	return lq, nil
}

// listSQL is the sender's work list: per absence the first and the newest
// item the CVR sent and the feedback loop where there is one, and per
// rejected submission a row of its own; the person, the next deadline
// from $2 on, and the filters ($3 search, $4 CPR digits, $5 statuses, $6
// blanket, $7 days). Items name their sender "cvr:<cvr>" (older ones the
// bare CVR). %s is the select list.
const listSQL = `WITH mine AS (
		SELECT case_ref, recipient, kind, payload, created_at, seq FROM items WHERE sender IN ($1, 'cvr:' || $1)
	), firsts AS (
		SELECT DISTINCT ON (case_ref) * FROM mine ORDER BY case_ref, created_at, seq
	), lasts AS (
		SELECT DISTINCT ON (case_ref) case_ref, payload FROM mine ORDER BY case_ref, created_at DESC, seq DESC
	), counts AS (
		SELECT case_ref, count(*) AS n FROM mine GROUP BY case_ref
	), listed AS (
		SELECT fi.case_ref AS absence_id, fi.recipient, fi.kind, COALESCE(fi.payload->>'blanket', '') AS blanket, COALESCE(fi.payload->>'receipt', '') AS receipt,
			COALESCE(fi.payload->'submission'->>'firstAbsenceDay', '') AS first_day, fi.created_at AS sent_at,
			COALESCE(la.payload->>'status', '') AS state, COALESCE(la.payload->'result'->>'lastAbsenceDay', la.payload->'submission'->>'lastAbsenceDay', '') AS last_day,
			c.n::int AS n, a.absence_id IS NOT NULL AS feedback, COALESCE(a.case_number, '') AS case_number, COALESCE(a.status, 'delivered') AS status,
			COALESCE(a.status_at, fi.created_at) AS status_at,
			(SELECT count(*) FROM decisions d WHERE d.absence_id = fi.case_ref)::int AS decisions,
			(SELECT COALESCE(sum(amount_ore), 0) FROM payments pm WHERE pm.absence_id = fi.case_ref)::bigint AS paid_ore,
			NULL::jsonb AS reasons
		FROM firsts fi JOIN lasts la USING (case_ref) JOIN counts c USING (case_ref)
		LEFT JOIN feedback_loops a ON a.absence_id = fi.case_ref
		UNION ALL
		SELECT r.absence_id, '', '', r.blanket, r.receipt, r.first_day, r.at, '', r.last_day, 1, false, '', 'rejected', r.at, 0, 0::bigint, r.reasons
		FROM rejections r WHERE r.sender_cvr = $1
	)
	SELECT %s
	FROM listed l
	LEFT JOIN absence_persons p ON p.absence_id = l.absence_id AND l.absence_id <> ''
	LEFT JOIN LATERAL (SELECT d.kind, d.due, d.text_da, d.text_en, d.source FROM deadlines d
		WHERE d.absence_id = l.absence_id AND l.status <> 'rejected' AND d.due >= $2::date ORDER BY d.due, d.kind LIMIT 1) nd ON true
	WHERE ($3 = '' OR strpos(lower(COALESCE(p.name, '')), $3) > 0 OR strpos(lower(l.receipt), $3) > 0 OR ($4 <> '' AND strpos(COALESCE(p.cpr, ''), $4) > 0))
		AND (cardinality($5::text[]) = 0 OR l.status = ANY($5::text[]))
		AND ($6 = '' OR l.blanket = $6)
		AND ($7::int IS NULL OR nd.due <= $2::date + $7::int)`

const listColumns = `l.absence_id, l.recipient, l.kind, l.blanket, l.receipt, l.first_day, l.sent_at, l.state, l.last_day, l.n, l.feedback,
	l.case_number, l.status, l.status_at, l.decisions, l.paid_ore, l.reasons, COALESCE(p.cpr, ''), COALESCE(p.name, ''),
	COALESCE(nd.kind, ''), COALESCE(to_char(nd.due, 'YYYY-MM-DD'), ''), COALESCE(nd.text_da, ''), COALESCE(nd.text_en, ''), COALESCE(nd.source, ''),
	count(*) OVER ()`

// senderList answers GET /api/v1/feedback/absences: the CVR's work list
// (the absences it sent and its rejected submissions), searched, filtered,
// sorted and paged (parseListQuery), as JSON or CSV. Principals that are
// not senders get 403.
func (f *Function) senderList(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	cvr := senderCVR(p)
	if !authorize(p, actSender, cvr) {
		auth.Deny(w, r, f.svc.DB, p, "feedback/absences", "tenant")
		return
	}
	lq, err := parseListQuery(r.URL.Query())
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	ctx := r.Context()
	f.learnNames(ctx, cvr)
	out, err := f.listAbsences(ctx, cvr, lq)
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	// Names and CPR numbers make the list a read of personal data: one
	// read entry per list that shows any, naming the absences shown.
	var shown []string
	for _, s := range out.Absences {
		if s.Person != nil {
			shown = append(shown, s.AbsenceID)
		}
	}
	if len(shown) > 0 {
		e := auth.ReadEntry(p, r, "senders/cvr:"+cvr+"/absences")
		e.Reason, _ = json.Marshal(map[string]any{"method": r.Method, "path": r.URL.Path, "resource": "feedback/absences", "format": map[bool]string{true: "csv", false: "json"}[lq.csv], "absences": shown})
		if _, err := ledger.Append(withoutCancel(r), f.svc.DB, e); err != nil {
			runtime.WriteError(w, fmt.Errorf("record the read of the list: %w", err))
			return
		}
	}
	if lq.csv {
		writeCSV(w, out.Absences)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, out)
}

// listAbsences runs the list query for cvr.
func (f *Function) listAbsences(ctx context.Context, cvr string, lq listQuery) (AbsenceList, error) {
	today := time.Now().Format(time.DateOnly)
	out := AbsenceList{CVR: cvr, Absences: []AbsenceSummary{}, Offset: lq.offset, Limit: lq.limit}
	statuses := lq.statuses
	if statuses == nil {
		statuses = []string{}
	}
	args := []any{cvr, today, lq.q, lq.qDigits, statuses, lq.blanket, lq.within}
	q := fmt.Sprintf(listSQL, listColumns) + " ORDER BY " + listSorts[lq.sort] + ", l.sent_at DESC, l.absence_id, l.receipt OFFSET $8 LIMIT $9"
	rows, err := f.svc.DB.Query(ctx, q, append(args, lq.offset, lq.limit)...)
	if err != nil {
		return out, fmt.Errorf("list absences: %w", err)
	}
	out.Absences, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (AbsenceSummary, error) {
		var s AbsenceSummary
		var n int
		var reasons []byte
		var cpr, name string
		var d DeadlineView
		err := row.Scan(&s.AbsenceID, &s.Recipient, &s.Kind, &s.Blanket, &s.Receipt, &s.FirstAbsenceDay, &s.SentAt,
			&s.State, &s.LastAbsenceDay, &n, &s.Feedback, &s.CaseNumber, &s.Status, &s.StatusAt, &s.Decisions, &s.PaidOre, &reasons,
			&cpr, &name, &d.Kind, &d.Date, &d.TextDa, &d.TextEn, &d.Source, &out.Total)
		if err != nil {
			return s, err
		}
		s.FollowUps = n - 1
		if reasons != nil {
			if err := json.Unmarshal(reasons, &s.Reasons); err != nil {
				return s, fmt.Errorf("decode reasons: %w", err)
			}
			if s.Reasons == nil {
				s.Reasons = events.FieldErrors{}
			}
		}
		if c, err := ids.ParseCPR(cpr); err == nil {
			s.Person = &Person{Name: name, CPRMasked: c.Masked()}
		}
		if rc, err := ids.ParseRecipient(s.Recipient); err == nil {
			s.RecipientName = rc.Name()
		}
		if d.Date != "" {
			s.NextDeadline = &d
		}
		s.NextAction = nextAction(s)
		return s, nil
	})
	if err != nil {
		return out, fmt.Errorf("list absences: %w", err)
	}
	if len(out.Absences) == 0 && lq.offset > 0 {
		// Past the end: the window count saw no row, count apart.
		if err := f.svc.DB.QueryRow(ctx, fmt.Sprintf(listSQL, "count(*)"), args...).Scan(&out.Total); err != nil {
			return out, fmt.Errorf("count absences: %w", err)
		}
	}
	out.More = lq.offset+len(out.Absences) < out.Total
	return out, nil
}

// csvColumns are the columns of the CSV export, in order.
var csvColumns = []string{"receipt", "blanket", "name", "cprMasked", "firstAbsenceDay", "lastAbsenceDay", "status", "recipientName", "nextDeadline", "sentAt"}

// writeCSV writes the rows as text/csv with a header row. Cells that a
// spreadsheet would run as a formula are quoted with a leading
// apostrophe.
func writeCSV(w http.ResponseWriter, rows []AbsenceSummary) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="fravaer.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	_ = cw.Write(csvColumns)
	for _, s := range rows {
		var name, cpr, deadline string
		if s.Person != nil {
			name, cpr = s.Person.Name, s.Person.CPRMasked
		}
		if s.NextDeadline != nil {
			deadline = s.NextDeadline.Date
		}
		rec := []string{s.Receipt, s.Blanket, name, cpr, s.FirstAbsenceDay, s.LastAbsenceDay, s.Status, s.RecipientName, deadline,
			s.SentAt.UTC().Format(time.RFC3339)}
		for i, c := range rec {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				rec[i] = "'" + c
			}
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
}

// nextAction decides what the sender should do next: meet the next
// deadline; otherwise, for an open absence with feedback, report recovery
// or ask refusion for the next period; otherwise wait for the
// municipality, or nothing for a closed case or a blanket without feedback.
func nextAction(s AbsenceSummary) NextAction {
	b, _ := events.BlanketOf(s.Blanket)
	switch {
	case s.Status == "rejected":
		return NextAction{"resubmit", "Ret fejlene og indsend igen.", "Correct the errors and submit again."}
	case s.State == "cancelled":
		return NextAction{"none", "Ingen – fraværet er annulleret.", "None – the absence was cancelled."}
	case s.NextDeadline != nil && !reportDeadlinePassedBy(s):
		return NextAction{"deadline", s.NextDeadline.TextDa, s.NextDeadline.TextEn}
	case !s.Feedback:
		return NextAction{"none", "Ingen – blanketten giver ingen tilbagemelding.", "None – the form has no feedback."}
	case b.Family == events.FamilySickness && s.LastAbsenceDay == "" && s.State != "recovered":
		// Only sickness has these follow-ups (recovery, next period).
		return NextAction{"follow-up", "Meld raskmelding, eller søg refusion for næste periode.", "Report recovery, or request reimbursement for the next period."}
	case s.Status == "paid" || (s.PaidOre > 0 && s.Decisions > 0):
		return NextAction{"none", "Ingen lige nu.", "None right now."}
	case b.Recipient == events.ToUDK:
		return NextAction{"await", "Afvent Udbetaling Danmarks behandling.", "Wait for Udbetaling Danmark."}
	}
	return NextAction{"await", "Afvent kommunens behandling.", "Wait for the municipality."}
}

// readPage reads a paged list's offset and limit parameters into offset
// and limit (left as they are when absent), with a field error for a value
// out of range (the limit from 1 to max).
func readPage(v url.Values, fe *events.FieldErrors, offset, limit *int, max int) {
	if s := v.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 1_000_000 {
			fe.Add("offset", "range", "offset skal være et tal fra 0.", "offset must be a number from 0.")
		}
		*offset = n
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > max {
			fe.Add("limit", "range", fmt.Sprintf("limit skal være mellem 1 og %d.", max), fmt.Sprintf("limit must be between 1 and %d.", max))
		}
		*limit = n
	}
}
