package refusion

import (
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// SenderKind says who reports an absence and how they pay, which decides the
// report deadline.
type SenderKind string

// The sender kinds Deadlines knows.
const (
	// SenderEmployerWages is an employer paying wages during the absence (§ 40, stk. 1).
	SenderEmployerWages SenderKind = "employer-wages"
	// SenderEmployerSygedagpenge is an employer paying only sygedagpenge in the employer period (§ 40, stk. 2).
	SenderEmployerSygedagpenge SenderKind = "employer-sygedagpenge"
	// SenderEmployerNeither is an employer paying neither wages nor sygedagpenge (§ 40, stk. 3).
	SenderEmployerNeither SenderKind = "employer-neither"
	// SenderSelfEmployed is a self-employed person reporting their own absence (§ 41).
	SenderSelfEmployed SenderKind = "self-employed"
	// SenderAKasse is an unemployment insurance fund reporting a member's absence.
	SenderAKasse SenderKind = "a-kasse"
)

// Insurance is a self-employed person's voluntary sickness insurance.
type Insurance string

// The insurance choices of a self-employed person.
const (
	InsuranceNone Insurance = "none" // sygedagpenge after 2 weeks
	InsuranceDay1 Insurance = "day1" // sygedagpenge from the 1st absence day
	InsuranceDay3 Insurance = "day3" // sygedagpenge from the 3rd absence day
)

// ReportDeadlineWeeks is the employer's deadline in weeks after the first
// absence day when paying wages (§ 40, stk. 1).
const ReportDeadlineWeeks = 5

// DeadlineInput is what the report deadline of one sender depends on.
// FirstAbsenceDay is always required; PaymentsStoppedOn for
// SenderEmployerSygedagpenge; Insurance for SenderSelfEmployed; ToldOn (the
// day the a-kasse was told of the sickness) for SenderAKasse. LastAbsenceDay
// and Section56 matter for SenderEmployerWages: a § 56 absence of at most 30
// days may be reported within 3 months.
type DeadlineInput struct {
	Sender            SenderKind   `json:"sender"`
	FirstAbsenceDay   kernel.Date  `json:"firstAbsenceDay"`
	LastAbsenceDay    *kernel.Date `json:"lastAbsenceDay,omitempty"`
	Section56         bool         `json:"section56,omitempty"`
	PaymentsStoppedOn *kernel.Date `json:"paymentsStoppedOn,omitempty"`
	Insurance         Insurance    `json:"insurance,omitempty"`
	ToldOn            *kernel.Date `json:"toldOn,omitempty"`
}

// Deadline is the last day a sender's report is in time (a report received
// on that day is in time), with the rule it follows.
type Deadline struct {
	Sender SenderKind    `json:"sender"`
	Date   kernel.Date   `json:"date"`
	Reason kernel.Reason `json:"reason"`
}

// Deadlines returns the report deadline of the sender kind in.Sender, with
// its reason. It returns events.FieldErrors naming every missing or bad input.
func Deadlines(in DeadlineInput) (Deadline, error) {
	var fe events.FieldErrors
	if in.FirstAbsenceDay.IsZero() {
		fe.Add("firstAbsenceDay", "required", "Første fraværsdag skal udfyldes.", "The first absence day is required.")
	}
	if in.LastAbsenceDay != nil && !in.FirstAbsenceDay.IsZero() && in.LastAbsenceDay.Before(in.FirstAbsenceDay) {
		fe.Add("lastAbsenceDay", "before_first_absence_day", "Sidste fraværsdag ligger før første fraværsdag.", "The last absence day is before the first absence day.")
	}
	switch in.Sender {
	case SenderEmployerWages, SenderEmployerNeither:
	case SenderEmployerSygedagpenge:
		if in.PaymentsStoppedOn == nil || in.PaymentsStoppedOn.IsZero() {
			fe.Add("paymentsStoppedOn", "required", "Datoen for ophør af udbetaling af sygedagpenge skal udfyldes.", "The day the sygedagpenge payments stopped is required.")
		}
	case SenderSelfEmployed:
		switch in.Insurance {
		case InsuranceNone, InsuranceDay1, InsuranceDay3:
		default:
			fe.Add("insurance", "invalid", "Forsikring skal være none, day1 eller day3.", "Insurance must be none, day1 or day3.")
		}
	case SenderAKasse:
		if in.ToldOn == nil || in.ToldOn.IsZero() {
			fe.Add("toldOn", "required", "Datoen, hvor a-kassen fik besked om sygdommen, skal udfyldes.", "The day the a-kasse was told of the sickness is required.")
		}
	default:
		fe.Add("sender", "invalid", "Ukendt anmeldertype.", "Unknown sender kind.")
	}
	if err := fe.Err(); err != nil {
		return Deadline{}, fmt.Errorf("report deadline: %w", err)
	}
	f := in.FirstAbsenceDay
	switch in.Sender {
	case SenderEmployerWages:
		if in.Section56 && in.LastAbsenceDay != nil && in.LastAbsenceDay.Before(f.AddDays(EmployerPeriodDays)) {
			d, r := Section56ShortDeadline(f, *in.LastAbsenceDay)
			return Deadline{in.Sender, d, r}, nil
		}
		d, r := WagesDeadline(f)
		return Deadline{in.Sender, d, r}, nil
	case SenderEmployerSygedagpenge:
		d, r := SygedagpengeOnlyDeadline(*in.PaymentsStoppedOn)
		return Deadline{in.Sender, d, r}, nil
	case SenderEmployerNeither:
		d, r := NeitherDeadline(f)
		return Deadline{in.Sender, d, r}, nil
	case SenderSelfEmployed:
		d, r := SelfEmployedDeadline(f, in.Insurance)
		return Deadline{in.Sender, d, r}, nil
	default: // SenderAKasse
		d, r := AKasseDeadline(*in.ToldOn)
		return Deadline{in.Sender, d, r}, nil
	}
}

// WagesDeadline is the deadline of an employer paying wages: exactly 5 weeks
// (35 days) after the first absence day, and a report received on that date
// is in time (sygedagpengeloven § 40, stk. 1). First day 4 March 2024 gives
// 8 April 2024.
func WagesDeadline(first kernel.Date) (kernel.Date, kernel.Reason) {
	d := first.AddDays(7 * ReportDeadlineWeeks)
	return d, kernel.Reason{
		Rule:   "sdl-40-1",
		Law:    "sygedagpengeloven § 40, stk. 1",
		Source: srcSDL40,
		TextDa: fmt.Sprintf("En arbejdsgiver, der udbetaler løn, skal anmelde fraværet senest 5 uger efter første fraværsdag, dvs. senest %s (en anmeldelse modtaget den dag er rettidig).", d.Danish()),
		TextEn: fmt.Sprintf("An employer paying wages must report the absence within 5 weeks of the first absence day, i.e. by %s (a report received on that day is in time).", d.English()),
		Inputs: map[string]any{"firstAbsenceDay": first},
		Result: d,
	}
}

// Section56ShortDeadline is the deadline for an absence under a § 56
// agreement lasting at most 30 days: 3 months after the first absence day
// (sygedagpengeloven § 56 with § 59, stk. 4; see DOMAIN.md).
func Section56ShortDeadline(first, last kernel.Date) (kernel.Date, kernel.Reason) {
	d := first.AddMonths(3)
	return d, kernel.Reason{
		Rule:   "sdl-56-30-days",
		Law:    "sygedagpengeloven § 56, jf. § 59, stk. 4",
		Source: srcSection56Due,
		TextDa: fmt.Sprintf("Fravær efter en § 56-aftale på højst 30 dage kan anmeldes senest 3 måneder efter første fraværsdag, dvs. senest %s.", d.Danish()),
		TextEn: fmt.Sprintf("An absence under a § 56 agreement of at most 30 days can be reported within 3 months of the first absence day, i.e. by %s.", d.English()),
		Inputs: map[string]any{"firstAbsenceDay": first, "lastAbsenceDay": last},
		Result: d,
	}
}

// SygedagpengeOnlyDeadline is the deadline of an employer paying only
// sygedagpenge in the employer period: 1 week after those payments stop
// (sygedagpengeloven § 40, stk. 2).
func SygedagpengeOnlyDeadline(stopped kernel.Date) (kernel.Date, kernel.Reason) {
	d := stopped.AddDays(7)
	return d, kernel.Reason{
		Rule:   "sdl-40-2",
		Law:    "sygedagpengeloven § 40, stk. 2",
		Source: srcSDL40,
		TextDa: fmt.Sprintf("En arbejdsgiver, der kun udbetaler sygedagpenge, skal anmelde fraværet senest 1 uge efter, at udbetalingen er ophørt (%s), dvs. senest %s.", stopped.Danish(), d.Danish()),
		TextEn: fmt.Sprintf("An employer paying only sygedagpenge must report the absence within 1 week after the payments stopped (%s), i.e. by %s.", stopped.English(), d.English()),
		Inputs: map[string]any{"paymentsStoppedOn": stopped},
		Result: d,
	}
}

// NeitherDeadline is the deadline of an employer paying neither wages nor
// sygedagpenge: 14 days after the first absence day (sygedagpengeloven § 40, stk. 3).
func NeitherDeadline(first kernel.Date) (kernel.Date, kernel.Reason) {
	d := first.AddDays(14)
	return d, kernel.Reason{
		Rule:   "sdl-40-3",
		Law:    "sygedagpengeloven § 40, stk. 3",
		Source: srcSDL40,
		TextDa: fmt.Sprintf("En arbejdsgiver, der hverken udbetaler løn eller sygedagpenge, skal anmelde fraværet senest 14 dage efter første fraværsdag, dvs. senest %s.", d.Danish()),
		TextEn: fmt.Sprintf("An employer paying neither wages nor sygedagpenge must report the absence within 14 days of the first absence day, i.e. by %s.", d.English()),
		Inputs: map[string]any{"firstAbsenceDay": first},
		Result: d,
	}
}

// SelfEmployedDeadline is the deadline of a self-employed person
// (sygedagpengeloven § 41): 3 weeks after the first absence day without
// insurance; 1 week after the entitlement starts with voluntary insurance.
func SelfEmployedDeadline(first kernel.Date, ins Insurance) (kernel.Date, kernel.Reason) {
	if ins == InsuranceNone || ins == "" {
		d := first.AddDays(21)
		return d, kernel.Reason{
			Rule:   "sdl-41-uninsured",
			Law:    "sygedagpengeloven § 41",
			Source: srcSDL41,
			TextDa: fmt.Sprintf("En selvstændig uden frivillig forsikring skal anmelde sygefraværet senest 3 uger efter første fraværsdag, dvs. senest %s.", d.Danish()),
			TextEn: fmt.Sprintf("A self-employed person without voluntary insurance must report the absence within 3 weeks of the first absence day, i.e. by %s.", d.English()),
			Inputs: map[string]any{"firstAbsenceDay": first, "insurance": ins},
			Result: d,
		}
	}
	start, _ := SelfEmployedEntitlement(first, ins)
	d := start.AddDays(7)
	return d, kernel.Reason{
		Rule:   "sdl-41-insured",
		Law:    "sygedagpengeloven § 41",
		Source: srcSDL41,
		TextDa: fmt.Sprintf("En selvstændig med frivillig forsikring skal anmelde sygefraværet senest 1 uge efter, at retten til sygedagpenge er indtrådt (%s), dvs. senest %s.", start.Danish(), d.Danish()),
		TextEn: fmt.Sprintf("A self-employed person with voluntary insurance must report the absence within 1 week after the entitlement starts (%s), i.e. by %s.", start.English(), d.English()),
		Inputs: map[string]any{"firstAbsenceDay": first, "insurance": ins},
		Result: d,
	}
}

// AKasseDeadline is the deadline of an a-kasse: 1 week after it was told of
// the member's sickness (DOMAIN.md, STAR).
func AKasseDeadline(told kernel.Date) (kernel.Date, kernel.Reason) {
	d := told.AddDays(7)
	return d, kernel.Reason{
		Rule:   "akasse-report-1-week",
		Law:    "sygedagpengeloven, arbejdsløshedskassens anmeldelse (STAR)",
		Source: srcAKasse,
		TextDa: fmt.Sprintf("A-kassen skal anmelde medlemmets sygefravær til kommunen senest 1 uge efter at have fået besked om sygdommen (%s), dvs. senest %s.", told.Danish(), d.Danish()),
		TextEn: fmt.Sprintf("The a-kasse must report the member's absence to the municipality within 1 week of being told of the sickness (%s), i.e. by %s.", told.English(), d.English()),
		Inputs: map[string]any{"toldOn": told},
		Result: d,
	}
}
