package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// The caseworkers' inbox (issue 20): the recipient's items grouped per
// absence, newest first, with the person (name from CPR, CPR number), the
// sender's company name (CVR) and whether the caller has opened each item
// (a read entry in the ledger, written by openItem), filtered by kind,
// received date and read state and paged on the server, so every item of
// a long stream is reachable. The case systems' fetch (GET
// /api/v1/deliveries/{recipient}) reads in stream order from a cursor;
// the web inbox used to page through it from the start and show the last
// 200 of the first 20,000 items, so new items vanished once a stream grew.

// InboxPerson is who an absence is about, as the recipient's caseworker
// sees it: the full CPR number (it is their case) and the name from CPR
// (empty while the registers cannot tell it).
type InboxPerson struct {
	CPR  string `json:"cpr"`
	Name string `json:"name"`
}

// InboxItem is one item of an absence in the inbox, without its payload
// (open it for that).
type InboxItem struct {
	ItemID    string    `json:"itemId"`
	Seq       int64     `json:"seq"`
	Kind      string    `json:"kind"`
	CreatedAt time.Time `json:"createdAt"`
	// Sender is the item's sender ("cvr:<cvr>", "cpr:<masked>", …);
	// SenderName the company's name from CVR when the sender is a CVR.
	Sender     string `json:"sender"`
	SenderName string `json:"senderName,omitempty"`
	// Blanket and Receipt name the submission of a blanket item.
	Blanket string `json:"blanket,omitempty"`
	Receipt string `json:"receipt,omitempty"`
	// Task is the task a citizen's answer (kind citizen.answer) answers,
	// e.g. "information-form".
	Task      string `json:"task,omitempty"`
	Documents int    `json:"documents"`
	// Read is true when the caller has opened the item.
	Read bool `json:"read"`
}

// InboxAbsence is one absence of the inbox with its items that match the
// filters, newest first.
type InboxAbsence struct {
	AbsenceID string       `json:"absenceId"`
	Person    *InboxPerson `json:"person,omitempty"`
	NewestAt  time.Time    `json:"newestAt"`
	Unread    int          `json:"unread"`
	Items     []InboxItem  `json:"items"`
}

// Inbox is the answer to GET /api/v1/deliveries/{recipient}/inbox.
type Inbox struct {
	Recipient     string         `json:"recipient"`
	RecipientName string         `json:"recipientName"`
	Absences      []InboxAbsence `json:"absences"`
	// Total is the number of absences that match, Items the number of
	// their matching items; Offset and Limit the page (in absences).
	Total  int  `json:"total"`
	Items  int  `json:"items"`
	Offset int  `json:"offset"`
	Limit  int  `json:"limit"`
	More   bool `json:"more"`
}

// Limits of the inbox.
const (
	defaultInboxLimit = 20
	maxInboxLimit     = 100
	// maxInboxItemsPerAbsence bounds the items listed under one absence
	// (an absence with more says so by its count).
	maxInboxItemsPerAbsence = 200
)

var inboxKind = regexp.MustCompile(`^[a-z][a-z0-9.-]{1,79}$`)

// inboxQuery is the inbox's query parameters, validated.
type inboxQuery struct {
	kind     string
	from, to *time.Time
	read     string // "", "read" or "unread"
	offset   int
	limit    int
}

// parseInboxQuery validates every parameter and reports all problems at
// once, in Danish and English.
func parseInboxQuery(v url.Values) (inboxQuery, error) {
	q := inboxQuery{limit: defaultInboxLimit}
	var fe events.FieldErrors
	if k := strings.TrimSpace(v.Get("kind")); k != "" {
		if !inboxKind.MatchString(k) {
			fe.Add("kind", "unknown-kind", "Typen er ugyldig.", "The type is not valid.")
		}
		q.kind = k
	}
	day := func(name, da, en string) *time.Time {
		s := strings.TrimSpace(v.Get(name))
		if s == "" {
			return nil
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			fe.Add(name, "date", da, en)
			return nil
		}
		return &d
	}
	q.from = day("from", "Fra-datoen skal være en dato (ÅÅÅÅ-MM-DD).", "The from date must be a date (YYYY-MM-DD).")
	q.to = day("to", "Til-datoen skal være en dato (ÅÅÅÅ-MM-DD).", "The to date must be a date (YYYY-MM-DD).")
	if q.from != nil && q.to != nil && q.to.Before(*q.from) {
		fe.Add("to", "before-from", "Til-datoen må ikke være før fra-datoen.", "The to date must not be before the from date.")
	}
	switch r := v.Get("read"); r {
	case "", "read", "unread":
		q.read = r
	default:
		fe.Add("read", "unknown-read", "Læst skal være read eller unread.", "read must be read or unread.")
	}
	readPage(v, &fe, &q.offset, &q.limit, maxInboxLimit)
	if len(fe) > 0 {
		return q, runtime.Invalid(fe)
	}
	return q, nil
}

