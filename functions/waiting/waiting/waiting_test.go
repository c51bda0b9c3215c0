package waiting_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/reminder/reminder"
	"nemrefusion.dk/functions/waiting/waiting"
	"nemrefusion.dk/infra/accept"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/runtime/runtimetest"
	"nemrefusion.dk/infra/schedule"
)

const employerCVR = "30000005"

var exampleReport = func() json.RawMessage {
	b, err := os.ReadFile("../../../schemas/examples/sickness.employer.reported.v1.json")
	if err != nil {
		panic(err)
	}
	return b
}()

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// testAuthn stands in for auth.Require: the test names the principal in a
// header (the token verification itself is tested in infra/auth): an
// employer of X-Test-CVR with a login made just now, or the claims in
// X-Test-Claims (JSON).
func testAuthn(now func() time.Time) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var c auth.Claims
			if raw := r.Header.Get("X-Test-Claims"); raw != "" {
				if err := json.Unmarshal([]byte(raw), &c); err != nil {
					panic(err)
				}
			} else if cvr := r.Header.Get("X-Test-CVR"); cvr != "" {
				c = employerClaims(cvr, now())
			} else {
				runtime.WriteError(w, runtime.Fail(runtime.KindUnauthorized, "unauthenticated", "", "", nil))
				return
			}
			p, err := c.Principal()
			if err != nil {
				panic(err)
			}
			next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
		})
	}
}

// employerClaims is a MitID Erhverv user of cvr with the NemRefusion
// right, logged in at authTime.
func employerClaims(cvr string, authTime time.Time) auth.Claims {
	return auth.Claims{Subject: "user-" + cvr, Role: auth.RoleEmployer, CVR: cvr, Rights: []string{auth.RightNemRefusion},
		LoA: auth.LoASubstantial, AuthTime: authTime.Unix()}
}

type fixture struct {
	waitSvc, remSvc *runtime.Service
	rem             *reminder.Reminders
	clock           *clock
	// front is the accept step the waiting function submits through, on a
	// schema of the test's own; intake would share it.
	front *accept.Front
	// lastHeader is the header of the last answer callAs got.
	lastHeader http.Header
}

