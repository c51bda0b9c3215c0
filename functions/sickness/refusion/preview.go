package refusion

import (
	"fmt"
	"math"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// Limits used when validating hours.
const (
	MaxHoursPerWeek = 168
	maxHours8Weeks  = MaxHoursPerWeek * EmploymentWeeks
)

// PreviewInput is what an employer states about one sickness absence before
// reporting it. LastAbsenceDay and HoursLast8Weeks are optional.
type PreviewInput struct {
	FirstAbsenceDay kernel.Date  `json:"firstAbsenceDay"`
	LastAbsenceDay  *kernel.Date `json:"lastAbsenceDay,omitempty"`
	EmployedSince   kernel.Date  `json:"employedSince"`
	// HoursLast8Weeks is the hours worked for this employer in the 8 weeks
	// before the first absence day.
	HoursLast8Weeks *float64 `json:"hoursLast8Weeks,omitempty"`
	WagesPaid       bool     `json:"wagesPaid"`
	// HourlyEarnings is in kroner before AM-bidrag.
	HourlyEarnings   kernel.Money `json:"hourlyEarnings"`
	WeeklyHours      float64      `json:"weeklyHours"`
	Section56        bool         `json:"section56"`
	PregnancyRelated bool         `json:"pregnancyRelated"`
	Flexjob          bool         `json:"flexjob"`
	// InsuredSection55 is true when the employer holds the small private
	// employers' sickness insurance (sygedagpengeloven § 55).
	InsuredSection55 bool `json:"insuredSection55"`
	// ReceivedOn is the day the report (and request for refusion) is received.
	ReceivedOn kernel.Date `json:"receivedOn"`
}

// PreviewResult is what the employer would get: the employer period, the
// first day of refusion (nil when none is due), the report deadline and
// whether the report is late, the rates and the amount per week, and every
// reason behind them.
type PreviewResult struct {
	EmployerPeriod EmployerPeriod `json:"employerPeriod"`
	RefusionFrom   *kernel.Date   `json:"refusionFrom"`
	ReportDeadline kernel.Date    `json:"reportDeadline"`
	Late           bool           `json:"late"`
	MaxHourlyRate  kernel.Money   `json:"maxHourlyRate"`
	HourlyRate     kernel.Money   `json:"hourlyRate"`
	WeeklyAmount   kernel.Money   `json:"weeklyAmount"`
	// Provisional is true when the rate used is a provisional one.
	Provisional bool            `json:"provisional"`
	Reasons     []kernel.Reason `json:"reasons"`
}

// Validate returns events.FieldErrors naming every bad field of in at once,
// or nil.
func (in PreviewInput) Validate() error {
	var fe events.FieldErrors
	f := in.FirstAbsenceDay
	if f.IsZero() {
		fe.Add("firstAbsenceDay", "required", "Første fraværsdag skal udfyldes.", "The first absence day is required.")
	}
	if in.LastAbsenceDay != nil && !in.LastAbsenceDay.IsZero() && !f.IsZero() && in.LastAbsenceDay.Before(f) {
		fe.Add("lastAbsenceDay", "before_first_absence_day", "Sidste fraværsdag kan ikke ligge før første fraværsdag.", "The last absence day cannot be before the first absence day.")
	}
	switch {
	case in.EmployedSince.IsZero():
		fe.Add("employedSince", "required", "Ansættelsesdatoen skal udfyldes.", "The employment start date is required.")
	case !f.IsZero() && in.EmployedSince.After(f):
		fe.Add("employedSince", "after_first_absence_day", "Ansættelsesdatoen kan ikke ligge efter første fraværsdag.", "The employment start date cannot be after the first absence day.")
	}
	if h := in.HoursLast8Weeks; h != nil {
		switch {
		case math.IsNaN(*h) || math.IsInf(*h, 0):
			fe.Add("hoursLast8Weeks", "invalid", "Timetallet er ikke et tal.", "The hours are not a number.")
		case *h < 0:
			fe.Add("hoursLast8Weeks", "negative", "Timetallet kan ikke være negativt.", "The hours cannot be negative.")
		case *h > maxHours8Weeks:
			fe.Add("hoursLast8Weeks", "too_large", fmt.Sprintf("Timetallet kan højst være %d på 8 uger.", maxHours8Weeks), fmt.Sprintf("The hours can be at most %d in 8 weeks.", maxHours8Weeks))
		}
	}
	switch {
	case in.HourlyEarnings < 0:
		fe.Add("hourlyEarnings", "negative", "Timefortjenesten kan ikke være negativ.", "The hourly earnings cannot be negative.")
	case in.HourlyEarnings == 0:
		fe.Add("hourlyEarnings", "required", "Timefortjenesten skal udfyldes.", "The hourly earnings are required.")
	}
	switch h := in.WeeklyHours; {
	case math.IsNaN(h) || math.IsInf(h, 0):
		fe.Add("weeklyHours", "invalid", "Den ugentlige arbejdstid er ikke et tal.", "The weekly hours are not a number.")
	case h < 0:
		fe.Add("weeklyHours", "negative", "Den ugentlige arbejdstid kan ikke være negativ.", "The weekly hours cannot be negative.")
	case h == 0:
		fe.Add("weeklyHours", "required", "Den ugentlige arbejdstid skal udfyldes.", "The weekly hours are required.")
	case h > MaxHoursPerWeek:
		fe.Add("weeklyHours", "too_large", fmt.Sprintf("Den ugentlige arbejdstid kan højst være %d timer.", MaxHoursPerWeek), fmt.Sprintf("The weekly hours can be at most %d.", MaxHoursPerWeek))
	}
	switch {
	case in.ReceivedOn.IsZero():
		fe.Add("receivedOn", "required", "Modtagelsesdatoen skal udfyldes.", "The date received is required.")
	case !f.IsZero() && in.ReceivedOn.Before(f):
		fe.Add("receivedOn", "before_first_absence_day", "Anmeldelsen kan ikke være modtaget før første fraværsdag.", "The report cannot be received before the first absence day.")
	}
	return fe.Err()
}

// Preview computes what an employer would get for one sickness absence. It
// returns events.FieldErrors (wrapped) for bad input and ErrNoRate (wrapped)
// when the year of the rate has no maximum rate in rates. The rate is the one
// of the year of RefusionFrom, or of the first absence day when no refusion
// is due.
func Preview(in PreviewInput, rates kernel.Table) (PreviewResult, error) {
	res, err := PreviewDates(in)
	if err != nil {
		return PreviewResult{}, err
	}
	return ApplyRate(res, in, rates)
}

// PreviewDates computes everything Preview does except the rates and the
// amount: the employer period, the report deadline and lateness, and the
// first day of refusion, with their reasons. The sickness function uses it
// to record a report whose year has no rate yet (the amount then waits for
// the rate; nothing is guessed). It returns events.FieldErrors (wrapped) for
// bad input.
func PreviewDates(in PreviewInput) (PreviewResult, error) {
	if err := in.Validate(); err != nil {
		return PreviewResult{}, fmt.Errorf("preview: %w", err)
	}
	if in.LastAbsenceDay != nil && in.LastAbsenceDay.IsZero() {
		in.LastAbsenceDay = nil
	}
	f := in.FirstAbsenceDay
	var res PreviewResult

	ep, reasons := DetermineEmployerPeriod(EmployerPeriodInput{
		FirstAbsenceDay:  f,
		EmployedSince:    in.EmployedSince,
		HoursLast8Weeks:  in.HoursLast8Weeks,
		WeeklyHours:      in.WeeklyHours,
		Section56:        in.Section56,
		PregnancyRelated: in.PregnancyRelated,
		Flexjob:          in.Flexjob,
	})
	res.EmployerPeriod = ep
	res.Reasons = reasons

	deadline, err := Deadlines(previewDeadlineInput(in, ep))
	if err != nil {
		return PreviewResult{}, fmt.Errorf("preview: %w", err)
	}
	res.ReportDeadline = deadline.Date
	res.Reasons = append(res.Reasons, deadline.Reason)

	if in.WagesPaid {
		earliest, rs := EarliestRefusionDay(in, ep)
		res.Reasons = append(res.Reasons, rs...)
		from, late, rs := RefusionStart(RefusionStartInput{
			FirstAbsenceDay: f,
			LastAbsenceDay:  in.LastAbsenceDay,
			Earliest:        earliest,
			ReportDeadline:  res.ReportDeadline,
			ReceivedOn:      in.ReceivedOn,
		})
		res.RefusionFrom, res.Late = from, late
		res.Reasons = append(res.Reasons, rs...)
	} else {
		late, r := IsLate(res.ReportDeadline, in.ReceivedOn)
		res.Late = late
		res.Reasons = append(res.Reasons, r, NoWagesReason())
	}

	return res, nil
}

// RateDate is the day whose maximum rate applies to a preview's weekly
// amount: the first day of refusion, or the first absence day when none is
// due. A weekly amount has one rate; the refusion of a period that spans the
// first Monday of January is computed per day by the expected periods
// (kernel.Table.Segments).
func RateDate(res PreviewResult, first kernel.Date) kernel.Date {
	if res.RefusionFrom != nil {
		return *res.RefusionFrom
	}
	return first
}

// ApplyRate completes a PreviewDates result with the maximum hourly rate in
// force on RateDate, the hourly rate and the weekly amount. It returns
// ErrNoRate (wrapped) when that day's rate year has no rate.
func ApplyRate(res PreviewResult, in PreviewInput, rates kernel.Table) (PreviewResult, error) {
	rate, r, err := MaxHourlyRate(rates, RateDate(res, in.FirstAbsenceDay))
	if err != nil {
		return PreviewResult{}, fmt.Errorf("preview: %w", err)
	}
	var reasons []kernel.Reason
	reasons = append(reasons, res.Reasons...)
	res.Reasons = reasons
	res.MaxHourlyRate = rate.Hourly
	res.Provisional = rate.Provisional
	res.Reasons = append(res.Reasons, r)

	res.HourlyRate, r = HourlyRate(in.HourlyEarnings, rate.Hourly)
	res.Reasons = append(res.Reasons, r)
	res.WeeklyAmount, r = WeeklyAmount(res.HourlyRate, in.WeeklyHours)
	res.Reasons = append(res.Reasons, r)
	return res, nil
}

// previewDeadlineInput picks the sender kind for the preview: wages paid
// (§ 40, stk. 1, or the § 56 three-month deadline for a known absence of at
// most 30 days); no wages with an employer period, so the employer pays
// sygedagpenge until the period ends (§ 40, stk. 2); no wages and no employer
// period, so the employer pays neither (§ 40, stk. 3).
func previewDeadlineInput(in PreviewInput, ep EmployerPeriod) DeadlineInput {
	d := DeadlineInput{FirstAbsenceDay: in.FirstAbsenceDay, LastAbsenceDay: in.LastAbsenceDay, Section56: in.Section56}
	switch {
	case in.WagesPaid:
		d.Sender = SenderEmployerWages
	case ep.Applies:
		d.Sender = SenderEmployerSygedagpenge
		d.PaymentsStoppedOn = ep.To
	default:
		d.Sender = SenderEmployerNeither
	}
	return d
}

// NoWagesReason explains that an employer not paying wages gets no refusion:
// refusion is the sygedagpenge for wages the employer paid (sygedagpengeloven
// §§ 54–57); the employee applies for sygedagpenge from the municipality.
func NoWagesReason() kernel.Reason {
	return kernel.Reason{
		Rule:   "sdl-54-no-wages",
		Law:    "sygedagpengeloven §§ 54–57",
		Source: srcAmount,
		TextDa: "Arbejdsgiveren udbetaler ikke løn under fraværet og kan derfor ikke få refusion. Medarbejderen søger selv sygedagpenge hos kommunen.",
		TextEn: "The employer does not pay wages during the absence and therefore gets no reimbursement. The employee applies for sygedagpenge from the municipality.",
		Inputs: map[string]any{"wagesPaid": false},
		Result: nil,
	}
}
