package lookup_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

const purpose = "sickness: employment requirement (sygedagpengeloven § 32)"

// A lookup.requested event is answered with lookup.answered (or
// lookup.failed) keeping the requester's correlation id, the answer is valid
// against its schema, and every lookup that reached a register is in the
// ledger with its purpose, in the read stream of the absence.
func TestEventLookups(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	emp, abroad := persona(synth.PersonaEmployee), persona(synth.PersonaAbroad)
	from, to := ref.AddMonths(-6).String(), ref.AddMonths(-1).String()
	tests := []struct {
		name    string
		req     events.LookupRequest
		want    string // event type
		check   func(t *testing.T, data []byte)
		outcome string // ledger outcome; "" means no entry
	}{
		{"person in København", events.LookupRequest{Kind: "person", CPR: emp.CPR.String(), Purpose: purpose}, events.LookupAnswered,
			func(t *testing.T, b []byte) {
				var a events.LookupAnswer
				mustJSON(t, b, &a)
				if a.Person == nil || a.Person.CPR != emp.CPR.String() || a.Person.Municipality == nil || a.Person.Municipality.Number != 101 || a.Person.Name == "" {
					t.Fatalf("answer: %s", b)
				}
			}, "answered"},
		{"person abroad", events.LookupRequest{Kind: "person", CPR: abroad.CPR.String(), Purpose: purpose}, events.LookupAnswered,
			func(t *testing.T, b []byte) {
				var a events.LookupAnswer
				mustJSON(t, b, &a)
				if a.Person == nil || a.Person.Municipality != nil || a.Person.AbroadCountry != "SE" {
					t.Fatalf("answer: %s", b)
				}
			}, "answered"},
		{"company with p-units", events.LookupRequest{Kind: "company", CVR: emp.CVR.String(), Purpose: purpose}, events.LookupAnswered,
			func(t *testing.T, b []byte) {
				var a events.LookupAnswer
				mustJSON(t, b, &a)
				if a.Company == nil || len(a.Company.PUnits) != 3 || a.Company.SoleProprietorship {
					t.Fatalf("answer: %s", b)
				}
			}, "answered"},
		{"p-unit", events.LookupRequest{Kind: "punit", PNumber: abroad.PNumber.String(), Purpose: purpose}, events.LookupAnswered,
			func(t *testing.T, b []byte) {
				var a events.LookupAnswer
				mustJSON(t, b, &a)
				if a.PUnit == nil || a.PUnit.Municipality.Name != "Helsingør" {
					t.Fatalf("answer: %s", b)
				}
			}, "answered"},
		{"income of 6 months", events.LookupRequest{Kind: "income", CPR: emp.CPR.String(), From: from, To: to, Purpose: purpose}, events.LookupAnswered,
			func(t *testing.T, b []byte) {
				var a events.LookupAnswer
				mustJSON(t, b, &a)
				if a.Income == nil || len(a.Income.Months) != 6 || a.Income.Months[0].Month != from || a.Income.Months[0].Hours < 100 {
					t.Fatalf("answer: %s", b)
				}
			}, "answered"},
		{"unknown person", events.LookupRequest{Kind: "person", CPR: "0101010000", Purpose: purpose}, events.LookupFailed,
			func(t *testing.T, b []byte) {
				var fl events.LookupFailure
				mustJSON(t, b, &fl)
				if fl.Reason != events.LookupReasonNotFound || fl.Da == "" || fl.En == "" {
					t.Fatalf("failure: %s", b)
				}
			}, "not-found"},
		{"CPR with an impossible date", events.LookupRequest{Kind: "person", CPR: "3102901234", Purpose: purpose}, events.LookupFailed,
			func(t *testing.T, b []byte) { wantFieldErrors(t, b, "cpr:cpr.date") }, ""},
		{"CVR with a wrong check digit", events.LookupRequest{Kind: "company", CVR: "30000006", Purpose: purpose}, events.LookupFailed,
			func(t *testing.T, b []byte) { wantFieldErrors(t, b, "cvr:cvr.checksum") }, ""},
		{"no purpose", events.LookupRequest{Kind: "person", CPR: emp.CPR.String()}, events.LookupFailed,
			func(t *testing.T, b []byte) { wantFieldErrors(t, b, "purpose:purpose.required") }, ""},
		{"income period reversed", events.LookupRequest{Kind: "income", CPR: emp.CPR.String(), From: to, To: from, Purpose: purpose}, events.LookupFailed,
			func(t *testing.T, b []byte) { wantFieldErrors(t, b, "to:income.period") }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := request(t, tc.req)
			if code := f.post(t, ev); code != http.StatusAccepted {
				t.Fatalf("delivery: %d", code)
			}
			out := f.Sink.CausedBy(ev.ID())
			if len(out) != 1 {
				t.Fatalf("want one reply, got %d", len(out))
			}
			r := out[0]
			if r.Type() != tc.want || events.CorrelationID(r) != events.CorrelationID(ev) || events.PartitionKey(r) != events.PartitionKey(ev) {
				t.Fatalf("reply %s corr %s key %s; want %s corr %s key %s", r.Type(), events.CorrelationID(r), events.PartitionKey(r),
					tc.want, events.CorrelationID(ev), events.PartitionKey(ev))
			}
			if err := events.Validate(r); err != nil {
				t.Fatalf("reply does not match its schema: %v\n%s", err, r.Data())
			}
			var common struct{ RequestID string }
			mustJSON(t, r.Data(), &common)
			if common.RequestID != ev.ID() {
				t.Fatalf("requestId %q, want %q", common.RequestID, ev.ID())
			}
			tc.check(t, r.Data())
			recs := f.entries(t, "reads/"+events.PartitionKey(ev))
			if tc.outcome == "" {
				if len(recs) != 0 {
					t.Fatalf("an invalid request read nothing but has %d ledger entries", len(recs))
				}
				return
			}
			if len(recs) != 1 {
				t.Fatalf("ledger entries: %d, want 1", len(recs))
			}
			rec := recs[0]
			why := reasonOf(t, rec)
			if rec.Actor != "function:sickness" || rec.Role != "system" || rec.EventID != ev.ID() || rec.Correlation != events.CorrelationID(ev) ||
				why["purpose"] != purpose || why["kind"] != tc.req.Kind || why["outcome"] != tc.outcome {
				t.Fatalf("ledger entry: %+v reason %v", rec.Entry, why)
			}
			if strings.Contains(string(rec.Reason), "0101010000") || (tc.req.CPR != "" && strings.Contains(string(rec.Reason), tc.req.CPR)) {
				t.Fatalf("reason holds the CPR number: %s", rec.Reason)
			}
		})
	}
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}