func start(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	var base config.Base
	if err := config.Load(&base); err != nil {
		t.Fatal(err)
	}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) }))
	t.Cleanup(sink.Close)
	base.Sink = sink.URL
	runtimetest.TrustTestBroker(t, &base) // deliver signs as the broker does
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	n := rand.Uint32()
	f := &fixture{clock: &clock{now: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)}}
	var err error
	f.waitSvc, err = runtime.New(ctx, runtime.Options{Name: fmt.Sprintf("waiting_t%d", n), Base: base, Migrations: waiting.Migrations(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	f.remSvc, err = runtime.New(ctx, runtime.Options{Name: fmt.Sprintf("reminder_w%d", n), Base: base, Migrations: reminder.Migrations(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	rdb, err := schedule.Open(ctx, base.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	sched := schedule.New(rdb, fmt.Sprintf("nrtest:{waiting%d}:", n))
	f.front, err = accept.New(ctx, f.waitSvc, accept.Options{Schema: fmt.Sprintf("accept_w%d", n), SigningMaxAge: 5 * time.Minute, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = sched.Drop(context.Background())
		rdb.Close()
		_, _ = f.waitSvc.DB.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+f.front.Schema()+" CASCADE")
		for _, s := range []*runtime.Service{f.waitSvc, f.remSvc} {
			_, _ = s.DB.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+s.Name+" CASCADE")
			s.DB.Close()
		}
	})
	waiting.New(f.waitSvc, f.front, testAuthn(f.clock.Now), f.clock.Now).Register()
	f.rem = reminder.New(f.remSvc, sched, f.clock)
	f.rem.Register()
	return f
}

func (f *fixture) call(t *testing.T, method, path, cvr string, body any) (int, map[string]any) {
	t.Helper()
	return f.callAs(t, method, path, employerClaims(cvr, f.clock.Now()), body)
}

// callAs calls path as the principal of c; a []byte body is sent as it is.
func (f *fixture) callAs(t *testing.T, method, path string, c auth.Claims, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	claims, _ := json.Marshal(c)
	req.Header.Set("X-Test-Claims", string(claims))
	rec := httptest.NewRecorder()
	f.waitSvc.Mux.ServeHTTP(rec, req)
	f.lastHeader = rec.Header()
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func deliver(t *testing.T, svc *runtime.Service, ev cloudevents.Event) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	if err := cehttp.WriteRequest(context.Background(), binding.ToMessage(&ev), req); err != nil {
		t.Fatal(err)
	}
	runtimetest.SignDelivery(t, req, svc.Name)
	rec := httptest.NewRecorder()
	svc.Mux.ServeHTTP(rec, req)
	if rec.Code/100 != 2 {
		t.Fatalf("deliver %s: %d %s", ev.Type(), rec.Code, rec.Body)
	}
}

// relay plays the broker: every event on from's outbox of the given types
// not relayed before is delivered to to.
func relay(t *testing.T, from, to *runtime.Service, seen map[string]bool, types ...string) int {
	t.Helper()
	rows, err := from.DB.Query(context.Background(), `SELECT event FROM outbox WHERE event_type = ANY($1) ORDER BY seq`, types)
	if err != nil {
		t.Fatal(err)
	}
	var evs []cloudevents.Event
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		var ev cloudevents.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		if !seen[ev.ID()] {
			seen[ev.ID()] = true
			evs = append(evs, ev)
		}
	}
	rows.Close()
	for _, ev := range evs {
		deliver(t, to, ev)
	}
	return len(evs)
}

func outboxCount(t *testing.T, svc *runtime.Service, typ string) int {
	t.Helper()
	var n int
	if err := svc.DB.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE event_type = $1`, typ).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// seeds/000 § 1 stk. 4: a prepared report is held, listed with its due
// date, alerts the sender (inbox, e-mail, SMS to the profile's number) when
// due; submitting it is one action that emits the report and cancels its
// reminders; deleting cancels them too; past its deadline it says so.
func TestPreparedBlanketLifecycle(t *testing.T) {
	t.Parallel()
	f := start(t)
	seen := map[string]bool{}
	if code, _ := f.call(t, "PUT", "/api/v1/inbox/settings", employerCVR, waiting.Settings{Email: "loen@example.dk", Phone: "+4512345678"}); code != 200 {
		t.Fatalf("settings: %d", code)
	}
	create := func(data json.RawMessage, due, deadline string) string {
		code, out := f.call(t, "POST", "/api/v1/prepared", employerCVR, waiting.PrepareRequest{
			Type: events.SicknessEmployerReported, Data: data, DueDate: due, Deadline: deadline})
		if code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, out)
		}
		return out["id"].(string)
	}
	submitted := create(exampleReport, "2024-03-20", "2024-04-08")
	alerted := create(exampleReport, "2024-03-20", "2024-04-08")
	deleted := create(exampleReport, "2024-03-25", "")
	incomplete := create(json.RawMessage(`{"cvr": "30000005"}`), "2024-03-02", "2024-03-05")

	code, list := f.call(t, "GET", "/api/v1/prepared", employerCVR, nil)
	if code != 200 || len(list["prepared"].([]any)) != 4 {
		t.Fatalf("list: %d %v", code, list)
	}
	first := list["prepared"].([]any)[0].(map[string]any)
	if first["id"] != incomplete || first["dueDate"] != "2024-03-02" || first["due"] != false || first["overdue"] != false {
		t.Fatalf("first listed: %v", first)
	}
	if code, _ := f.call(t, "GET", "/api/v1/prepared/"+submitted, "12345674", nil); code != http.StatusNotFound {
		t.Fatalf("another company reads it: %d", code)
	}
	if n := relay(t, f.waitSvc, f.remSvc, seen, events.ReminderScheduled); n != 6 {
		t.Fatalf("%d reminders scheduled, want 2+2+1+1 (the incomplete one is due 3 days before its deadline)", n)
	}

	// Submitting validates against the blanket's schema only now.
	code, out := f.call(t, "POST", "/api/v1/prepared/"+incomplete+"/submit", employerCVR, nil)
	if code != http.StatusBadRequest || len(out["errors"].([]any)) == 0 {
		t.Fatalf("incomplete submit: %d %v", code, out)
	}
	code, out = f.call(t, "POST", "/api/v1/prepared/"+submitted+"/submit", employerCVR, nil)
	if code != http.StatusAccepted || !accept.ReceiptPattern.MatchString(fmt.Sprint(out["receipt"])) || !strings.HasPrefix(out["receipt"].(string), "NR-2024-") {
		t.Fatalf("submit: %d %v", code, out)
	}
	code, again := f.call(t, "POST", "/api/v1/prepared/"+submitted+"/submit", employerCVR, nil)
	if code != http.StatusOK || again["receipt"] != out["receipt"] {
		t.Fatalf("submit again: %d %v, first %v", code, again, out)
	}
	if n := outboxCount(t, f.waitSvc, events.SicknessEmployerReported); n != 1 {
		t.Fatalf("%d reports emitted", n)
	}
	if code, _ := f.call(t, "DELETE", "/api/v1/prepared/"+deleted, employerCVR, nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	if n := relay(t, f.waitSvc, f.remSvc, seen, events.ReminderCancelled); n != 2 {
		t.Fatalf("%d cancellations", n)
	}

	// 20 March, 09:00: the due-day reminders fire, but only those of the
	// form still held; 5 April the deadline reminder; past the deadline of
	// the incomplete one, it says so.
	f.clock.Set(time.Date(2024, 4, 6, 12, 0, 0, 0, time.UTC))
	if _, err := f.rem.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	fired := map[string]bool{}
	rows, _ := f.remSvc.DB.Query(context.Background(), `SELECT id FROM reminders WHERE status = 'fired'`)
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		fired[id] = true
	}
	rows.Close()
	want := map[string]bool{alerted + "/due": true, alerted + "/deadline": true, incomplete + "/due": true}
	if len(fired) != len(want) {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	for id := range want {
		if !fired[id] {
			t.Fatalf("fired %v, want %v", fired, want)
		}
	}
	relay(t, f.remSvc, f.waitSvc, seen, events.ReminderDue)
	code, inbox := f.call(t, "GET", "/api/v1/inbox", employerCVR, nil)
	if code != 200 || len(inbox["messages"].([]any)) != 3 {
		t.Fatalf("inbox: %d %v", code, inbox)
	}
	var emails, sms int
	_ = f.waitSvc.DB.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE channel = 'email' AND address = 'loen@example.dk'),
		count(*) FILTER (WHERE channel = 'sms') FROM message_outbox`).Scan(&emails, &sms)
	if emails != 3 || sms != 3 {
		t.Fatalf("%d e-mails, %d SMS recorded", emails, sms)
	}
	if code, _ := f.call(t, "GET", "/api/v1/inbox", "12345674", nil); code != 200 {
		t.Fatalf("other inbox: %d", code)
	} else if _, other := f.call(t, "GET", "/api/v1/inbox", "12345674", nil); len(other["messages"].([]any)) != 0 {
		t.Fatalf("another company sees the messages")
	}
	_, late := f.call(t, "GET", "/api/v1/prepared/"+incomplete, employerCVR, nil)
	notice, _ := late["notice"].(map[string]any)
	if late["overdue"] != true || !strings.Contains(fmt.Sprint(notice["da"]), "5. marts 2024 og er overskredet") ||
		!strings.Contains(fmt.Sprint(notice["en"]), "5 March 2024 and has passed") {
		t.Fatalf("overdue: %v", late)
	}
}

// seeds/000 § 1 stk. 4: the sender may change a held blanket before it is
// submitted (the web app resumes it at "Tjek dine svar"); the submission
// validates the changed data and names the absence's stream, as intake's
// receipt does. A submitted blanket cannot be changed any more, and no
// other company can change it.
func TestPreparedBlanketChangedBeforeSubmission(t *testing.T) {
	t.Parallel()
	f := start(t)
	code, out := f.call(t, "POST", "/api/v1/prepared", employerCVR, waiting.PrepareRequest{
		Type: events.SicknessEmployerReported, Data: json.RawMessage(`{"cvr": "30000005"}`), DueDate: "2024-03-20"})
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, out)
	}
	id := out["id"].(string)
	if code, out := f.call(t, "POST", "/api/v1/prepared/"+id+"/submit", employerCVR, nil); code != http.StatusBadRequest {
		t.Fatalf("incomplete submit: %d %v", code, out)
	}
	if code, _ := f.call(t, "PUT", "/api/v1/prepared/"+id, "12345674", waiting.UpdateRequest{Data: exampleReport}); code != http.StatusNotFound {
		t.Fatalf("another company changes it: %d", code)
	}
	if code, out := f.call(t, "PUT", "/api/v1/prepared/"+id, employerCVR, map[string]any{"data": "no"}); code != http.StatusBadRequest || out["errors"] == nil {
		t.Fatalf("data that is no object: %d %v", code, out)
	}
	code, changed := f.call(t, "PUT", "/api/v1/prepared/"+id, employerCVR, waiting.UpdateRequest{Data: exampleReport})
	if code != http.StatusOK || changed["dueDate"] != "2024-03-20" || changed["status"] != "held" {
		t.Fatalf("change: %d %v", code, changed)
	}
	_, got := f.call(t, "GET", "/api/v1/prepared/"+id, employerCVR, nil)
	if data, _ := got["data"].(map[string]any); data["cpr"] == nil {
		t.Fatalf("the changed data is not stored: %v", got)
	}
	// Opening it is a read of personal data, in the ledger (issue 16).
	reads, err := ledger.Stream(context.Background(), f.waitSvc.DB, auth.ReadStream(waiting.PreparedStream(id)), 10)
	if err != nil || len(reads) != 1 || reads[0].EventType != auth.EventAccessRead {
		t.Fatalf("reads of the prepared blanket: %v %+v", err, reads)
	}
	code, sent := f.call(t, "POST", "/api/v1/prepared/"+id+"/submit", employerCVR, nil)
	if code != http.StatusAccepted || sent["stream"] != id || sent["receivedAt"] != "2024-03-01T10:00:00Z" {
		t.Fatalf("submit: %d %v", code, sent)
	}
	if code, again := f.call(t, "POST", "/api/v1/prepared/"+id+"/submit", employerCVR, nil); code != http.StatusOK || again["stream"] != id || again["receivedAt"] != sent["receivedAt"] {
		t.Fatalf("submit again: %d %v", code, again)
	}
	if code, _ := f.call(t, "PUT", "/api/v1/prepared/"+id, employerCVR, waiting.UpdateRequest{Data: exampleReport}); code != http.StatusConflict {
		t.Fatalf("change after submission: %d", code)
	}
}

