package subsidy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/subsidy/grants"
	"nemrefusion.dk/infra/blanket/blankettest"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// These tests run the definitions through the real runtime and pipeline
// against Postgres with the synthetic registers; what the function emits
// is read from its own outbox.

type fixture struct{ *runtimetest.Kit }

// newFixture runs the subsidy definitions on the blanket pipeline, with
// the embedded caps and any extra ones.
func newFixture(t *testing.T, extra ...grants.YearCap) *fixture {
	t.Helper()
	caps, err := grants.DefaultCaps()
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range extra {
		if caps, err = caps.With(y); err != nil {
			t.Fatal(err)
		}
	}
	rates, err := grants.DefaultRates()
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Caps: caps, Rates: rates}
	return &fixture{blankettest.Start(t, "subsidy", h.Definitions()...)}
}

// testCaps are caps of LAB §§ 133 and 136 for the year of lastMonth, test
// figures (the embedded table has only the law's 2019 figures), so that
// requests for last month can be decided.
func testCaps() []grants.YearCap {
	from, _ := lastMonth()
	return []grants.YearCap{
		{Scheme: grants.SchemeFlexjob, Year: from.Year(), Amount: 50000000, Hourly: 30000, Source: "test: not a real figure"},
		{Scheme: grants.SchemeSelfEmployed136, Year: from.Year(), Amount: 50000000, Hourly: 30000, Source: "test: not a real figure"},
	}
}

func day(t time.Time) string { return t.Format(time.DateOnly) }

func dec(ref, date string) events.SubsidyDecision {
	return events.SubsidyDecision{Reference: ref, Date: date}
}

func span(from, to time.Time) events.DatePeriod {
	return events.DatePeriod{From: day(from), To: day(to)}
}

// lastMonth is the first and last day of the month before this one.
func lastMonth() (time.Time, time.Time) {
	n := time.Now()
	first := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	return first, first.AddDate(0, 1, -1)
}

// blankets returns one valid request of every subsidy blanket, from the
// employee persona's employer (or the self-employed persona), with a
// fresh agreement reference.
func blankets(t *testing.T) map[string]any {
	e := blankettest.Persona(t, synth.PersonaEmployee)
	s := blankettest.Persona(t, synth.PersonaSelfEmployed)
	ref := uuid.NewString()[:8]
	from, to := lastMonth()
	c := events.Contact{Name: "Lone Løn"}
	cpr, cvr, pn := e.CPR.String(), e.CVR.String(), e.PNumber.String()
	return map[string]any{
		events.SubsidyWageRequested: events.SubsidyWageRequest{CPR: cpr, CVR: cvr, PNumber: pn, Agreement: dec("JC-"+ref, day(from.AddDate(0, -2, 0))),
			AgreementPeriod: span(from.AddDate(0, -1, 0), to.AddDate(0, 5, 0)), Period: span(from, to), HoursWorked: 148, HourlyWage: 160, WagesPaid: 23680, Contact: c},
		events.SubsidyFlexjobRequested: events.SubsidyFlexjobRequest{CPR: cpr, CVR: cvr, PNumber: pn, Agreement: dec("FJ-"+ref, "2011-09-01"),
			Fraction: "2/3", Period: span(from, to), HoursWorked: 120, WagesPaid: 24000, Contact: c},
		events.SubsidyJobClarificationRequested: events.SubsidyJobClarificationRequest{CPR: cpr, CVR: cvr, PNumber: pn, Decision: dec("JA-"+ref, day(from.AddDate(0, -1, 0))),
			ProcessStart: day(from), Period: span(from, to), HoursPaid: 148, WagesPaid: 26000, Contact: c},
		events.SubsidyAdultApprenticeRequested: events.SubsidyAdultApprenticeRequest{CPR: cpr, CVR: cvr, PNumber: pn, Agreement: dec("UA-"+ref, "2025-08-01"),
			Decision: dec("VL-"+ref, "2025-08-10"), Month: from.Format("2006-01"), Hours: 160.5, Contact: c},
		events.SubsidyMentorRequested: events.SubsidyMentorRequest{CPR: cpr, CVR: cvr, PNumber: pn, Decision: dec("ME-"+ref, day(from.AddDate(0, -1, 0))),
			Grant: span(from, from.AddDate(0, 6, -1)), Period: span(from, to), MentorHours: 12, Cost: 3600, Contact: c},
		events.SubsidySelfEmployed136Requested: events.SubsidySelfEmployed136Request{CPR: s.CPR.String(), CVR: s.CVR.String(), Decision: dec("S136-"+ref, day(from.AddDate(0, -3, 0))),
			Fraction: "1/2", Basis: 28000, Period: span(from, to), Contact: events.Contact{Name: "Selv"}},
	}
}