// wantFieldErrors checks a failure is "invalid" with exactly the
// field:code pairs given, each in both languages.
func wantFieldErrors(t *testing.T, b []byte, want ...string) {
	t.Helper()
	var fl events.LookupFailure
	mustJSON(t, b, &fl)
	var got []string
	for _, e := range fl.Errors {
		got = append(got, e.Field+":"+e.Code)
		if e.Da == "" || e.En == "" {
			t.Errorf("field error without both languages: %+v", e)
		}
	}
	if fl.Reason != events.LookupReasonInvalid || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("failure reason %q errors %v, want invalid %v", fl.Reason, got, want)
	}
}

// Without an absence id the read is recorded in the person's pseudonymous
// stream, which names no CPR number and is the same for every lookup of
// that person.
func TestLedgerStreamWithoutAbsenceIsAPseudonym(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	emp := persona(synth.PersonaEmployee)
	for range 2 {
		ev, err := events.New(events.LookupRequested, "notify", "", events.LookupRequest{Kind: "person", CPR: emp.CPR.String(), Purpose: purpose}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if code := f.post(t, ev); code != http.StatusAccepted {
			t.Fatalf("delivery: %d", code)
		}
	}
	stream := "reads/" + f.cache.Pseudonym(emp.CPR)
	if strings.Contains(stream, emp.CPR.String()) || strings.Contains(stream, emp.CPR.String()[:6]) {
		t.Fatalf("stream %q reveals the CPR number", stream)
	}
	if n := len(f.entries(t, stream)); n != 2 {
		t.Fatalf("stream %s has %d entries, want 2", stream, n)
	}
}

// With the register down the event is refused with 503 (the broker
// retries), nothing is emitted or recorded, and the redelivery after the
// register is back is answered.
func TestEventRegisterDownIsRetried(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	emp := persona(synth.PersonaEmployee)
	ev := request(t, events.LookupRequest{Kind: "income", CPR: emp.CPR.String(), From: ref.AddMonths(-6).String(), To: ref.AddMonths(-1).String(), Purpose: purpose})
	f.standin.SetDown(true)
	if code := f.post(t, ev); code != http.StatusServiceUnavailable {
		t.Fatalf("register down: %d, want 503", code)
	}
	if n := len(f.Sink.CausedBy(ev.ID())); n != 0 {
		t.Fatalf("register down: %d replies, want none (never an empty answer)", n)
	}
	if n := len(f.entries(t, "reads/"+events.PartitionKey(ev))); n != 0 {
		t.Fatalf("register down: %d ledger entries", n)
	}
	f.standin.SetDown(false)
	if code := f.post(t, ev); code != http.StatusAccepted {
		t.Fatalf("redelivery: %d", code)
	}
	out := f.Sink.CausedBy(ev.ID())
	if len(out) != 1 || out[0].Type() != events.LookupAnswered {
		t.Fatalf("redelivery: %v", out)
	}
}

// The HTTP lookups: who may see what, field errors, 404, 503 with
// Retry-After, 401 without a token, and a ledger entry naming the
// principal for every read.
func TestHTTPLookups(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	emp, other := persona(synth.PersonaEmployee), persona(synth.PersonaNoIncome)
	q := "?purpose=" + strings.ReplaceAll(purpose, " ", "+")
	income := fmt.Sprintf("/api/v1/lookup/persons/%s/income%s&from=%s&to=%s", emp.CPR, q, ref.AddMonths(-12), ref.AddMonths(-1))
	tests := []struct {
		name, persona, path string
		status              int
		check               func(t *testing.T, body map[string]any)
	}{
		{"caseworker reads a person", devissuer.PersonaCaseworker, "/api/v1/lookup/persons/" + emp.CPR.String() + q, 200,
			func(t *testing.T, b map[string]any) {
				m, _ := b["municipality"].(map[string]any)
				if b["cpr"] != emp.CPR.String() || m["name"] != "København" || b["digitalPost"] == nil || b["nemSms"] == nil {
					t.Fatalf("body: %v", b)
				}
			}},
		{"caseworker reads income", devissuer.PersonaCaseworker, income, 200,
			func(t *testing.T, b map[string]any) {
				if ms, _ := b["months"].([]any); len(ms) != 12 {
					t.Fatalf("months: %v", b)
				}
			}},
		{"citizen reads themself", devissuer.PersonaCitizen, "/api/v1/lookup/persons/" + emp.CPR.String() + q, 200, nil},
		{"citizen reads own income", devissuer.PersonaCitizen, income, 200, nil},
		{"citizen may not read another person", devissuer.PersonaCitizen, "/api/v1/lookup/persons/" + other.CPR.String() + q, 404,
			func(t *testing.T, b map[string]any) {
				if b["code"] != "lookup.not-found" || b["cpr"] != nil || b["name"] != nil {
					t.Fatalf("body: %v", b)
				}
			}},
		{"employer confirms its employee's name only", devissuer.PersonaEmployer, "/api/v1/lookup/persons/" + emp.CPR.String() + q, 200,
			func(t *testing.T, b map[string]any) {
				if len(b) != 2 || b["cpr"] != emp.CPR.String() || b["name"] == "" || b["name"] == nil {
					t.Fatalf("body: %v", b)
				}
			}},
		{"employer may not read income", devissuer.PersonaEmployer, income, 403, nil},
		{"admin may not read a person", devissuer.PersonaAdmin, "/api/v1/lookup/persons/" + emp.CPR.String() + q, 403, nil},
		{"citizen reads a company", devissuer.PersonaCitizen, "/api/v1/lookup/companies/" + emp.CVR.String() + q, 200,
			func(t *testing.T, b map[string]any) {
				if ps, _ := b["punits"].([]any); len(ps) != 3 {
					t.Fatalf("body: %v", b)
				}
			}},
		{"payroll system reads a p-unit", devissuer.PersonaPayrollSystem, "/api/v1/lookup/punits/" + emp.PNumber.String() + q, 200, nil},
		{"no token", "", "/api/v1/lookup/persons/" + emp.CPR.String() + q, 401, nil},
		{"bad CPR and no purpose", devissuer.PersonaCaseworker, "/api/v1/lookup/persons/12345", 400,
			func(t *testing.T, b map[string]any) {
				errs, _ := b["errors"].([]any)
				var got []string
				for _, e := range errs {
					m := e.(map[string]any)
					got = append(got, fmt.Sprint(m["field"], ":", m["code"]))
					if m["da"] == "" || m["en"] == "" {
						t.Errorf("field error lacks a language: %v", m)
					}
				}
				if fmt.Sprint(got) != "[cpr:cpr.format purpose:purpose.required]" {
					t.Fatalf("field errors: %v", got)
				}
			}},
		{"bad P-number", devissuer.PersonaCaseworker, "/api/v1/lookup/punits/12" + q, 400, nil},
		{"income period too long", devissuer.PersonaCaseworker, fmt.Sprintf("/api/v1/lookup/persons/%s/income%s&from=2015-01&to=2025-01", emp.CPR, q), 400, nil},
		{"unknown CVR", devissuer.PersonaCaseworker, "/api/v1/lookup/companies/30000013" + q, 404, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, _, body := f.get(t, tc.persona, tc.path)
			if code != tc.status {
				t.Fatalf("GET %s as %q: %d %v, want %d", tc.path, tc.persona, code, body, tc.status)
			}
			if tc.check != nil {
				tc.check(t, body)
			}
		})
	}
}

