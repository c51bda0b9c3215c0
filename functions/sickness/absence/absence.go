// Package absence is the pure domain of one sickness absence (sygefravær):
// its state, and what each blanket and follow-up does to it — the rules
// applied (through package refusion), the reasons recorded, and the effects
// due: the report to the recipient, the letters, the sick person's tasks,
// the reminders and the notice to the data foundation. No I/O: the sickness
// function's handler loads the absence and the register facts, calls a
// Decide function here and carries out the Decision.
package absence

import (
	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/kernel/rules"
	"nemrefusion.dk/functions/sickness/refusion"
)

// Kind is who the sick person is towards the sender.
type Kind string

// The kinds of absence (the personKind of the citizen's tasks).
const (
	KindEmployee     Kind = "employee"
	KindSelfEmployed Kind = "self-employed"
	KindUnemployed   Kind = "unemployed-member"
)

// Status is where an absence stands.
type Status string

// The statuses of an absence.
const (
	// StatusEarlyFollowUp is an absence known only from an early follow-up
	// request; the report itself has not come yet.
	StatusEarlyFollowUp Status = "early-follow-up"
	// StatusReported is a reported absence without a known last day.
	StatusReported Status = "reported"
	// StatusRecovered is an absence with a last absence day.
	StatusRecovered Status = "recovered"
	// StatusCancelled is an absence the sender withdrew.
	StatusCancelled Status = "cancelled"
)

// Absence is one sygefravær of one person towards one sender, identified by
// a UUID (also when the same person has several absences with the same
// employer, seeds/004 § 132 nr. 5).
type Absence struct {
	ID     string `json:"id"`
	Kind   Kind   `json:"kind"`
	Status Status `json:"status"`
	// CPR is the sick person; CVR the sender (employer, own company or
	// a-kasse); PNumber the workplace.
	CPR     string `json:"cpr"`
	CVR     string `json:"cvr"`
	PNumber string `json:"pNumber,omitempty"`

	FirstAbsenceDay kernel.Date  `json:"firstAbsenceDay"`
	LastAbsenceDay  *kernel.Date `json:"lastAbsenceDay,omitempty"`
	// ReportedOn is the day the first report was received.
	ReportedOn kernel.Date `json:"reportedOn"`

	Employer      *EmployerFacts      `json:"employer,omitempty"`
	SelfEmployed  *SelfEmployedFacts  `json:"selfEmployed,omitempty"`
	AKasse        *AKasseFacts        `json:"akasse,omitempty"`
	EarlyFollowUp *EarlyFollowUpFacts `json:"earlyFollowUp,omitempty"`

	// RefusionFrom is the first day of refusion decided on the report (nil
	// when none is due).
	RefusionFrom *kernel.Date `json:"refusionFrom,omitempty"`
	// Periods are the refusion periods asked for after the report.
	Periods []refusion.Period `json:"periods,omitempty"`
	// Expected is the refusion the employer can expect, per period: the
	// report's refusion period and each next period's covered period
	// (seeds/000 § 1 stk. 3). Every event that changes it is sent whole in
	// events.RefusionExpected, which replaces the earlier expectation.
	Expected []refusion.Expected `json:"expected,omitempty"`
	// RatePending are the amounts waiting for a maximum rate or computed
	// with a provisional one (Recompute computes them when a rate lands).
	RatePending []RatePending `json:"ratePending,omitempty"`
	// Dispensation is the municipality's dispensation from the late-report
	// rule (sygedagpengeloven § 59), nil when none was given.
	Dispensation *DispensationFacts `json:"dispensation,omitempty"`
	// Reassessment is set once the municipality was told the absence is
	// due for reassessment (sygedagpengeloven § 24).
	Reassessment *ReassessmentFacts `json:"reassessment,omitempty"`
	// CitizenRecovery is the sick person's own report of the end of the
	// absence (citizenrecovery.go), nil when they made none that counted.
	CitizenRecovery *CitizenRecoveryFacts `json:"citizenRecovery,omitempty"`
	// Version counts the decisions applied to the absence.
	Version int `json:"version"`
}

// EmployerFacts are what an employer stated about the employment.
type EmployerFacts struct {
	WeeklyHours      float64      `json:"weeklyHours"`
	Schedule         []float64    `json:"schedule,omitempty"`
	WagesPaid        bool         `json:"wagesPaid"`
	HourlyEarnings   kernel.Money `json:"hourlyEarnings"`
	EmployedSince    kernel.Date  `json:"employedSince"`
	HoursLast8Weeks  *float64     `json:"hoursLast8Weeks,omitempty"`
	Section56        string       `json:"section56,omitempty"`
	PregnancyRelated bool         `json:"pregnancyRelated"`
	Flexjob          bool         `json:"flexjob"`
	// InsuredSection55: the employer holds the § 55 insurance.
	InsuredSection55 bool              `json:"insuredSection55,omitempty"`
	PartialHours     *float64          `json:"partialHours,omitempty"`
	Holidays         []refusion.Period `json:"holidays,omitempty"`
	Retention        events.Retention  `json:"retention"`
	Contact          events.Contact    `json:"contact"`
}

