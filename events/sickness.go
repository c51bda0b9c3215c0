package events

// Sickness blankets (seeds/000 § 1 nr. 1, 5 and 6; shared/DOMAIN.md) and the
// follow-ups on an absence the sender already reported. Senders post them to
// /api/v1/events; the sickness function consumes them.
//
// Identifiers and dates travel as strings: the JSON Schema pins their shape,
// CheckDomain (and the sickness function) their meaning, so that a bad value
// is answered with a field error rather than a decoding failure.
const (
	// SicknessEmployerReported is an employer's report of an employee's
	// sickness absence with its request for sygedagpenge refusion
	// (anmeldelse af sygefravær og anmodning om refusion). Data: SicknessEmployerReport.
	SicknessEmployerReported = "dk.nemrefusion.sickness.employer.reported.v1"
	// SicknessSelfEmployedReported is a self-employed person's report of
	// their own sickness with the request for sygedagpenge. Data: SicknessSelfEmployedReport.
	SicknessSelfEmployedReported = "dk.nemrefusion.sickness.selfemployed.reported.v1"
	// SicknessAKasseReported is an a-kasse's report of an unemployed
	// member's sickness. Data: SicknessAKasseReport.
	SicknessAKasseReported = "dk.nemrefusion.sickness.akasse.reported.v1"
	// SicknessEarlyFollowUpRequested is an employer's request for early
	// follow-up (tidlig opfølgning, sygedagpengeloven §§ 7 c–7 e). Data: SicknessEarlyFollowUpRequest.
	SicknessEarlyFollowUpRequested = "dk.nemrefusion.sickness.earlyfollowup.requested.v1"

	// SicknessPeriodReported asks refusion for the next period of an
	// absence already reported. Data: SicknessPeriodReport.
	SicknessPeriodReported = "dk.nemrefusion.sickness.period.reported.v1"
	// SicknessRecoveryReported reports the last absence day (raskmelding)
	// of an absence already reported. Data: SicknessRecoveryReport.
	SicknessRecoveryReported = "dk.nemrefusion.sickness.recovery.reported.v1"
	// SicknessCorrectionSubmitted corrects facts of an absence already
	// reported. Data: SicknessCorrection.
	SicknessCorrectionSubmitted = "dk.nemrefusion.sickness.correction.submitted.v1"
	// SicknessCancellationSubmitted withdraws an absence reported in
	// error. Data: SicknessCancellation.
	SicknessCancellationSubmitted = "dk.nemrefusion.sickness.cancellation.submitted.v1"

	// DfdgNoticeRequested asks for a sick or recovery notice to the shared
	// data foundation (seeds/004 §§ 132–133). Data: DfdgNotice.
	DfdgNoticeRequested = "dk.nemrefusion.dfdg.notice.requested.v1"
)

// SicknessEmployerReport is the data of SicknessEmployerReported.
type SicknessEmployerReport struct {
	// CPR is the sick employee.
	CPR string `json:"cpr"`
	// CVR is the employer; PNumber the workplace (P-unit) under it.
	CVR     string `json:"cvr"`
	PNumber string `json:"pNumber"`
	// FirstAbsenceDay and LastAbsenceDay are "YYYY-MM-DD"; LastAbsenceDay
	// is empty while the employee is still sick.
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	LastAbsenceDay  string `json:"lastAbsenceDay,omitempty"`
	// PartialAbsence is set when the employee is only partly absent.
	PartialAbsence *PartialAbsence `json:"partialAbsence,omitempty"`
	// WeeklyHours is the normal working time per week; Schedule, when
	// given, the hours per weekday Monday to Sunday (it sums to WeeklyHours).
	WeeklyHours float64   `json:"weeklyHours"`
	Schedule    []float64 `json:"schedule,omitempty"`
	// WagesPaid is true when the employer pays wages during the absence.
	WagesPaid bool `json:"wagesPaid"`
	// HourlyEarnings is in kroner before AM-bidrag.
	HourlyEarnings float64 `json:"hourlyEarnings"`
	// EmployedSince is the employment start; HoursLast8Weeks the hours
	// worked for this employer in the 8 weeks before the first absence day.
	EmployedSince   string   `json:"employedSince"`
	HoursLast8Weeks *float64 `json:"hoursLast8Weeks,omitempty"`
	// Section56 is the approved § 56 agreement covering the absence.
	Section56        *Section56Agreement `json:"section56,omitempty"`
	PregnancyRelated bool                `json:"pregnancyRelated"`
	Flexjob          bool                `json:"flexjob"`
	// InsuredSection55 is true when the employer holds the small private
	// employers' sickness insurance (sygedagpengeloven § 55): refusion then
	// runs from the employee's 2nd absence day instead of after the
	// employer period.
	InsuredSection55 bool `json:"insuredSection55,omitempty"`
	// Holidays are holidays and days off inside the period.
	Holidays []DatePeriod `json:"holidays,omitempty"`
	// Retention holds the employer's answers to the three retention
	// questions (fastholdelse).
	Retention Retention `json:"retention"`
	Contact   Contact   `json:"contact"`
}

// PartialAbsence is partial incapacity: the hours absent per week.
type PartialAbsence struct {
	HoursPerWeek float64 `json:"hoursPerWeek"`
}

// Section56Agreement is an approved § 56 agreement (chronic or long-lasting
// illness) with the municipality's reference.
type Section56Agreement struct {
	Reference  string `json:"reference"`
	ApprovedOn string `json:"approvedOn,omitempty"`
}

