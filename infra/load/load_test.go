package load

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
)

func dataset(t *testing.T) *synth.Dataset {
	t.Helper()
	cfg := synth.DefaultConfig(7, registers.MonthOf(time.Now()))
	cfg.Persons, cfg.Companies = synth.MinPersons, synth.MinCompanies
	d, err := synth.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Every kind the generator makes is a blanket intake would take: valid
// against its schema and the domain checks, for a CVR the tenant may act for.
func TestSubmissionsAreValidBlankets(t *testing.T) {
	t.Parallel()
	mix := maps.Clone(DefaultMix)
	for _, k := range NoCapKinds {
		mix[k] = 1 // not in the default mix (rejected for want of a cap), still valid at intake
	}
	g, err := newGenerator(newPopulation(dataset(t), time.Now()), mix, "/load/test", 1, time.Nanosecond, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[Kind]int{}
	pairs := map[string]bool{}
	for i := range 2000 {
		s, err := g.next()
		if err != nil {
			t.Fatal(err)
		}
		kinds[s.kind]++
		if s.kind == KindCitizenAnswer {
			if s.absence == "" || s.tenant.CPR == "" || s.tenant.Persona != "citizen" {
				t.Fatalf("citizen answer %+v names no absence or citizen", s)
			}
			continue
		}
		var ev cloudevents.Event
		if err := json.Unmarshal(s.body, &ev); err != nil {
			t.Fatalf("%s: %v", s.kind, err)
		}
		if err := events.Validate(ev); err != nil {
			t.Fatalf("%s does not validate: %v\n%s", s.kind, err, s.body)
		}
		if err := events.CheckDomain(ev.Type(), ev.Data()); err != nil {
			t.Fatalf("%s fails the domain checks: %v\n%s", s.kind, err, s.body)
		}
		if cvr := events.BlanketCVR(ev.Data()); cvr != s.tenant.CVR {
			t.Fatalf("%s for CVR %s sent as tenant %s", s.kind, cvr, s.tenant.CVR)
		}
		var who struct {
			CPR, FirstAbsenceDay, ChildDate string
			Agreement, Decision             struct{ Reference string }
		}
		_ = json.Unmarshal(ev.Data(), &who)
		if first, err := time.Parse(time.DateOnly, who.FirstAbsenceDay); s.kind == KindEarlyFollowUp && (err != nil || first.Before(time.Now().AddDate(0, 0, -35))) {
			t.Fatalf("early follow-up for an absence from %s: later than the first 5 weeks (sygedagpengeloven § 13 b)", who.FirstAbsenceDay)
		}
		if s.kind != KindRecovery {
			key := strings.Join([]string{string(s.kind), who.CPR, s.tenant.CVR, who.FirstAbsenceDay, who.ChildDate, who.Agreement.Reference, who.Decision.Reference}, "|")
			if pairs[key] {
				t.Fatalf("submission %d (%s) repeats person, sender and first day", i, s.kind)
			}
			pairs[key] = true
		}
		if s.followable {
			g.accepted(s, "0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b")
		}
	}
	for _, k := range Kinds {
		if kinds[k] == 0 {
			t.Errorf("no %s in 2000 submissions: %v", k, kinds)
		}
	}
}

func TestParseMix(t *testing.T) {
	t.Parallel()
	m, err := ParseMix("employer-report=3, recovery=1")
	if err != nil || m[KindEmployer] != 3 || m[KindRecovery] != 1 || len(m) != 2 {
		t.Fatalf("%v %v", m, err)
	}
	var all []string
	for _, k := range Kinds {
		all = append(all, string(k)+"=1")
	}
	if m, err := ParseMix(strings.Join(all, ",")); err != nil || len(m) != len(Kinds) {
		t.Fatalf("every kind: %v %v", m, err)
	}
	if m, err := ParseMix("parental-employer=8, parental-self-employed=1,parental-akasse=1,subsidy-wage=4,subsidy-flexjob=1," +
		"subsidy-job-clarification=1,subsidy-adult-apprentice=1,subsidy-mentor=1,subsidy-self-employed-136=1"); err != nil ||
		m[KindParentalEmployer] != 8 || m[KindSubsidyWage] != 4 || m[KindSubsidySelfEmployed136] != 1 || len(m) != 9 {
		t.Fatalf("parental and subsidy kinds: %v %v", m, err)
	}
	for _, k := range Kinds {
		if _, ok := DefaultMix[k]; !ok {
			t.Errorf("%s is not in the default mix", k)
		}
	}
	for _, bad := range []string{"employer-report", "x=1", "recovery=-1", "recovery=a", "parental=1", "subsidy-wage"} {
		if _, err := ParseMix(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// fakeIntake answers like intake: 503 with Retry-After to the first post
// of every id, a bare 500 to ids in bare, then 202 with one receipt per
// (source, id).
type fakeIntake struct {
	mu       sync.Mutex
	posts    map[string]int
	receipts map[string]string
}

func (f *fakeIntake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/token") {
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "t"})
		return
	}
	b, _ := io.ReadAll(r.Body)
	var ev struct{ ID string }
	_ = json.Unmarshal(b, &ev)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts[ev.ID]++
	if f.posts[ev.ID] == 1 {
		w.Header().Set("Retry-After", "0")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, `{"status":503,"code":"unavailable"}`)
		return
	}
	if f.receipts[ev.ID] == "" {
		f.receipts[ev.ID] = "NR-" + ev.ID
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_ = json.NewEncoder(w).Encode(map[string]string{"receipt": f.receipts[ev.ID], "eventId": ev.ID, "stream": ev.ID})
}

// A retrying client ends with every submission accepted once, and counts
// the 503s as clear, retryable answers; without retries they fail.
func TestRunRetriesUntilAccepted(t *testing.T) {
	t.Parallel()
	d := dataset(t)
	for _, retry := range []bool{true, false} {
		f := &fakeIntake{posts: map[string]int{}, receipts: map[string]string{}}
		srv := httptest.NewServer(f)
		res, err := Run(context.Background(), Config{BaseURL: srv.URL, Dataset: d, Count: 30, Workers: 4, Retry: retry, Duration: time.Minute,
			Mix: Mix{KindEmployer: 2, KindSelfEmployed: 1, KindAKasse: 1}})
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		total := res.Stats.Total(EventsEndpoint)
		if retry {
			if len(res.Accepted) != 30 || len(res.Failed) != 0 || res.Unclear() != 0 || total.Outcomes[OutcomeRetryable] != 30 {
				t.Fatalf("retrying: %d accepted, %d failed, %d unclear, outcomes %v", len(res.Accepted), len(res.Failed), res.Unclear(), total.Outcomes)
			}
			seen := map[string]bool{}
			for _, a := range res.Accepted {
				if seen[a.ID] || a.Attempts != 2 || a.Receipt != "NR-"+a.ID {
					t.Fatalf("accepted %+v twice or oddly", a)
				}
				seen[a.ID] = true
			}
		} else if len(res.Accepted) != 0 || len(res.Failed) != 30 {
			t.Fatalf("not retrying: %d accepted, %d failed", len(res.Accepted), len(res.Failed))
		}
	}
}

// The count and duration bound a run, whichever comes first.
func TestRunIsBounded(t *testing.T) {
	t.Parallel()
	f := &fakeIntake{posts: map[string]int{}, receipts: map[string]string{}}
	srv := httptest.NewServer(f)
	defer srv.Close()
	start := time.Now()
	res, err := Run(context.Background(), Config{BaseURL: srv.URL, Dataset: dataset(t), Rate: 20, Duration: 500 * time.Millisecond, Mix: Mix{KindEmployer: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 3*time.Second || res.Sent < 5 || res.Sent > 12 {
		t.Fatalf("rate 20/s for 0.5 s: sent %d in %s", res.Sent, el)
	}
	if _, err := Run(context.Background(), Config{Dataset: dataset(t)}); err == nil {
		t.Fatal("a run without a URL started")
	}
}

func TestQuantiles(t *testing.T) {
	t.Parallel()
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	p50, p95, p99, mx := Quantiles(ds)
	if p50 != 50*time.Millisecond || p95 != 95*time.Millisecond || p99 != 99*time.Millisecond || mx != 100*time.Millisecond {
		t.Fatalf("%s %s %s %s", p50, p95, p99, mx)
	}
}