// Every subsidy blanket goes to the person's municipality (its jobcenter)
// with a receipt to the sender and nothing else: no feedback (§ 1 stk. 3),
// no notification letter (§ 1 stk. 8) but of job clarification (LAS § 69 t,
// not exempted), no tasks, no reminders.
func TestEverySubsidyGoesToTheMunicipalityWithOnlyAReceipt(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testCaps()...)
	want := map[string]string{events.SubsidySelfEmployed136Requested: "630"} // the self-employed persona lives in municipality 630 in CPR
	for typ, data := range blankets(t) {
		t.Run(typ, func(t *testing.T) {
			id := uuid.Must(uuid.NewV7()).String()
			ev := blankettest.Submission(t, typ, id, data)
			f.Deliver(t, ev)
			f.Deliver(t, ev) // redelivered: no second effect
			out := f.Outbox(t, id)
			letters := 1
			if typ == events.SubsidyJobClarificationRequested {
				letters = 2 // and the person's notification letter (§ 1 stk. 8 does not exempt LAS § 69 t)
			}
			for et, n := range map[string]int{events.DeliveryRequested: 1, events.LetterRequested: letters, events.BlanketDecided: 0,
				events.BlanketRejected: 0, events.CitizenTasksRequested: 0, events.ReminderScheduled: 0} {
				if got := len(runtimetest.OfType(out, et)); got != n {
					t.Errorf("%d × %s, want %d", got, et, n)
				}
			}
			if len(runtimetest.OfType(out, events.DeliveryRequested)) == 0 {
				return
			}
			var del events.DeliveryRequest
			_ = json.Unmarshal(runtimetest.OfType(out, events.DeliveryRequested)[0].Data, &del)
			wantRecipient := "101"
			if w, ok := want[typ]; ok {
				wantRecipient = w
			}
			if del.Recipient != wantRecipient || del.Kind[:8] != "subsidy." || events.DeliveryKindHasFeedback(del.Kind) {
				t.Errorf("delivery %s to %s, want a subsidy kind without feedback to %s", del.Kind, del.Recipient, wantRecipient)
			}
			kinds := map[string]int{}
			for _, e := range runtimetest.OfType(out, events.LetterRequested) {
				var l events.LetterRequest
				_ = json.Unmarshal(e.Data, &l)
				kinds[l.Kind]++
				switch {
				case l.Kind == events.LetterSenderReceipt && l.Recipient.CVR.IsZero():
					t.Errorf("the receipt goes to %+v, want the sender", l.Recipient)
				case l.Kind == events.LetterNotification && (l.Recipient.CPR.IsZero() || l.Data["firstAbsenceDay"] == "" || l.Data["blanket"] != typ):
					t.Errorf("notification %+v, want one to the person naming the blanket and its first day", l)
				}
			}
			if kinds[events.LetterSenderReceipt] != 1 || kinds[events.LetterNotification] != letters-1 {
				t.Errorf("letters %v, want the receipt and %d notification", kinds, letters-1)
			}
			for _, e := range out {
				if err := events.ValidateJSON(e.Type, e.Data); err != nil {
					t.Errorf("%s does not fit its schema: %v", e.Type, err)
				}
			}
			var payload struct {
				Submission json.RawMessage      `json:"submission"`
				Result     events.SubsidyResult `json:"result"`
			}
			_ = json.Unmarshal(del.Payload, &payload)
			if len(payload.Submission) == 0 || payload.Result.CaseID != id || payload.Result.Period.From == "" {
				t.Errorf("the municipality gets the request and the result: %s", del.Payload)
			}
		})
	}
}

// rejected submits data and returns the rejection, which is in the stream
// of the grant's case when it has one (stream), else the submission's own.
func rejected(t *testing.T, f *fixture, typ string, data any, stream ...string) string {
	t.Helper()
	id := uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, typ, id, data))
	if len(stream) > 0 {
		id = stream[0]
	}
	rej := runtimetest.OfType(f.Outbox(t, id), events.BlanketRejected)
	if len(rej) != 1 {
		t.Fatalf("%s: %d rejections, want 1", typ, len(rej))
	}
	return string(rej[0].Data)
}

