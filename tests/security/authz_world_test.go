package security

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/tests/stack"
)

// Persona keys, short.
const (
	pEmployer   = devissuer.PersonaEmployer
	pSeasonal   = devissuer.PersonaEmployerSeasonal
	pSelf       = devissuer.PersonaSelfEmployed
	pAKasse     = devissuer.PersonaAKasse
	pCitizen    = devissuer.PersonaCitizen
	pCitizen2   = devissuer.PersonaCitizenOther
	pProxy      = devissuer.PersonaProxy
	pCW         = devissuer.PersonaCaseworker
	pCWAarhus   = devissuer.PersonaCaseworkerAarhus
	pUDK        = devissuer.PersonaUDKCaseworker
	pAdmin      = devissuer.PersonaAdmin
	pPayroll    = devissuer.PersonaPayrollSystem
	pPayroll2   = devissuer.PersonaPayrollSeasonal
	pCS         = devissuer.PersonaCaseSystem
	pCSAarhus   = devissuer.PersonaCaseSystemAarhus
	pAnonymous  = "" // no token
	authzMaxAge = 60 * time.Second
)

// authzSenders are the personas that send blankets.
var authzSenders = []string{pEmployer, pSeasonal, pSelf, pAKasse, pPayroll, pPayroll2}

// authzPersonas is every persona of the development issuer, then anonymous.
func authzPersonas() []string {
	var out []string
	for _, p := range devissuer.Personas() {
		out = append(out, p.Key)
	}
	return append(out, pAnonymous)
}

// authzRecord is one record of the matrix: an id (and the parts of its
// path), the personas for whom it is their own, and its personal data.
type authzRecord struct {
	Label  string
	ID     string
	Part   string // a second path value (the item of a delivery stream, the task of an absence)
	Extra  string // what else a request needs (the recipient of an absence)
	Owners []string
	// Secrets is personal data of the record: what a persona not
	// entitled to it must never receive.
	Secrets []string
}

func (r *authzRecord) owns(p string) bool {
	for _, o := range r.Owners {
		if o == p {
			return true
		}
	}
	return false
}

// with is a copy of r with other owners (the same data under another route's rule).
func (r *authzRecord) with(owners ...string) *authzRecord {
	c := *r
	c.Owners = owners
	return &c
}

// authzWorld is what the matrix creates at start through the public API.
type authzWorld struct {
	t *testing.T
	// Absences: A by the demo employer for its København employee, C by the
	// demo employer for its Aarhus employee, B by the seasonal employer.
	absA, absB, absC *authzRecord
	// absP is an absence the demo employer opened through a prepared
	// blanket (the waiting function's submit, not intake).
	absP *authzRecord
	// Delivery streams of København, Aarhus and UDK, with one item each
	// (none in UDK's).
	st101, st751, stUDK *authzRecord
	item101, item751    *authzRecord
	prepA, prepB        *authzRecord // prepared blankets of the demo and the seasonal employer
	docA, docB          *authzRecord // uploads: the citizen's for A, the seasonal employer's for B
	lars, mads          *authzRecord // persons in the registers
	missingCPR          string

	// entitled: secret → the personas entitled to see it.
	entitled map[string]map[string]bool
	labels   map[string]string

	mu     sync.Mutex
	tokens map[string]authzToken
	db     *pgxpool.Pool
}

type authzToken struct {
	raw string
	at  time.Time
}