// inboxSQL selects the recipient's items ($1) with whether actor $2 has
// opened each (a read entry in the absence's reads stream naming the
// item, or for entries written before openItem named it, its path $3 +
// item id), filtered by kind $4, received day (Danish time) from $5 to $6
// and read state $7. %s is what is selected from the matching items m.
const inboxSQL = `WITH m AS (
		SELECT i.case_ref, i.seq, i.item_id, i.kind, i.created_at, i.sender, COALESCE(i.payload->>'blanket', '') AS blanket,
			COALESCE(i.payload->>'receipt', '') AS receipt, cardinality(i.document_refs) AS docs,
			CASE WHEN i.kind = 'citizen.answer' THEN COALESCE(i.payload->>'kind', '') ELSE '' END AS task,
			COALESCE(i.payload->'submission'->>'cpr', i.payload->>'cpr', '') AS cpr,
			EXISTS (SELECT 1 FROM ledger.entries e WHERE e.stream = 'reads/' || i.case_ref AND e.actor = $2 AND e.event_type = '` + auth.EventAccessRead + `'
				AND (e.reason->>'itemId' = i.item_id OR e.reason->>'path' = $3 || i.item_id)) AS read
		FROM items i
		WHERE i.recipient = $1 AND ($4 = '' OR i.kind = $4)
			AND ($5::date IS NULL OR (i.created_at AT TIME ZONE 'Europe/Copenhagen')::date >= $5::date)
			AND ($6::date IS NULL OR (i.created_at AT TIME ZONE 'Europe/Copenhagen')::date <= $6::date)
	), f AS (
		SELECT * FROM m WHERE $7 = '' OR read = ($7 = 'read')
	)
	%s`

// inboxGroups pages the absences, the one with the newest item first.
const inboxGroups = `SELECT g.case_ref, g.newest, g.unread, COALESCE(p.cpr, g.cpr, ''), COALESCE(p.name, ''), p.name_at IS NOT NULL,
		count(*) OVER (), sum(g.n) OVER ()
	FROM (SELECT case_ref, max(seq) AS top, max(created_at) AS newest, count(*) FILTER (WHERE NOT read)::int AS unread, count(*) AS n,
			max(NULLIF(cpr, '')) AS cpr
		FROM f GROUP BY case_ref) g
	LEFT JOIN absence_persons p ON p.absence_id = g.case_ref
	ORDER BY g.top DESC OFFSET $8 LIMIT $9`

// inboxItems are the matching items of the absences $8, newest first.
const inboxItems = `SELECT case_ref, item_id, seq, kind, created_at, sender, blanket, receipt, task, docs, read FROM (
		SELECT *, row_number() OVER (PARTITION BY case_ref ORDER BY seq DESC) AS k FROM f WHERE case_ref = ANY($8::text[])) x
	WHERE k <= $9 ORDER BY seq DESC`

// inbox answers GET /api/v1/deliveries/{recipient}/inbox: the recipient's
// absences with their items, newest first (parseInboxQuery). Another
// authority's inbox is answered 404, as one that does not exist. The
// names and CPR numbers make the page a read of personal data: one read
// entry per page that shows an absence, naming them. The items are not
// opened by listing them (their read state does not change).
func (f *Function) inbox(w http.ResponseWriter, r *http.Request) {
	p, rcpt := principal(r), r.PathValue("recipient")
	if !authorize(p, actStream, rcpt) {
		f.hide(w, r, p, "deliveries/"+rcpt+"/inbox")
		return
	}
	q, err := parseInboxQuery(r.URL.Query())
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	ctx := r.Context()
	out, err := f.listInbox(ctx, rcpt, auth.ReadEntry(p, r, "").Actor, q)
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	if len(out.Absences) > 0 {
		shown := make([]string, len(out.Absences))
		for i, a := range out.Absences {
			shown[i] = a.AbsenceID
		}
		e := auth.ReadEntry(p, r, "recipients/"+rcpt+"/inbox")
		e.Reason, _ = json.Marshal(map[string]any{"method": r.Method, "path": r.URL.Path, "resource": "deliveries/" + rcpt + "/inbox", "absences": shown})
		if _, err := ledger.Append(withoutCancel(r), f.svc.DB, e); err != nil {
			runtime.WriteError(w, fmt.Errorf("record the read of the inbox: %w", err))
			return
		}
	}
	runtime.WriteJSON(w, http.StatusOK, out)
}

