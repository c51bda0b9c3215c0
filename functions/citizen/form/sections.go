// Package form is the information form (oplysningsskema) of Mit Sygefravær
// (seeds/003): its sections in order, which of them apply given the kind of
// person and earlier answers, validation of one section or the whole form
// against the shared schema (schemas/citizen.information-form.v1.json, one
// $defs entry per section) plus the rules a schema cannot state, and the
// draft that survives log-out and resumes on the page reached.
//
// The package does no I/O: the schema is embedded in nemrefusion.dk/schemas.
package form

import (
	"encoding/json"
	"slices"
	"time"
)

// Section names, in the order the form shows them (the schema's x-sections).
const (
	Illness    = "illness"    // Din sygdom
	Injury     = "injury"     // Arbejds- og personskade
	Position   = "position"   // Stilling og uddannelsesbaggrund
	BackToWork = "backToWork" // Tilbage i arbejde
	Treatment  = "treatment"  // Behandling
	Workplace  = "workplace"  // Arbejdsplads og arbejdsfunktioner
	Contact    = "contact"    // Kontaktoplysninger
	Consents   = "consents"   // Afgiv samtykke
)

// Summary is the page after the last section ("Opsummering"), where the
// form is signed.
const Summary = "summary"

// Order lists every section in the order of the form.
var Order = []string{Illness, Injury, Position, BackToWork, Treatment, Workplace, Contact, Consents}

// Titles are the sections' titles in Danish and English.
var Titles = map[string][2]string{
	Illness:    {"Din sygdom", "Your illness"},
	Injury:     {"Arbejds- og personskade", "Work or personal injury"},
	Position:   {"Stilling og uddannelsesbaggrund", "Position and education"},
	BackToWork: {"Tilbage i arbejde", "Back to work"},
	Treatment:  {"Behandling", "Treatment"},
	Workplace:  {"Arbejdsplads og arbejdsfunktioner", "Workplace and work functions"},
	Contact:    {"Kontaktoplysninger", "Contact details"},
	Consents:   {"Afgiv samtykke", "Consents"},
}

// Kinds of person (events.CitizenTasksRequest.PersonKind).
const (
	Employee         = "employee"
	SelfEmployed     = "self-employed"
	UnemployedMember = "unemployed-member"
)

// TargetWeeks is how far after the first absence day the date in "Tilbage i
// arbejde" lies (seeds/003: Mit Sygefravær fills in the date 8 weeks from
// the first absence day).
const TargetWeeks = 8

// Retention is the employer's answers to the three retention questions of
// the report (events.Retention), shown on the workplace page.
type Retention struct {
	PartialResumptionPossible bool `json:"partialResumptionPossible"`
	ExpectsReturn             bool `json:"expectsReturn"`
	RetentionPlanWanted       bool `json:"retentionPlanWanted"`
}

// Context is what the form depends on besides the answers.
type Context struct {
	PersonKind      string
	FirstAbsenceDay time.Time
	// Retention is nil when the employer did not answer the retention
	// questions (or there is no employer).
	Retention *Retention
}

// TargetDate is the date 8 weeks after the first absence day.
func (c Context) TargetDate() time.Time { return c.FirstAbsenceDay.AddDate(0, 0, 7*TargetWeeks) }

// Answers are the answers per section, as JSON objects.
type Answers map[string]json.RawMessage

// standby reports whether the person chose the standby scheme: seriously
// ill and wanting no follow-up for now.
func standby(a Answers) bool {
	var ill struct {
		Serious bool `json:"seriousIllness"`
		Standby bool `json:"useStandby"`
	}
	if raw, ok := a[Illness]; ok {
		_ = json.Unmarshal(raw, &ill)
	}
	return ill.Serious && ill.Standby
}

// Sections returns the sections that apply, in order, given the context and
// the answers so far (seeds/003: "Hvad den sygemeldte svarer under et emne,
// afgør om han/hun skal igennem næste emne eller ej"):
//   - illness, injury, treatment, contact and consents always apply;
//   - position and back to work are for the job centre's follow-up and are
//     left out when the person is seriously ill and chose standby;
//   - workplace and work functions apply to those with a workplace (an
//     employee or the self-employed, not an unemployed member), again not
//     under standby.
func Sections(c Context, a Answers) []string {
	sb := standby(a)
	out := make([]string, 0, len(Order))
	for _, s := range Order {
		switch s {
		case Position, BackToWork:
			if sb {
				continue
			}
		case Workplace:
			if sb || c.PersonKind == UnemployedMember {
				continue
			}
		}
		out = append(out, s)
	}
	return out
}

// Known reports whether s is a section of the form.
func Known(s string) bool { return slices.Contains(Order, s) }