// token returns a fresh-enough token of persona (minted by the stack's
// issuer; shared, re-minted after a minute so signing routes accept it).
func (w *authzWorld) token(p string) string {
	if p == pAnonymous {
		return ""
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if tk, ok := w.tokens[p]; ok && time.Since(tk.at) < authzMaxAge {
		return tk.raw
	}
	raw, err := stack.Issuer().PersonaToken(p)
	if err != nil {
		panic(err)
	}
	w.tokens[p] = authzToken{raw: raw, at: time.Now()}
	return raw
}

// subject is the ledger actor of persona p.
func authzSubject(p string) string {
	pp, _ := devissuer.PersonaByKey(p)
	return pp.Claims.Subject
}

// authzReq is one request of the matrix.
type authzReq struct {
	Method, Path string
	Body         string
	ContentType  string
	Accept       string
}

func (q authzReq) String() string { return q.Method + " " + q.Path }

type authzResp struct {
	Status int
	Type   string
	Body   string
}

// do sends q as p to the public origin (redirects are not followed).
func (w *authzWorld) do(p string, q authzReq) authzResp {
	var rd io.Reader
	if q.Body != "" {
		rd = strings.NewReader(q.Body)
	}
	req, err := http.NewRequest(q.Method, stack.Get().URL()+q.Path, rd)
	if err != nil {
		return authzResp{Status: -1, Body: err.Error()}
	}
	if q.Body != "" {
		ct := q.ContentType
		if ct == "" {
			ct = "application/json"
		}
		req.Header.Set("Content-Type", ct)
	}
	if q.Accept != "" {
		req.Header.Set("Accept", q.Accept)
	}
	if tok := w.token(p); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := authzClient.Do(req)
	if err != nil {
		return authzResp{Status: -1, Body: err.Error()}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	return authzResp{Status: resp.StatusCode, Type: resp.Header.Get("Content-Type"), Body: string(b)}
}

var authzClient = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (r authzResp) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(r.Body), &m)
	return m
}

// eventually polls cond until it holds or d passed.
func authzEventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ledgerEntriesBy counts the ledger entries whose actor is p's subject,
// outside the access-denied stream: a refused write adds none.
func (w *authzWorld) ledgerEntriesBy(p string) int {
	if p == pAnonymous {
		return 0
	}
	var n int
	if err := w.db.QueryRow(context.Background(), `SELECT count(*) FROM ledger.entries WHERE actor = $1 AND stream <> 'access-denied' AND stream NOT LIKE 'reads/%'`, authzSubject(p)).Scan(&n); err != nil {
		w.t.Errorf("count ledger entries: %v", err)
	}
	return n
}

// employerReport is a complete employer's sickness report for person.
func authzEmployerReport(person string, hourly float64) events.SicknessEmployerReport {
	p, _ := synth.PersonaByKey(person)
	return events.SicknessEmployerReport{CPR: p.CPR.String(), CVR: p.CVR.String(), PNumber: p.PNumber.String(),
		FirstAbsenceDay: time.Now().AddDate(0, 0, -12).Format(time.DateOnly), WeeklyHours: 37, WagesPaid: true, HourlyEarnings: hourly,
		EmployedSince: "2018-02-01", Retention: events.Retention{ExpectsReturn: true}, Contact: events.Contact{Name: "Matrix Løn"}}
}

// event is a structured CloudEvent.
func authzEvent(typ, source, partition string, data any) string {
	ev := map[string]any{"specversion": "1.0", "type": typ, "source": source, "id": uuid.NewString(),
		"datacontenttype": "application/json", "data": data}
	if partition != "" {
		ev["partitionkey"] = partition
	}
	b, _ := json.Marshal(ev)
	return string(b)
}

func authzProbe(stream string) string {
	return authzEvent(events.ProbeRequested, "/e2e/authz-matrix", stream, map[string]string{"note": "authz matrix"})
}

// personSecrets is a synthetic person's personal data as the registers
// hold it: the CPR number (both spellings), name and address.
func authzPersonSecrets(t *testing.T, person string) []string {
	p, _ := synth.PersonaByKey(person)
	cpr := p.CPR.String()
	out := []string{cpr, cpr[:6] + "-" + cpr[6:]}
	if ds := stack.Dataset(); ds != nil {
		for _, pr := range ds.Persons {
			if pr.CPR == p.CPR {
				out = append(out, pr.Name)
				if pr.Address.Street != "" {
					out = append(out, pr.Address.Street)
				}
			}
		}
	}
	return out
}