// DatePeriod is a span of days, both ends included ("YYYY-MM-DD").
type DatePeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Retention is the employer's answers to the three retention questions
// of the report: can the employee partly resume work, does the employer
// expect the employee back, and does the employer want a retention plan
// (fastholdelsesplan, sygedagpengeloven § 7 a).
type Retention struct {
	PartialResumptionPossible bool `json:"partialResumptionPossible"`
	ExpectsReturn             bool `json:"expectsReturn"`
	RetentionPlanWanted       bool `json:"retentionPlanWanted"`
}

// Contact is the sender's contact person for the case.
type Contact struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// SicknessSelfEmployedReport is the data of SicknessSelfEmployedReported.
type SicknessSelfEmployedReport struct {
	// CPR is the self-employed person; CVR their own company, PNumber its unit.
	CPR             string `json:"cpr"`
	CVR             string `json:"cvr"`
	PNumber         string `json:"pNumber,omitempty"`
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	LastAbsenceDay  string `json:"lastAbsenceDay,omitempty"`
	// Insurance is the voluntary sickness insurance: "none", "day1" or "day3".
	Insurance string `json:"insurance"`
	// WeeklyHours is the usual working time in the business.
	WeeklyHours float64 `json:"weeklyHours"`
	// IncapacityPercent is the degree of incapacity when partly sick (1–100).
	IncapacityPercent *int    `json:"incapacityPercent,omitempty"`
	PregnancyRelated  bool    `json:"pregnancyRelated"`
	Contact           Contact `json:"contact"`
}

// SicknessAKasseReport is the data of SicknessAKasseReported.
type SicknessAKasseReport struct {
	// CPR is the member; CVR the a-kasse.
	CPR             string `json:"cpr"`
	CVR             string `json:"cvr"`
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	LastAbsenceDay  string `json:"lastAbsenceDay,omitempty"`
	// ToldOn is the day the a-kasse was told of the sickness.
	ToldOn string `json:"toldOn"`
	// FullyUnemployed is true for a fully unemployed member.
	FullyUnemployed bool `json:"fullyUnemployed"`
	// WeeklyHours is the member's insured weekly hours.
	WeeklyHours float64 `json:"weeklyHours"`
	Contact     Contact `json:"contact"`
}

// SicknessEarlyFollowUpRequest is the data of SicknessEarlyFollowUpRequested.
type SicknessEarlyFollowUpRequest struct {
	CPR             string `json:"cpr"`
	CVR             string `json:"cvr"`
	PNumber         string `json:"pNumber"`
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	// ExpectedWeeks is how many weeks from the first absence day the
	// employer expects the absence to last; ExpectedReturn, when known, the
	// expected day back.
	ExpectedWeeks  int    `json:"expectedWeeks"`
	ExpectedReturn string `json:"expectedReturn,omitempty"`
	// Reason is the employer's free-text reason for the request.
	Reason  string  `json:"reason,omitempty"`
	Contact Contact `json:"contact"`
}

// SicknessPeriodReport is the data of SicknessPeriodReported: refusion
// asked for one more period of an absence.
type SicknessPeriodReport struct {
	AbsenceID string `json:"absenceId"`
	CVR       string `json:"cvr"`
	// From and To are the period asked for.
	From string `json:"from"`
	To   string `json:"to"`
	// HoursAbsent is the hours absent per week in the period when partial.
	PartialAbsence *PartialAbsence `json:"partialAbsence,omitempty"`
	// HourlyEarnings and WeeklyHours, when given, replace the earlier ones
	// from this period on.
	HourlyEarnings *float64 `json:"hourlyEarnings,omitempty"`
	WeeklyHours    *float64 `json:"weeklyHours,omitempty"`
}

// SicknessRecoveryReport is the data of SicknessRecoveryReported.
type SicknessRecoveryReport struct {
	AbsenceID      string `json:"absenceId"`
	CVR            string `json:"cvr"`
	LastAbsenceDay string `json:"lastAbsenceDay"`
}

// SicknessCorrection is the data of SicknessCorrectionSubmitted. Only the
// fields given change.
type SicknessCorrection struct {
	AbsenceID        string          `json:"absenceId"`
	CVR              string          `json:"cvr"`
	Explanation      string          `json:"explanation"`
	FirstAbsenceDay  string          `json:"firstAbsenceDay,omitempty"`
	LastAbsenceDay   string          `json:"lastAbsenceDay,omitempty"`
	WeeklyHours      *float64        `json:"weeklyHours,omitempty"`
	HourlyEarnings   *float64        `json:"hourlyEarnings,omitempty"`
	WagesPaid        *bool           `json:"wagesPaid,omitempty"`
	EmployedSince    string          `json:"employedSince,omitempty"`
	HoursLast8Weeks  *float64        `json:"hoursLast8Weeks,omitempty"`
	PartialAbsence   *PartialAbsence `json:"partialAbsence,omitempty"`
	PregnancyRelated *bool           `json:"pregnancyRelated,omitempty"`
	Flexjob          *bool           `json:"flexjob,omitempty"`
}

// SicknessCancellation is the data of SicknessCancellationSubmitted.
type SicknessCancellation struct {
	AbsenceID   string `json:"absenceId"`
	CVR         string `json:"cvr"`
	Explanation string `json:"explanation"`
}

// DfdgNotice is the data of DfdgNoticeRequested: a sick notice (first and,
// when known, last absence day) or a recovery notice (the last day) for
// the shared data foundation, with the registration date and the
// absence's UUID (seeds/004 § 132).
type DfdgNotice struct {
	// Kind is "sick" or "recovery".
	Kind            string `json:"kind"`
	AbsenceID       string `json:"absenceId"`
	CPR             string `json:"cpr"`
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	LastAbsenceDay  string `json:"lastAbsenceDay,omitempty"`
	// RegisteredOn is the day NemRefusion registered the report.
	RegisteredOn string `json:"registeredOn"`
	// Reporter is "employer", "self-employed" or "a-kasse".
	Reporter string `json:"reporter"`
}