// Reads by a person are recorded under that person (actor, role); a
// refusal is recorded in the access-denied stream.
func TestHTTPLedger(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	emp, other := persona(synth.PersonaEmployee), persona(synth.PersonaNoIncome)
	absence := fmt.Sprintf("abs-http-%d", time.Now().UnixNano())
	path := "/api/v1/lookup/persons/" + emp.CPR.String() + "?purpose=case+review&absence=" + absence
	if code, _, b := f.get(t, devissuer.PersonaCaseworker, path); code != 200 {
		t.Fatalf("%d %v", code, b)
	}
	recs := f.entries(t, "reads/"+absence)
	if len(recs) != 1 {
		t.Fatalf("entries: %d", len(recs))
	}
	cw, _ := devissuer.PersonaByKey(devissuer.PersonaCaseworker)
	why := reasonOf(t, recs[0])
	if recs[0].Actor != cw.Claims.Subject || recs[0].Role != string(auth.RoleCaseworker) || recs[0].EventType != auth.EventAccessRead ||
		why["purpose"] != "case review" || why["subject"] != f.cache.Pseudonym(emp.CPR) {
		t.Fatalf("entry %+v reason %v", recs[0].Entry, why)
	}
	// The access-denied stream is shared by every test run on this database,
	// so compare its head (the last sequence number), not a count.
	head := func() int64 {
		recs := f.entries(t, auth.StreamAccessDenied)
		if len(recs) == 0 {
			return 0
		}
		return recs[len(recs)-1].Seq
	}
	before := head()
	if code, _, _ := f.get(t, devissuer.PersonaCitizen, "/api/v1/lookup/persons/"+other.CPR.String()+"?purpose=curious"); code != 404 {
		t.Fatalf("citizen reading another: %d", code)
	}
	if after := head(); after <= before {
		t.Fatalf("the refusal is not in the ledger (head %d then %d)", before, after)
	}
}

