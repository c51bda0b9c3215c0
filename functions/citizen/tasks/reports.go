package tasks

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/form"
)

// RecoveryReport is the recovery (raskmelding) of one absence: the person
// chose the employment (the absence) and gives the last absence day.
type RecoveryReport struct {
	LastAbsenceDay string `json:"lastAbsenceDay"`
}

// DecideRecovery checks a recovery of absence a on day today: the absence
// is active and the last absence day lies between the first absence day
// and today. It is signed and goes to the municipality (seeds/003, "Meld
// dig rask").
func DecideRecovery(a Absence, body json.RawMessage, today time.Time) (Answer, time.Time, error) {
	if !a.Active() {
		return Answer{}, time.Time{}, ErrNotActive
	}
	var in RecoveryReport
	if fe := decode(body, &in); len(fe) > 0 {
		return Answer{}, time.Time{}, fe
	}
	var fe events.FieldErrors
	last, err := ParseDate(in.LastAbsenceDay)
	switch {
	case in.LastAbsenceDay == "":
		fe.Add("lastAbsenceDay", "required", "Angiv din sidste fraværsdag.", "Please give your last day of absence.")
	case err != nil:
		fe.Add("lastAbsenceDay", "date", "Datoen findes ikke (ÅÅÅÅ-MM-DD).", "The date does not exist (YYYY-MM-DD).")
	case last.Before(a.FirstAbsenceDay):
		fe.Add("lastAbsenceDay", "before-first-absence-day", "Den sidste fraværsdag kan ikke ligge før den første fraværsdag ("+danish(a.FirstAbsenceDay)+").",
			"The last day of absence cannot be before the first day of absence ("+english(a.FirstAbsenceDay)+").")
	case last.After(today):
		fe.Add("lastAbsenceDay", "in-the-future", "Den sidste fraværsdag kan ikke ligge efter i dag.", "The last day of absence cannot be after today.")
	}
	if len(fe) > 0 {
		return Answer{}, time.Time{}, fe
	}
	b, _ := json.Marshal(in)
	return Answer{Kind: Recovery, Signed: true, Send: true, Body: b}, last, nil
}

// PartialReport is a report of partly resumed work: Weeks for an employee
// or an unemployed member (hours and minutes worked per week, weeks added
// and removed as needed), Incapacity for the self-employed (the degree of
// incapacity from a date, one date at a time).
type PartialReport struct {
	Weeks      []events.ResumedWeek `json:"weeks,omitempty"`
	Incapacity *events.Incapacity   `json:"incapacity,omitempty"`
}

// MaxWeeks is the most weeks one report may hold.
const MaxWeeks = 26

// DecidePartial checks a report of partly resumed work on day today
// (seeds/003, "Delvist genoptaget arbejde").
func DecidePartial(a Absence, body json.RawMessage, today time.Time) (Answer, PartialReport, error) {
	if !a.Active() {
		return Answer{}, PartialReport{}, ErrNotActive
	}
	var in PartialReport
	if fe := decode(body, &in); len(fe) > 0 {
		return Answer{}, PartialReport{}, fe
	}
	var fe events.FieldErrors
	if a.PersonKind == form.SelfEmployed {
		fe = checkIncapacity(a, in, today)
	} else {
		fe = checkWeeks(a, in, today)
	}
	if len(fe) > 0 {
		return Answer{}, PartialReport{}, fe
	}
	b, _ := json.Marshal(in)
	return Answer{Kind: PartialResumption, Signed: true, Send: true, Body: b}, in, nil
}

func checkWeeks(a Absence, in PartialReport, today time.Time) events.FieldErrors {
	var fe events.FieldErrors
	if in.Incapacity != nil {
		fe.Add("incapacity", "not-asked", "Som lønmodtager oplyser du timer og minutter pr. uge.", "As an employee you give hours and minutes per week.")
	}
	switch {
	case len(in.Weeks) == 0:
		fe.Add("weeks", "required", "Tilføj mindst én uge.", "Please add at least one week.")
	case len(in.Weeks) > MaxWeeks:
		fe.Add("weeks", "max-items", fmt.Sprintf("Angiv højst %d uger ad gangen.", MaxWeeks), fmt.Sprintf("Give at most %d weeks at a time.", MaxWeeks))
	}
	firstMonday := monday(a.FirstAbsenceDay)
	var seen []string
	for i, w := range in.Weeks {
		f := fmt.Sprintf("weeks.%d.", i)
		d, err := ParseDate(w.WeekStart)
		switch {
		case err != nil:
			fe.Add(f+"weekStart", "date", "Datoen findes ikke (ÅÅÅÅ-MM-DD).", "The date does not exist (YYYY-MM-DD).")
		case d.Weekday() != time.Monday:
			fe.Add(f+"weekStart", "not-monday", "Ugen skal angives ved sin mandag.", "Give the week by its Monday.")
		case d.Before(firstMonday):
			fe.Add(f+"weekStart", "before-absence", "Ugen ligger før dit sygefravær begyndte.", "The week is before your absence began.")
		case d.After(today):
			fe.Add(f+"weekStart", "in-the-future", "Du kan kun oplyse arbejde i uger, der er begyndt.", "You can only report work in weeks that have begun.")
		case slices.Contains(seen, w.WeekStart):
			fe.Add(f+"weekStart", "repeated", "Ugen er angivet to gange.", "The week is given twice.")
		}
		seen = append(seen, w.WeekStart)
		if w.Hours < 0 || w.Hours > 168 {
			fe.Add(f+"hours", "range", "Timer skal være mellem 0 og 168.", "Hours must be between 0 and 168.")
		}
		if w.Minutes < 0 || w.Minutes > 59 {
			fe.Add(f+"minutes", "range", "Minutter skal være mellem 0 og 59.", "Minutes must be between 0 and 59.")
		}
		if w.Hours == 0 && w.Minutes == 0 {
			fe.Add(f+"hours", "required", "Angiv de timer og minutter, du har arbejdet i ugen.", "Please give the hours and minutes you worked that week.")
		}
		if w.Hours == 168 && w.Minutes > 0 {
			fe.Add(f+"minutes", "range", "En uge har højst 168 timer.", "A week has at most 168 hours.")
		}
	}
	return fe
}

