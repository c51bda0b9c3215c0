package refusion

import (
	"errors"
	"slices"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

const (
	January   = time.January
	February  = time.February
	March     = time.March
	April     = time.April
	May       = time.May
	June      = time.June
	July      = time.July
	August    = time.August
	September = time.September
	October   = time.October
	November  = time.November
	December  = time.December
)

// date reads like the law's examples: date(4, March, 2024).
func date(d int, m time.Month, y int) kernel.Date { return kernel.NewDate(y, m, d) }

func ptr[T any](v T) *T { return &v }

func defaultTable(t *testing.T) kernel.Table {
	t.Helper()
	tab, err := kernel.DefaultTable()
	if err != nil {
		t.Fatalf("default table: %v", err)
	}
	return tab
}

// scenario builds a preview in plain language, in the style of helse-spleis:
//
//	sickFrom(date(4, March, 2024)).employedSince(date(1, January, 2020)).reportedOn(date(8, April, 2024)).preview(t)
//
// Unless told otherwise the employee has been employed for years, the
// employer pays wages, earns 200 kr an hour, works 37 hours a week and the
// report arrives 20 days after the first absence day.
type scenario struct {
	in    PreviewInput
	rates *kernel.Table
}

func sickFrom(first kernel.Date) scenario {
	return scenario{in: PreviewInput{
		FirstAbsenceDay: first,
		EmployedSince:   date(1, January, 2020),
		WagesPaid:       true,
		HourlyEarnings:  kernel.Kr(200, 0),
		WeeklyHours:     37,
		ReceivedOn:      first.AddDays(20),
	}}
}

func (s scenario) until(last kernel.Date) scenario      { s.in.LastAbsenceDay = &last; return s }
func (s scenario) employedSince(d kernel.Date) scenario { s.in.EmployedSince = d; return s }
func (s scenario) hoursLast8Weeks(h float64) scenario   { s.in.HoursLast8Weeks = &h; return s }
func (s scenario) noWages() scenario                    { s.in.WagesPaid = false; return s }
func (s scenario) earning(kr, ore int64) scenario       { s.in.HourlyEarnings = kernel.Kr(kr, ore); return s }
func (s scenario) hoursPerWeek(h float64) scenario      { s.in.WeeklyHours = h; return s }
func (s scenario) underSection56() scenario             { s.in.Section56 = true; return s }
func (s scenario) pregnancyRelated() scenario           { s.in.PregnancyRelated = true; return s }
func (s scenario) inFlexjob() scenario                  { s.in.Flexjob = true; return s }
func (s scenario) insuredSection55() scenario           { s.in.InsuredSection55 = true; return s }
func (s scenario) reportedOn(d kernel.Date) scenario    { s.in.ReceivedOn = d; return s }
func (s scenario) withRates(t kernel.Table) scenario    { s.rates = &t; return s }

func (s scenario) preview(t *testing.T) PreviewResult {
	t.Helper()
	res, err := s.tryPreview(t)
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	return res
}

func (s scenario) tryPreview(t *testing.T) (PreviewResult, error) {
	t.Helper()
	rates := defaultTable(t)
	if s.rates != nil {
		rates = *s.rates
	}
	return Preview(s.in, rates)
}

func wantRefusionFrom(t *testing.T, res PreviewResult, want kernel.Date) {
	t.Helper()
	if res.RefusionFrom == nil {
		t.Fatalf("refusion from = none, want %s; reasons: %v", want, ruleIDs(res.Reasons))
	}
	if *res.RefusionFrom != want {
		t.Fatalf("refusion from = %s, want %s; reasons: %v", res.RefusionFrom, want, ruleIDs(res.Reasons))
	}
}

func wantNoRefusion(t *testing.T, res PreviewResult) {
	t.Helper()
	if res.RefusionFrom != nil {
		t.Fatalf("refusion from = %s, want none; reasons: %v", res.RefusionFrom, ruleIDs(res.Reasons))
	}
}

func wantReason(t *testing.T, reasons []kernel.Reason, rule string) kernel.Reason {
	t.Helper()
	for _, r := range reasons {
		if r.Rule == rule {
			if r.Law == "" || r.TextDa == "" || r.TextEn == "" {
				t.Fatalf("reason %s lacks law or text: %+v", rule, r)
			}
			return r
		}
	}
	t.Fatalf("no reason %q among %v", rule, ruleIDs(reasons))
	return kernel.Reason{}
}

func wantNoReason(t *testing.T, reasons []kernel.Reason, rule string) {
	t.Helper()
	if slices.Contains(ruleIDs(reasons), rule) {
		t.Fatalf("unexpected reason %q among %v", rule, ruleIDs(reasons))
	}
}

func ruleIDs(reasons []kernel.Reason) []string {
	out := make([]string, len(reasons))
	for i, r := range reasons {
		out[i] = r.Rule
	}
	return out
}

// fieldErrors unwraps events.FieldErrors from err and returns "field:code" pairs.
func fieldErrors(t *testing.T, err error) []string {
	t.Helper()
	var fe events.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("error %v is not events.FieldErrors", err)
	}
	out := make([]string, len(fe))
	for i, e := range fe {
		if e.Da == "" || e.En == "" {
			t.Errorf("field error %s lacks a text: %+v", e.Field, e)
		}
		out[i] = e.Field + ":" + e.Code
	}
	return out
}