// itemPathPrefix is the path of rcpt's items before the item id (openItem
// recorded it as the read's path before it named the item).
func itemPathPrefix(rcpt string) string { return "/api/v1/deliveries/" + rcpt + "/items/" }

// listInbox runs the inbox query for rcpt as actor.
func (f *Function) listInbox(ctx context.Context, rcpt, actor string, q inboxQuery) (Inbox, error) {
	out := Inbox{Recipient: rcpt, Absences: []InboxAbsence{}, Offset: q.offset, Limit: q.limit}
	if rc, err := ids.ParseRecipient(rcpt); err == nil {
		out.RecipientName = rc.Name()
	}
	args := []any{rcpt, actor, itemPathPrefix(rcpt), q.kind, q.from, q.to, q.read}
	rows, err := f.svc.DB.Query(ctx, fmt.Sprintf(inboxSQL, inboxGroups), append(args, q.offset, q.limit)...)
	if err != nil {
		return out, fmt.Errorf("list inbox: %w", err)
	}
	byID := map[string]int{}
	unnamed := map[string]string{}
	out.Absences, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (InboxAbsence, error) {
		var a InboxAbsence
		var cpr, name string
		var named bool
		var items int64
		if err := row.Scan(&a.AbsenceID, &a.NewestAt, &a.Unread, &cpr, &name, &named, &out.Total, &items); err != nil {
			return a, err
		}
		out.Items = int(items)
		if c, err := ids.ParseCPR(cpr); err == nil {
			a.Person = &InboxPerson{CPR: c.String(), Name: name}
			if !named {
				unnamed[a.AbsenceID] = c.String()
			}
		}
		a.Items = []InboxItem{}
		return a, nil
	})
	if err != nil {
		return out, fmt.Errorf("list inbox: %w", err)
	}
	if len(out.Absences) == 0 {
		if q.offset > 0 {
			// Past the end: the window count saw no row, count apart.
			var items int64
			if err := f.svc.DB.QueryRow(ctx, fmt.Sprintf(inboxSQL, `SELECT count(DISTINCT case_ref), count(*) FROM f`), args...).Scan(&out.Total, &items); err != nil {
				return out, fmt.Errorf("count inbox: %w", err)
			}
			out.Items = int(items)
		}
		return out, nil
	}
	absences := make([]string, len(out.Absences))
	for i, a := range out.Absences {
		absences[i], byID[a.AbsenceID] = a.AbsenceID, i
	}
	rows, err = f.svc.DB.Query(ctx, fmt.Sprintf(inboxSQL, inboxItems), append(args, absences, maxInboxItemsPerAbsence)...)
	if err != nil {
		return out, fmt.Errorf("list inbox items: %w", err)
	}
	senders := map[string]bool{}
	for rows.Next() {
		var absence string
		var it InboxItem
		if err := rows.Scan(&absence, &it.ItemID, &it.Seq, &it.Kind, &it.CreatedAt, &it.Sender, &it.Blanket, &it.Receipt, &it.Task, &it.Documents, &it.Read); err != nil {
			rows.Close()
			return out, fmt.Errorf("scan inbox item: %w", err)
		}
		it.CreatedAt = it.CreatedAt.UTC()
		senders[it.Sender] = true
		a := &out.Absences[byID[absence]]
		a.Items = append(a.Items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("list inbox items: %w", err)
	}
	if len(unnamed) > 0 {
		names := f.personNames(ctx, unnamed)
		for i := range out.Absences {
			if n, ok := names[out.Absences[i].AbsenceID]; ok && out.Absences[i].Person != nil {
				out.Absences[i].Person.Name = n
			}
		}
	}
	companies := f.companyNames(ctx, senders)
	for i := range out.Absences {
		for j := range out.Absences[i].Items {
			it := &out.Absences[i].Items[j]
			it.SenderName = companies[it.Sender]
		}
	}
	out.More = q.offset+len(out.Absences) < out.Total
	return out, nil
}