// seeds/003: the day-6 SMS reaches sms.requested only for reminders that
// fire, i.e. people signed up for NemSMS (plan.CitizenTasks) whose tasks
// are still open (citizen.tasks.closed cancels it).
func TestDay6SMSGoesOnlyToTheRightPeople(t *testing.T) {
	t.Parallel()
	f := start(t)
	seen := map[string]bool{}
	from := events.Authority{CVR: ids.MustCVR("29189846"), Name: "Aarhus Kommune"}
	letter := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	deadline := letter.AddDate(0, 0, 8)
	people := []struct{ absence, cpr, nemSMS string }{
		{"abs-open", "2212934327", "+4520123456"},   // signed up, tasks open: gets the SMS
		{"abs-closed", "0101901234", "+4520123457"}, // signed up, answers everything on day 3
		{"abs-nosms", "0202901234", ""},             // not signed up
	}
	for _, p := range people {
		for _, r := range planCitizen(letter, p.absence, p.cpr, p.nemSMS, from, deadline) {
			deliver(t, f.remSvc, mustEvent(t, events.ReminderScheduled, p.absence, r))
		}
	}
	deliver(t, f.remSvc, mustEvent(t, events.CitizenTasksClosed, "abs-closed", events.CitizenTasksClosure{AbsenceID: "abs-closed"}))
	f.clock.Set(time.Date(2024, 3, 10, 9, 0, 1, 0, time.UTC))
	if n, err := f.rem.Tick(context.Background()); err != nil || n != 1 {
		t.Fatalf("fired %d (%v), want 1", n, err)
	}
	relay(t, f.remSvc, f.waitSvc, seen, events.ReminderDue)
	rows, err := f.waitSvc.DB.Query(context.Background(), `SELECT event FROM outbox WHERE event_type = $1`, events.SMSRequested)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []events.SMSRequest
	for rows.Next() {
		var ev cloudevents.Event
		var b []byte
		_ = rows.Scan(&b)
		_ = json.Unmarshal(b, &ev)
		if err := events.Validate(ev); err != nil {
			t.Fatalf("sms.requested invalid: %v", err)
		}
		var d events.SMSRequest
		_ = json.Unmarshal(ev.Data(), &d)
		got = append(got, d)
	}
	if len(got) != 1 || got[0].Recipient.CPR.String() != ids.MustCPR("2212934327").String() || got[0].Reference != "abs-open" ||
		!strings.HasPrefix(got[0].Text, "Du har") || !strings.HasPrefix(got[0].TextEn, "You have") {
		t.Fatalf("SMS requested: %+v", got)
	}
}

func mustEvent(t *testing.T, typ, key string, data any) cloudevents.Event {
	t.Helper()
	ev, err := events.New(typ, "test", key, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}