// A register that is down gives 503 with Retry-After over HTTP, never an
// empty answer; a cached answer is still served.
func TestHTTPRegisterDown(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	emp := persona(synth.PersonaEmployee)
	cached := "/api/v1/lookup/persons/" + emp.CPR.String() + "?purpose=test"
	if code, _, _ := f.get(t, devissuer.PersonaCaseworker, cached); code != 200 {
		t.Fatalf("warm: %d", code)
	}
	f.standin.SetDown(true)
	defer f.standin.SetDown(false)
	code, h, body := f.get(t, devissuer.PersonaCaseworker, "/api/v1/lookup/companies/"+emp.CVR.String()+"?purpose=test")
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || body["code"] != "register-unavailable" || body["da"] == "" {
		t.Fatalf("register down: %d %v %v", code, h, body)
	}
	if code, _, _ := f.get(t, devissuer.PersonaCaseworker, cached); code != 200 {
		t.Fatalf("cached person with the register down: %d", code)
	}
}

// With Redis unreachable every lookup still answers, from the register.
func TestRedisDownStillAnswers(t *testing.T) {
	t.Parallel()
	f := start(t, options{redisURL: "redis://" + closedPort(t) + "/0"})
	emp := persona(synth.PersonaEmployee)
	for range 3 {
		code, _, body := f.get(t, devissuer.PersonaCaseworker, "/api/v1/lookup/persons/"+emp.CPR.String()+"?purpose=test")
		if code != 200 || body["cpr"] != emp.CPR.String() {
			t.Fatalf("redis down: %d %v", code, body)
		}
		ev := request(t, events.LookupRequest{Kind: "company", CVR: emp.CVR.String(), Purpose: purpose})
		if code := f.post(t, ev); code != http.StatusAccepted {
			t.Fatalf("event with redis down: %d", code)
		}
	}
	if s := f.cache.Stats(); s.Hits != 0 || s.Misses != 6 {
		t.Fatalf("stats %+v", s)
	}
	// Invalidation cannot be done without Redis: 503, retried.
	inv, _ := events.New(events.LookupInvalidated, "nrctl", "", events.LookupInvalidation{All: true, Reason: "test"}, nil)
	if code := f.post(t, inv); code != http.StatusServiceUnavailable {
		t.Fatalf("invalidation with redis down: %d, want 503", code)
	}
}