// personNames learns the names of the persons of the absences (absence →
// CPR) whose name is not known yet: the absence's person is stored (an
// absence only citizens' items named has none yet) and the registers are
// asked (lookupNames). It returns the names known afterwards.
func (f *Function) personNames(ctx context.Context, absences map[string]string) map[string]string {
	out := map[string]string{}
	var cprs []string
	seen := map[string]bool{}
	for a, cpr := range absences {
		if _, err := f.svc.DB.Exec(ctx, `INSERT INTO absence_persons (absence_id, cpr) VALUES ($1, $2) ON CONFLICT DO NOTHING`, a, cpr); err != nil {
			f.svc.Log.WarnContext(ctx, "person of absence not stored", "err", err.Error())
			return out
		}
		if !seen[cpr] {
			seen[cpr] = true
			cprs = append(cprs, cpr)
		}
	}
	f.lookupNames(ctx, cprs)
	ids := make([]string, 0, len(absences))
	for a := range absences {
		ids = append(ids, a)
	}
	rows, err := f.svc.DB.Query(ctx, `SELECT absence_id, name FROM absence_persons WHERE absence_id = ANY($1::text[])`, ids)
	if err != nil {
		f.svc.Log.WarnContext(ctx, "names not read", "err", err.Error())
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var a, n string
		if rows.Scan(&a, &n) == nil {
			out[a] = n
		}
	}
	return out
}

// companyTTL is how long a company's name from CVR is kept.
const companyTTL = time.Hour

type companyName struct {
	name string
	at   time.Time
}

// companyCache keeps the names of senders' companies from CVR.
type companyCache struct {
	mu    sync.Mutex
	names map[string]companyName
}

// companyNames returns the CVR name of each sender that is a company
// ("cvr:<cvr>" or a bare CVR number), from the cache or the registers; a
// register outage leaves the name out (the page shows the CVR number).
func (f *Function) companyNames(ctx context.Context, senders map[string]bool) map[string]string {
	out := map[string]string{}
	if f.companies == nil {
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	for s := range senders {
		cvr, err := ids.ParseCVR(strings.TrimPrefix(s, "cvr:"))
		if err != nil {
			continue
		}
		f.cvrNames.mu.Lock()
		c, ok := f.cvrNames.names[cvr.String()]
		f.cvrNames.mu.Unlock()
		if ok && time.Since(c.at) < companyTTL {
			out[s] = c.name
			continue
		}
		co, err := f.companies.Company(ctx, cvr)
		if err != nil {
			continue
		}
		f.cvrNames.mu.Lock()
		if f.cvrNames.names == nil {
			f.cvrNames.names = map[string]companyName{}
		}
		f.cvrNames.names[cvr.String()] = companyName{co.Name, time.Now()}
		f.cvrNames.mu.Unlock()
		out[s] = co.Name
	}
	return out
}

// itemView is one item as openItem answers it: the item as the case
// systems receive it, and for the caseworker the person and the sender's
// company name.
type itemView struct {
	events.DeliveryItemData
	Person     *InboxPerson `json:"person,omitempty"`
	SenderName string       `json:"senderName,omitempty"`
}

// viewOf adds the person (absence_persons, or the item's own CPR) and the
// sender's company name to it.
func (f *Function) viewOf(ctx context.Context, it item) itemView {
	v := itemView{DeliveryItemData: it.DeliveryItemData}
	var cpr, name string
	var named bool
	err := f.svc.DB.QueryRow(ctx, `SELECT cpr, name, name_at IS NOT NULL FROM absence_persons WHERE absence_id = $1`, it.CaseRef).Scan(&cpr, &name, &named)
	if err != nil && !isNoRows(err) {
		f.svc.Log.WarnContext(ctx, "person of item not read", "err", err.Error())
	}
	if cpr == "" {
		var p struct {
			CPR        string `json:"cpr"`
			Submission struct {
				CPR string `json:"cpr"`
			} `json:"submission"`
		}
		_ = json.Unmarshal(it.Payload, &p)
		cpr = p.Submission.CPR
		if cpr == "" {
			cpr = p.CPR
		}
	}
	if c, err := ids.ParseCPR(cpr); err == nil {
		v.Person = &InboxPerson{CPR: c.String(), Name: name}
		if !named {
			v.Person.Name = f.personNames(ctx, map[string]string{it.CaseRef: c.String()})[it.CaseRef]
		}
	}
	v.SenderName = f.companyNames(ctx, map[string]bool{it.Sender: true})[it.Sender]
	return v
}
