package events

import "encoding/json"

// Follow-ups of parental-leave and subsidy cases: like the sickness
// follow-ups (SicknessPeriodReported, SicknessCorrectionSubmitted,
// SicknessCancellationSubmitted) each names the case it follows up in
// "absenceId" (the case id from the first request's receipt), so the accept
// step puts it in that case's stream, and the family's function refuses it
// unless the case exists for the same sender and is not cancelled.
const (
	// ParentalPeriodReported asks for refusion (or reports dagpenge
	// periods) for one more part of a leave already requested: the next
	// request before the deadline of barselsloven § 40 stk. 2. Data:
	// ParentalPeriodReport.
	ParentalPeriodReported = "dk.nemrefusion.parental.period.reported.v1"
	// ParentalCorrectionSubmitted corrects what was reported on a leave;
	// the refusion is computed again. Data: ParentalCorrection.
	ParentalCorrectionSubmitted = "dk.nemrefusion.parental.correction.submitted.v1"
	// ParentalCancellationSubmitted withdraws a leave reported in error.
	// Data: FollowUpCancellation.
	ParentalCancellationSubmitted = "dk.nemrefusion.parental.cancellation.submitted.v1"
	// SubsidyCorrectionSubmitted corrects one payment request under a
	// grant. Data: SubsidyCorrection.
	SubsidyCorrectionSubmitted = "dk.nemrefusion.subsidy.correction.submitted.v1"
	// SubsidyCancellationSubmitted withdraws a grant's requests sent in
	// error. Data: FollowUpCancellation.
	SubsidyCancellationSubmitted = "dk.nemrefusion.subsidy.cancellation.submitted.v1"
)

// ParentalPeriodReport is the data of ParentalPeriodReported: more periods
// of the leave the case is. HourlyEarnings is the employer's (required on
// an employee's leave: the refusion of the new periods is computed with
// it); wagesPaid is given per period by the employer only.
type ParentalPeriodReport struct {
	AbsenceID      string        `json:"absenceId"`
	CVR            string        `json:"cvr"`
	HourlyEarnings *float64      `json:"hourlyEarnings,omitempty"`
	Periods        []LeavePeriod `json:"periods"`
	LeaveContinues bool          `json:"leaveContinues"`
}

// ParentalCorrection is the data of ParentalCorrectionSubmitted. Periods,
// when given, replace every period reported on the leave; HourlyEarnings
// (the employer's, required on an employee's leave: it is not kept from the
// requests) and LeaveContinues, when given, replace the earlier ones.
type ParentalCorrection struct {
	AbsenceID      string        `json:"absenceId"`
	CVR            string        `json:"cvr"`
	Explanation    string        `json:"explanation"`
	HourlyEarnings *float64      `json:"hourlyEarnings,omitempty"`
	Periods        []LeavePeriod `json:"periods,omitempty"`
	LeaveContinues *bool         `json:"leaveContinues,omitempty"`
}

// FollowUpCancellation is the data of ParentalCancellationSubmitted and
// SubsidyCancellationSubmitted: the case withdrawn and why.
type FollowUpCancellation struct {
	AbsenceID   string `json:"absenceId"`
	CVR         string `json:"cvr"`
	Explanation string `json:"explanation"`
}

// SubsidyCorrection is the data of SubsidyCorrectionSubmitted: Period names
// a period requested before under the grant; CorrectedPeriod, Hours and
// Amount (kroner: the wages, cost or basis the scheme's request gave),
// when given, replace what was requested for it.
type SubsidyCorrection struct {
	AbsenceID       string      `json:"absenceId"`
	CVR             string      `json:"cvr"`
	Explanation     string      `json:"explanation"`
	Period          DatePeriod  `json:"period"`
	CorrectedPeriod *DatePeriod `json:"correctedPeriod,omitempty"`
	Hours           *float64    `json:"hours,omitempty"`
	Amount          *float64    `json:"amount,omitempty"`
}

// leaveFollowUp checks what a parental follow-up's periods and hourly
// earnings can be checked for without the case: the periods as on a
// request (wages on every period or none; the case's kind decides which
// in the function) and hourly earnings above 0.
func (c *check) leaveFollowUp(ps []LeavePeriod, earnings *float64) {
	if len(ps) > 0 {
		c.leavePeriods(ps, 0, ps[0].WagesPaid != nil)
	}
	if earnings != nil && !(*earnings > 0) {
		c.add("hourlyEarnings", "required", "Timefortjenesten skal være over 0 kr.", "The hourly earnings must be above 0 kr.")
	}
}

// Check returns every domain problem of a parental next-period report.
func (r ParentalPeriodReport) Check() FieldErrors {
	var c check
	c.cvr("cvr", r.CVR)
	if len(r.Periods) == 0 {
		c.add("periods", "required", "Angiv mindst én orlovsperiode.", "Give at least one leave period.")
	}
	c.leaveFollowUp(r.Periods, r.HourlyEarnings)
	return c.fe
}

// Check returns every domain problem of a parental correction: at least
// one thing to correct.
func (r ParentalCorrection) Check() FieldErrors {
	var c check
	c.cvr("cvr", r.CVR)
	if r.HourlyEarnings == nil && len(r.Periods) == 0 && r.LeaveContinues == nil {
		c.add("hourlyEarnings", "nothing_to_correct", "Angiv det, der skal rettes: timefortjenesten, perioderne eller om orloven fortsætter.",
			"Give what is to be corrected: the hourly earnings, the periods or whether the leave continues.")
	}
	c.leaveFollowUp(r.Periods, r.HourlyEarnings)
	return c.fe
}

// Check returns every domain problem of a cancellation.
func (r FollowUpCancellation) Check() FieldErrors {
	var c check
	c.cvr("cvr", r.CVR)
	return c.fe
}

// Check returns every domain problem of a subsidy correction: the period
// named, the corrected one in order, hours and amount not negative, and at
// least one thing to correct.
func (r SubsidyCorrection) Check() FieldErrors {
	var c check
	c.cvr("cvr", r.CVR)
	c.period("period", r.Period)
	if r.CorrectedPeriod != nil {
		c.period("correctedPeriod", *r.CorrectedPeriod)
	}
	if r.Hours != nil {
		c.someHours("hours", *r.Hours, false)
	}
	if r.Amount != nil {
		c.amount("amount", *r.Amount, false)
	}
	if r.CorrectedPeriod == nil && r.Hours == nil && r.Amount == nil {
		c.add("correctedPeriod", "nothing_to_correct", "Angiv det, der skal rettes: perioden, timerne eller beløbet.",
			"Give what is to be corrected: the period, the hours or the amount.")
	}
	return c.fe
}

// parentalFollowUpOfEmployee reports whether raw is the result of a
// parental follow-up on an employee's leave: the employer's refusion
// computed (ParentalEmployerResult, recognised by "refusion"), where a
// follow-up on another leave has the leave's periods (ParentalLeaveResult).
func parentalFollowUpOfEmployee(blanket string, raw json.RawMessage) bool {
	switch blanket {
	case ParentalPeriodReported, ParentalCorrectionSubmitted, ParentalCancellationSubmitted:
		var m map[string]json.RawMessage
		_ = json.Unmarshal(raw, &m)
		_, ok := m["refusion"]
		return ok
	}
	return false
}