// The rules refuse what cannot be paid, naming the field and the law.
func TestSubsidyRulesRefuseWhatCannotBePaid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := blankets(t)

	// LAB § 159: the current month has not ended.
	a := b[events.SubsidyAdultApprenticeRequested].(events.SubsidyAdultApprenticeRequest)
	a.Month = time.Now().Format("2006-01")
	if got := rejected(t, f, events.SubsidyAdultApprenticeRequested, a); !bytes.Contains([]byte(got), []byte(`"not_ended"`)) {
		t.Errorf("adult apprentice this month: %s", got)
	}
	// LAS § 69 t: a period ending more than 3 months ago.
	j := b[events.SubsidyJobClarificationRequested].(events.SubsidyJobClarificationRequest)
	old := time.Now().AddDate(0, -5, 0)
	j.ProcessStart, j.Period = day(old), span(old, old.AddDate(0, 0, 20))
	if got := rejected(t, f, events.SubsidyJobClarificationRequested, j); !bytes.Contains([]byte(got), []byte(`"too_old"`)) {
		t.Errorf("job clarification 5 months back: %s", got)
	}
	// LAB chapter 26: a grant of 7 months.
	m := b[events.SubsidyMentorRequested].(events.SubsidyMentorRequest)
	m.Grant.To = day(mustDate(m.Grant.From).AddMonths(7).Time())
	if got := rejected(t, f, events.SubsidyMentorRequested, m); !bytes.Contains([]byte(got), []byte(`"longer_than_6_months"`)) {
		t.Errorf("mentor 7 months: %s", got)
	}
	// The same period twice under one agreement.
	w, first := b[events.SubsidyWageRequested], uuid.Must(uuid.NewV7()).String()
	f.Deliver(t, blankettest.Submission(t, events.SubsidyWageRequested, first, w))
	if got := rejected(t, f, events.SubsidyWageRequested, w, first); !bytes.Contains([]byte(got), []byte(`"already_requested"`)) {
		t.Errorf("wage subsidy twice: %s", got)
	}
	// § 136 for a company the person does not own.
	s := b[events.SubsidySelfEmployed136Requested].(events.SubsidySelfEmployed136Request)
	s.CVR = blankettest.Persona(t, synth.PersonaEmployee).CVR.String()
	if got := rejected(t, f, events.SubsidySelfEmployed136Requested, s); !bytes.Contains([]byte(got), []byte(`"cpr.not_owner"`)) {
		t.Errorf("§ 136 for another company: %s", got)
	}
}

// LAB § 133 and § 136: a period in a year whose cap is not in the table
// is rejected with a field error naming the law and the year in Danish and
// English — never paid without its cap (the embedded table has only the
// law's 2019 figures).
func TestLAB133And136_AYearWithoutACapIsRejectedNamingTheYear(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := blankets(t)
	from, _ := lastMonth()
	year := fmt.Sprint(from.Year())
	for typ, law := range map[string]string{events.SubsidyFlexjobRequested: "LAB § 133", events.SubsidySelfEmployed136Requested: "LAB § 136"} {
		got := rejected(t, f, typ, b[typ])
		var rej events.BlanketRejection
		if err := json.Unmarshal([]byte(got), &rej); err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, e := range rej.Errors {
			if e.Field == "period.from" && e.Code == "no_cap" && bytes.Contains([]byte(e.Da), []byte(year)) && bytes.Contains([]byte(e.En), []byte(year)) &&
				bytes.Contains([]byte(e.Da), []byte(law)) && bytes.Contains([]byte(e.En), []byte(law)) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s in %s without a cap: %s", typ, year, got)
		}
	}
}

// LAB chapter 12 and § 159: the wage subsidy is the hours worked × the
// agreement's hourly subsidy, at most the wages of those hours (148 h ×
// 90 kr = 13,320 kr); the adult apprentice subsidy is the hours × the
// law's rate of the target group (§ 159, stk. 2: 160.5 h × 45 kr =
// 7,222.50 kr). Without the agreement's rate or the group the amount is
// left to the municipality and the result says so.
func TestLAB12AndLAB159_TheAmountIsComputedFromTheRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := blankets(t)
	w := b[events.SubsidyWageRequested].(events.SubsidyWageRequest)
	w.HourlySubsidy = ptr(90.0)
	a := b[events.SubsidyAdultApprenticeRequested].(events.SubsidyAdultApprenticeRequest)
	a.Group = "unemployed"
	noRate := b[events.SubsidyAdultApprenticeRequested].(events.SubsidyAdultApprenticeRequest)
	noRate.Decision.Reference += "-2"
	for _, c := range []struct {
		name        string
		typ         string
		data        any
		rate, total events.Kroner
		unknown     bool
	}{
		{"wage at the agreement's rate", events.SubsidyWageRequested, w, 9000, 1332000, false},
		{"adult apprentice from unemployment", events.SubsidyAdultApprenticeRequested, a, 4500, 722250, false},
		{"adult apprentice without a group", events.SubsidyAdultApprenticeRequested, noRate, 0, 0, true},
	} {
		id := uuid.Must(uuid.NewV7()).String()
		f.Deliver(t, blankettest.Submission(t, c.typ, id, c.data))
		dels := runtimetest.OfType(f.Outbox(t, id), events.DeliveryRequested)
		if len(dels) != 1 {
			t.Fatalf("%s: %d deliveries", c.name, len(dels))
		}
		if err := events.ValidateJSON(dels[0].Type, dels[0].Data); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		var del events.DeliveryRequest
		_ = json.Unmarshal(dels[0].Data, &del)
		var item struct {
			Result events.SubsidyResult `json:"result"`
		}
		_ = json.Unmarshal(del.Payload, &item)
		h := item.Result.Hourly
		switch {
		case h == nil:
			t.Errorf("%s: no hourly amount: %s", c.name, del.Payload)
		case c.unknown && (!h.RateUnknown || h.Amount != nil):
			t.Errorf("%s: %+v, want the rate unknown", c.name, h)
		case !c.unknown && (h.RateUnknown || h.Rate == nil || *h.Rate != c.rate || h.Amount == nil || *h.Amount != c.total):
			t.Errorf("%s: %s, want %s × hours = %s", c.name, del.Payload, c.rate, c.total)
		}
	}
}