// lookup.invalidated drops the entries it names.
func TestInvalidatedEvent(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	emp := persona(synth.PersonaEmployee)
	path := "/api/v1/lookup/persons/" + emp.CPR.String() + "?purpose=test"
	for range 2 {
		if code, _, _ := f.get(t, devissuer.PersonaCaseworker, path); code != 200 {
			t.Fatal(code)
		}
	}
	if s := f.cache.Stats(); s.Hits != 1 || s.Misses != 1 {
		t.Fatalf("warm: %+v", s)
	}
	tests := []struct {
		name string
		data events.LookupInvalidation
		code int
	}{
		{"person", events.LookupInvalidation{CPR: emp.CPR.String(), Reason: "CPR change notice"}, http.StatusAccepted},
		{"all", events.LookupInvalidation{All: true, Reason: "nrctl seed"}, http.StatusAccepted},
		{"bad CPR is refused", events.LookupInvalidation{CPR: "3102901234", Reason: "x"}, http.StatusBadRequest},
		{"nothing named is refused", events.LookupInvalidation{Reason: "x"}, http.StatusBadRequest},
	}
	for _, tc := range tests { // sequential: they share the cache
		before := f.cache.Stats()
		ev, err := events.New(events.LookupInvalidated, "nrctl", "", tc.data, nil)
		if err != nil {
			t.Fatal(err)
		}
		if code := f.post(t, ev); code != tc.code {
			t.Fatalf("%s: %d, want %d", tc.name, code, tc.code)
		}
		if code, _, _ := f.get(t, devissuer.PersonaCaseworker, path); code != 200 {
			t.Fatal(code)
		}
		after := f.cache.Stats()
		wantMiss := tc.code == http.StatusAccepted
		if gotMiss := after.Misses > before.Misses; gotMiss != wantMiss {
			t.Fatalf("%s: miss after invalidation = %v, want %v", tc.name, gotMiss, wantMiss)
		}
	}
}