func checkIncapacity(a Absence, in PartialReport, today time.Time) events.FieldErrors {
	var fe events.FieldErrors
	if len(in.Weeks) > 0 {
		fe.Add("weeks", "not-asked", "Som selvstændig oplyser du graden af uarbejdsdygtighed fra en dato.", "As self-employed you give the degree of incapacity from a date.")
	}
	if in.Incapacity == nil {
		fe.Add("incapacity", "required", "Angiv graden af uarbejdsdygtighed og datoen.", "Please give the degree of incapacity and the date.")
		return fe
	}
	d, err := ParseDate(in.Incapacity.From)
	switch {
	case in.Incapacity.From == "":
		fe.Add("incapacity.from", "required", "Angiv datoen.", "Please give the date.")
	case err != nil:
		fe.Add("incapacity.from", "date", "Datoen findes ikke (ÅÅÅÅ-MM-DD).", "The date does not exist (YYYY-MM-DD).")
	case d.Before(a.FirstAbsenceDay):
		fe.Add("incapacity.from", "before-absence", "Datoen ligger før dit sygefravær begyndte.", "The date is before your absence began.")
	case d.After(today.AddDate(0, 0, 31)):
		fe.Add("incapacity.from", "too-far-ahead", "Datoen må højst ligge en måned frem.", "The date may be at most one month ahead.")
	}
	switch p := in.Incapacity.Percent; {
	case p == 0:
		fe.Add("incapacity.percent", "recovered", "Er du helt rask, skal du melde dig rask i stedet.", "If you are fully fit, please report your recovery instead.")
	case p < 0 || p > 100:
		fe.Add("incapacity.percent", "range", "Graden skal være mellem 1 og 100 procent.", "The degree must be between 1 and 100 percent.")
	}
	return fe
}

// DocumentationReport sends a clean upload to the municipality with the
// reason it is sent (seeds/003, "Upload af dokumentation").
type DocumentationReport struct {
	DocumentID string `json:"documentId"`
	Title      string `json:"title,omitempty"`
	Reason     string `json:"reason"`
}

// DecideDocumentation checks that the document may be sent: uploaded for
// absence a and scanned clean. It needs no signature ("Gem og send").
func DecideDocumentation(a Absence, body json.RawMessage, docs Documents) (Answer, error) {
	var in DocumentationReport
	if fe := decode(body, &in); len(fe) > 0 {
		return Answer{}, fe
	}
	d, fe := reference(a, docs, "documentId", in.DocumentID)
	if len(fe) == 0 && strings.TrimSpace(in.Title) == "" {
		in.Title = d.Title
	}
	in.Reason = strings.TrimSpace(in.Reason)
	text(&fe, "title", strings.TrimSpace(in.Title), 200, true, "Skriv en titel på dokumentet.", "Please enter a title for the document.")
	text(&fe, "reason", in.Reason, MaxComment, true, "Skriv, hvorfor du sender dokumentet.", "Please write why you send the document.")
	if len(fe) > 0 {
		return Answer{}, fe
	}
	b, _ := json.Marshal(in)
	return Answer{Kind: Documentation, Send: true, Body: b, DocumentRefs: []string{d.ID}}, nil
}

func monday(d time.Time) time.Time {
	off := (int(d.Weekday()) + 6) % 7
	return d.AddDate(0, 0, -off)
}

var monthsDa = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}

func danish(d time.Time) string {
	return fmt.Sprintf("%d. %s %d", d.Day(), monthsDa[d.Month()-1], d.Year())
}

func english(d time.Time) string { return d.Format("2 January 2006") }