// LAB § 136: the support is the fraction of the basis the decision names
// — ½ of 28,000 kr = 14,000 kr — at most what is left of the year's cap
// after what the grant has had that year. With a yearly ceiling of the
// basis of 40,000 kr (a test figure: the embedded table has only 2019),
// the cap is ½ of it, 20,000 kr, and the second month gets 6,000 kr. The delivery to the municipality carries it as
// events.SubsidyResult (the subsidies give no feedback, § 1 stk. 3).
func TestSelfEmployed136ResultIsTheContractsCappedByTheYearsCap(t *testing.T) {
	t.Parallel()
	f := newFixture(t, grants.YearCap{Scheme: grants.SchemeSelfEmployed136, Year: 2025, Amount: 4000000, Source: "test"})
	r := blankets(t)[events.SubsidySelfEmployed136Requested].(events.SubsidySelfEmployed136Request)
	r.Decision.Date = "2024-12-01"
	id := uuid.Must(uuid.NewV7()).String()
	months := []events.DatePeriod{{From: "2025-01-01", To: "2025-01-31"}, {From: "2025-02-01", To: "2025-02-28"}}
	for i, p := range months {
		r.Period = p
		sub := id
		if i > 0 {
			sub = uuid.Must(uuid.NewV7()).String()
		}
		f.Deliver(t, blankettest.Submission(t, events.SubsidySelfEmployed136Requested, sub, r))
	}
	out := f.Outbox(t, id)
	if n := len(runtimetest.OfType(out, events.BlanketDecided)); n != 0 {
		t.Errorf("%d × %s, want none", n, events.BlanketDecided)
	}
	dels := runtimetest.OfType(out, events.DeliveryRequested)
	if len(dels) != 2 {
		t.Fatalf("%d deliveries in the grant, want 2", len(dels))
	}
	paid, amount := []events.Kroner{0, 1400000}, []events.Kroner{1400000, 600000}
	for i, e := range dels {
		if err := events.ValidateJSON(e.Type, e.Data); err != nil {
			t.Errorf("%s does not fit its schema: %v", e.Type, err)
		}
		var del events.DeliveryRequest
		var item struct {
			Blanket string          `json:"blanket"`
			Result  json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(e.Data, &del); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(del.Payload, &item); err != nil {
			t.Fatal(err)
		}
		got, err := events.DecodeBlanketResult(item.Blanket, item.Result)
		if err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
		res, ok := got.(events.SubsidyResult)
		if !ok {
			t.Fatalf("delivery %d: result is %T, want events.SubsidyResult", i, got)
		}
		if res.CaseID != id || res.Scheme != grants.SchemeSelfEmployed136 || res.Version != i+1 || res.Period != months[i] {
			t.Errorf("delivery %d: case %s scheme %s version %d period %+v", i, res.CaseID, res.Scheme, res.Version, res.Period)
		}
		want := events.SubsidyFraction{Scheme: grants.SchemeSelfEmployed136, Fraction: "1/2", Basis: 2800000, AmountBeforeCap: 1400000,
			Year: 2025, PaidThisYear: paid[i], Cap: ptr[events.Kroner](2000000), Amount: &amount[i]}
		if s := res.Subsidy; s == nil || s.Cap == nil || s.Amount == nil || *s.Cap != *want.Cap || *s.Amount != *want.Amount ||
			s.Scheme != want.Scheme || s.Fraction != want.Fraction || s.Basis != want.Basis || s.AmountBeforeCap != want.AmountBeforeCap ||
			s.Year != want.Year || s.PaidThisYear != want.PaidThisYear || s.CapUnknown {
			t.Errorf("delivery %d: subsidy %s, want %+v with amount %s", i, item.Result, want, *want.Amount)
		}
	}
}

func ptr[T any](v T) *T { return &v }