// SelfEmployedFacts are what a self-employed person stated.
type SelfEmployedFacts struct {
	Insurance         refusion.Insurance `json:"insurance"`
	WeeklyHours       float64            `json:"weeklyHours"`
	IncapacityPercent *int               `json:"incapacityPercent,omitempty"`
	PregnancyRelated  bool               `json:"pregnancyRelated"`
	Contact           events.Contact     `json:"contact"`
}

// AKasseFacts are what an a-kasse stated about its member.
type AKasseFacts struct {
	ToldOn          kernel.Date    `json:"toldOn"`
	FullyUnemployed bool           `json:"fullyUnemployed"`
	WeeklyHours     float64        `json:"weeklyHours"`
	Contact         events.Contact `json:"contact"`
}

// EarlyFollowUpFacts are an employer's request for early follow-up and
// what was decided about it.
type EarlyFollowUpFacts struct {
	RequestedOn    kernel.Date    `json:"requestedOn"`
	ExpectedWeeks  int            `json:"expectedWeeks"`
	ExpectedReturn *kernel.Date   `json:"expectedReturn,omitempty"`
	Allowed        bool           `json:"allowed"`
	MeetingBy      *kernel.Date   `json:"meetingBy,omitempty"`
	Contact        events.Contact `json:"contact"`
}

// Facts are what a decision needs besides the submission and the absence:
// the day the submission was received (Danish date of intake's receipt),
// the rate table, and the employment requirement pre-check from eIndkomst
// (nil when it was not looked up).
type Facts struct {
	ReceivedOn kernel.Date
	Rates      kernel.Table
	Employment *rules.Result
	// Section56 is the reason the report's § 56 agreement was found among
	// the municipality's approvals (package section56); nil when it was
	// not looked up.
	Section56 *kernel.Reason
}

// Decision is everything one submission decided: the absence as it now
// stands, the refusion computed (nil when none was), every reason, and the
// effects due.
type Decision struct {
	Absence  Absence                 `json:"absence"`
	Refusion *refusion.PreviewResult `json:"refusion,omitempty"`
	// Period is the refusion of a next-period follow-up.
	Period  *PeriodResult   `json:"period,omitempty"`
	Reasons []kernel.Reason `json:"reasons"`
	Effects Effects         `json:"-"`
}

// PeriodResult is the refusion of one period asked for after the report.
type PeriodResult struct {
	Asked         refusion.Period  `json:"asked"`
	Covered       *refusion.Period `json:"covered"`
	MaxHourlyRate kernel.Money     `json:"maxHourlyRate"`
	HourlyRate    kernel.Money     `json:"hourlyRate"`
	Amount        kernel.Money     `json:"amount"`
	Provisional   bool             `json:"provisional"`
}

// Effects are what must happen because of a decision. The handler turns
// them into events; which letters a blanket gets is the blanket's
// definition, NotifyPerson lets the domain say no (the self-employed are
// the person themselves).
type Effects struct {
	// Delivery is the kind of report for the recipient ("sickness.report",
	// "sickness.recovery", ...); "" for none.
	Delivery string
	// NotifyPerson is true when the person gets a notification letter.
	NotifyPerson bool
	// Tasks are the sick person's tasks in order (seeds/003), due on
	// TasksDeadline.
	Tasks         []string
	TasksDeadline kernel.Date
	Reminders     []Reminder
	// CancelReminders cancels every reminder of the absence (and of its
	// tasks) before the new ones are scheduled.
	CancelReminders bool
	Notice          *Notice
	// Reassessment is set when the municipality must now be told the
	// absence is due for reassessment (sygedagpengeloven § 24); the handler
	// records it on the absence (Told) once it has told it.
	Reassessment *ReassessmentFacts
	// Expect is true when the employer's expected refusion (Absence.Expected)
	// must be sent (again) to the delivery function's reconciliation, also
	// when it is now empty (a cancellation expects nothing).
	Expect bool
}

// Reminder is one reminder due about the absence.
type Reminder struct {
	// Key makes the reminder's id "<absence id>/<key>".
	Key string
	// Kind names the reminder for the reminder function.
	Kind string
	// Audience is events.AudienceSender or events.AudienceCitizen.
	Audience string
	// Subject is events.SubjectAbsence or events.SubjectTasks.
	Subject string
	// Due is the day it fires (09:00 Danish time); Deadline the legal deadline.
	Due, Deadline kernel.Date
	SMS           bool
	Law           string
	TitleDa       string
	TitleEn       string
	BodyDa        string
	BodyEn        string
}

// Notice is a notice to the data foundation (seeds/004 § 132).
type Notice struct {
	Kind         string // "sick", "recovery" or "cancelled"
	First        kernel.Date
	Last         *kernel.Date
	RegisteredOn kernel.Date
}

// Reporter names the sender kind of the absence for the data foundation.
func (a Absence) Reporter() string {
	switch a.Kind {
	case KindSelfEmployed:
		return "self-employed"
	case KindUnemployed:
		return "a-kasse"
	}
	return "employer"
}