// submitReport posts an employer's report as sender and returns the
// absence id and receipt.
func (w *authzWorld) submitReport(sender, person string, hourly float64) (string, string) {
	w.t.Helper()
	r := w.do(sender, authzReq{Method: "POST", Path: "/api/v1/events", ContentType: "application/cloudevents+json",
		Body: authzEvent(events.SicknessEmployerReported, "/e2e/authz-matrix", "", authzEmployerReport(person, hourly))})
	if r.Status != http.StatusAccepted {
		w.t.Fatalf("setup: %s reports %s: %d %s", sender, person, r.Status, r.Body)
	}
	m := r.json()
	stream, _ := m["stream"].(string)
	receipt, _ := m["receipt"].(string)
	return stream, receipt
}

// itemOf finds the item of absence in recipient's stream (as its reader).
func (w *authzWorld) itemOf(reader, recipient, absence string) string {
	var item string
	authzEventually(40*time.Second, func() bool {
		r := w.do(reader, authzReq{Method: "GET", Path: "/api/v1/deliveries/" + recipient + "?after=0&limit=1000"})
		var page struct {
			Items []events.DeliveryItemData `json:"items"`
		}
		_ = json.Unmarshal([]byte(r.Body), &page)
		for _, it := range page.Items {
			if it.CaseRef == absence {
				item = it.ItemID
				return true
			}
		}
		return false
	})
	return item
}

// prepare holds a blanket for sender and returns its id.
func (w *authzWorld) prepare(sender, typ string, data any, due string) (int, string, string) {
	b, _ := json.Marshal(map[string]any{"type": typ, "data": data, "dueDate": due})
	r := w.do(sender, authzReq{Method: "POST", Path: "/api/v1/prepared", Body: string(b)})
	id, _ := r.json()["id"].(string)
	return r.Status, id, r.Body
}

// authzUploadBody is a multipart upload of a small PDF for absence.
func authzUploadBody(absence, title string) (string, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", title)
	_ = mw.WriteField("absenceId", absence)
	fw, _ := mw.CreateFormFile("file", "dokument.pdf")
	_, _ = fw.Write([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	_ = mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// upload uploads a small PDF for absence as p, once the documents
// function knows the absence's parties (it learns them from the pipeline).
func (w *authzWorld) upload(p, absence string) (int, string) {
	var r authzResp
	authzEventually(30*time.Second, func() bool {
		body, ct := authzUploadBody(absence, "Lægeerklæring (matrix)")
		r = w.do(p, authzReq{Method: "POST", Path: "/api/v1/documents", Body: body, ContentType: ct})
		return r.Status/100 == 2
	})
	id, _ := r.json()["id"].(string)
	return r.Status, id
}

// authzBuildWorld creates the records through the public API as their
// users would, and waits for the pipeline.
func authzBuildWorld(t *testing.T) *authzWorld {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	pool, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	w := &authzWorld{t: t, tokens: map[string]authzToken{}, db: pool, entitled: map[string]map[string]bool{}, labels: map[string]string{}}

	// Absences, with an hourly wage no other record has, so an amount
	// that leaks is recognised.
	idA, rcA := w.submitReport(pEmployer, synth.PersonaEmployee, 215.57)
	idC, rcC := w.submitReport(pEmployer, synth.PersonaNemSMS, 198.31)
	idB, rcB := w.submitReport(pSeasonal, synth.PersonaFailsMonthlyHours, 187.43)
	w.absA = &authzRecord{Label: "absence A (demo employer, København employee)", ID: idA, Extra: "101",
		Owners:  []string{pEmployer, pPayroll, pCitizen, pCW, pCS, pAdmin},
		Secrets: append([]string{idA, rcA, "215.57"}, authzPersonSecrets(t, synth.PersonaEmployee)...)}
	w.absC = &authzRecord{Label: "absence C (demo employer, Aarhus employee)", ID: idC, Extra: "751",
		Owners:  []string{pEmployer, pPayroll, pCWAarhus, pCSAarhus, pAdmin},
		Secrets: append([]string{idC, rcC, "198.31"}, authzPersonSecrets(t, synth.PersonaNemSMS)...)}
	w.absB = &authzRecord{Label: "absence B (seasonal employer)", ID: idB, Extra: "760",
		Owners:  []string{pSeasonal, pPayroll2, pAdmin},
		Secrets: append([]string{idB, rcB, "187.43"}, authzPersonSecrets(t, synth.PersonaFailsMonthlyHours)...)}
	w.lars = &authzRecord{Label: "person Lars (employee of the demo employer, København)", ID: authzPersonSecrets(t, synth.PersonaEmployee)[0],
		Owners: []string{pEmployer, pPayroll, pAKasse, pCitizen, pCW, pCS, pUDK}, Secrets: authzPersonSecrets(t, synth.PersonaEmployee)}
	w.mads = &authzRecord{Label: "person Mads (employee of the seasonal employer)", ID: authzPersonSecrets(t, synth.PersonaFailsMonthlyHours)[0],
		Owners: []string{pSeasonal, pPayroll2, pUDK}, Secrets: authzPersonSecrets(t, synth.PersonaFailsMonthlyHours)}
	w.missingCPR = authzMissingCPR()

	// The pipeline: tasks to the citizen, deliveries to the municipalities.
	if !authzEventually(40*time.Second, func() bool {
		return w.do(pCitizen, authzReq{Method: "GET", Path: "/api/v1/citizen/absences/" + idA}).Status == http.StatusOK
	}) {
		t.Errorf("setup: the citizen's tasks of absence A did not arrive")
	}
	it101 := w.itemOf(pCS, "101", idA)
	it751 := w.itemOf(pCSAarhus, "751", idC)
	if it101 == "" || it751 == "" {
		t.Errorf("setup: deliveries not found (101: %q, 751: %q)", it101, it751)
	}
	w.st101 = &authzRecord{Label: "delivery stream of København", ID: "101", Owners: []string{pCW, pCS}}
	w.st751 = &authzRecord{Label: "delivery stream of Aarhus", ID: "751", Owners: []string{pCWAarhus, pCSAarhus}}
	w.stUDK = &authzRecord{Label: "delivery stream of UDK", ID: "UDK", Owners: []string{pUDK}}
	w.item101 = &authzRecord{Label: "København's item of absence A", ID: "101", Part: it101, Owners: []string{pCW, pCS}, Secrets: []string{it101}}
	w.item751 = &authzRecord{Label: "Aarhus's item of absence C", ID: "751", Part: it751, Owners: []string{pCWAarhus, pCSAarhus}, Secrets: []string{it751}}
	authzEventually(30*time.Second, func() bool {
		return w.do(pEmployer, authzReq{Method: "GET", Path: "/api/v1/feedback/absences/" + idA}).Status == http.StatusOK
	})
	authzEventually(20*time.Second, func() bool {
		return w.do(pSeasonal, authzReq{Method: "GET", Path: "/api/v1/feedback/absences/" + idB}).Status == http.StatusOK
	})

	// Prepared blankets, due tomorrow (held).
	var st int
	var pa, body string
	tomorrow := time.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	st, pa, body = w.prepare(pEmployer, events.SicknessEmployerReported, authzEmployerReport(synth.PersonaEmployee, 222.19), tomorrow)
	if st != http.StatusCreated {
		t.Errorf("setup: prepare A: %d %s", st, body)
	}
	st, pb, body := w.prepare(pSeasonal, events.SicknessEmployerReported, authzEmployerReport(synth.PersonaFailsMonthlyHours, 177.71), tomorrow)
	if st != http.StatusCreated {
		t.Errorf("setup: prepare B: %d %s", st, body)
	}
	w.prepA = &authzRecord{Label: "prepared blanket of the demo employer", ID: pa, Owners: []string{pEmployer, pPayroll},
		Secrets: append([]string{pa, "222.19"}, authzPersonSecrets(t, synth.PersonaEmployee)...)}
	w.prepB = &authzRecord{Label: "prepared blanket of the seasonal employer", ID: pb, Owners: []string{pSeasonal, pPayroll2},
		Secrets: append([]string{pb, "177.71"}, authzPersonSecrets(t, synth.PersonaFailsMonthlyHours)...)}

	// An absence opened through a prepared blanket, submitted at once.
	st, pp, body := w.prepare(pEmployer, events.SicknessEmployerReported, authzEmployerReport(synth.PersonaEnglish, 211.13), time.Now().Format(time.DateOnly))
	if st != http.StatusCreated {
		t.Errorf("setup: prepare P: %d %s", st, body)
	}
	sub := w.do(pEmployer, authzReq{Method: "POST", Path: "/api/v1/prepared/" + pp + "/submit"})
	idP, _ := sub.json()["stream"].(string)
	if sub.Status/100 != 2 || idP == "" {
		t.Errorf("setup: submit P: %d %s", sub.Status, sub.Body)
	}
	w.absP = &authzRecord{Label: "absence P (demo employer, through a prepared blanket)", ID: idP, Extra: "147",
		Owners: []string{pEmployer, pPayroll, pAdmin}, Secrets: []string{idP, "211.13"}}

	// Uploads, scanned clean before the matrix reads them.
	st, da := w.upload(pCitizen, idA)
	if st/100 != 2 {
		t.Errorf("setup: the citizen's upload: %d", st)
	}
	st, db := w.upload(pSeasonal, idB)
	if st/100 != 2 {
		t.Errorf("setup: the seasonal employer's upload: %d", st)
	}
	for _, d := range []struct{ p, id string }{{pCitizen, da}, {pSeasonal, db}} {
		authzEventually(40*time.Second, func() bool {
			return w.do(d.p, authzReq{Method: "GET", Path: "/api/v1/documents/" + d.id}).json()["status"] == "accepted"
		})
	}
	w.docA = &authzRecord{Label: "the citizen's upload for absence A", ID: da, Owners: []string{pCitizen}, Secrets: []string{da}}
	w.docB = &authzRecord{Label: "the seasonal employer's upload for absence B", ID: db, Owners: []string{pSeasonal, pPayroll2}, Secrets: []string{db}}

	// Entitlement: the union of the owners of every record holding a secret.
	for _, r := range []*authzRecord{w.lars, w.mads, w.absA, w.absB, w.absC, w.absP, w.item101, w.item751, w.prepA, w.prepB, w.docA, w.docB} {
		for _, s := range r.Secrets {
			if len(s) < 4 {
				continue
			}
			if w.entitled[s] == nil {
				w.entitled[s] = map[string]bool{pAdmin: true}
				w.labels[s] = r.Label
			}
			for _, o := range r.Owners {
				w.entitled[s][o] = true
			}
		}
	}
	// København's caseworker and case system get the citizen's documents
	// of absence A when the citizen sends them.
	w.entitled[w.docA.ID][pCW], w.entitled[w.docA.ID][pCS] = true, true
	return w
}

// leaked lists the secrets in resp that p is not entitled to and did not
// send itself.
func (w *authzWorld) leaked(p string, q authzReq, resp authzResp) []string {
	var out []string
	for s, who := range w.entitled {
		if who[p] || strings.Contains(q.Path, s) || strings.Contains(q.Body, s) {
			continue
		}
		if strings.Contains(resp.Body, s) {
			out = append(out, fmt.Sprintf("%s of %s", authzSecretKind(s), w.labels[s]))
		}
	}
	return out
}

// authzSecretKind says what kind of personal data s is, without showing it.
func authzSecretKind(s string) string {
	switch {
	case len(s) == 10 && strings.Trim(s, "0123456789") == "":
		return "CPR"
	case len(s) == 11 && s[6] == '-':
		return "CPR"
	case strings.HasPrefix(s, "NR-"):
		return "receipt"
	case strings.Trim(s, "0123456789.") == "":
		return "amount"
	case uuid.Validate(s) == nil:
		return "id"
	case strings.Contains(s, "/"):
		return "item id"
	case strings.ContainsAny(s, "0123456789"):
		return "address"
	}
	return "name"
}

// authzMissingCPR is a well-formed CPR number no one in the registers has.
func authzMissingCPR() string {
	have := map[string]bool{}
	if ds := stack.Dataset(); ds != nil {
		for _, p := range ds.Persons {
			have[p.CPR.String()] = true
		}
	}
	for n := 1; ; n++ {
		s := fmt.Sprintf("010101%04d", n)
		if !have[s] {
			return s
		}
	}
}
