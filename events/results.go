package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The results of the blanket families: what the rules decided about one
// submission, as the sender reads it in BlanketDecided and the recipient in
// the BlanketItem of a delivery. They are part of the public contract
// (schemas/blanket.decided.v1.json and delivery.requested.v1.json, $defs),
// so municipal case systems and payroll systems know what they get; the
// field names are the ones the families' own result structs have always
// written, because stored deliveries and ledger entries carry them.
//
// The rules' reasons are not repeated inside a result: they travel once,
// next to it (BlanketDecision.Reasons, BlanketItem.Reasons).

// BlanketResult is one family's result: SicknessResult,
// ParentalEmployerResult, ParentalLeaveResult or SubsidyResult. Which one a
// blanket gets follows from its type (ResultOf).
type BlanketResult interface {
	blanketResult()
}

func (SicknessResult) blanketResult()         {}
func (ParentalEmployerResult) blanketResult() {}
func (ParentalLeaveResult) blanketResult()    {}
func (SubsidyResult) blanketResult()          {}

// ErrUnknownBlanket is returned when a result or item names a blanket the
// registry does not have, so its result's shape is unknown.
var ErrUnknownBlanket = errors.New("unknown blanket")

// ResultOf returns a pointer to the zero result of the blanket type's
// family, to decode into: the parental employer's request has the refusion
// computed (ParentalEmployerResult), the self-employed's request and the
// a-kasse's information only the leave periods (ParentalLeaveResult).
func ResultOf(blanket string) (any, error) {
	b, ok := BlanketOf(blanket)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownBlanket, blanket)
	}
	switch b.Family {
	case FamilySickness:
		return &SicknessResult{}, nil
	case FamilyParental:
		if blanket == ParentalEmployerReported {
			return &ParentalEmployerResult{}, nil
		}
		return &ParentalLeaveResult{}, nil
	case FamilySubsidy:
		return &SubsidyResult{}, nil
	}
	return nil, fmt.Errorf("%w: family %q of %s has no result", ErrUnknownBlanket, b.Family, blanket)
}

// DecodeBlanketResult decodes raw as the result of blanket (ResultOf); null
// or nothing is no result. Like every decode here it trusts the schema to
// have refused fields the shape does not have (json.Unmarshal drops them).
func DecodeBlanketResult(blanket string, raw json.RawMessage) (BlanketResult, error) {
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, nil
	}
	p, err := ResultOf(blanket)
	if err != nil {
		return nil, err
	}
	if parentalFollowUpOfEmployee(blanket, raw) {
		p = &ParentalEmployerResult{}
	}
	if err := json.Unmarshal(raw, p); err != nil {
		return nil, fmt.Errorf("result of %s: %w", blanket, err)
	}
	switch v := p.(type) {
	case *SicknessResult:
		return *v, nil
	case *ParentalEmployerResult:
		return *v, nil
	case *ParentalLeaveResult:
		return *v, nil
	case *SubsidyResult:
		return *v, nil
	}
	return nil, fmt.Errorf("result of %s: no result type", blanket)
}

// Kroner is an amount of money in øre, written in JSON as a number of
// kroner with two decimals (4695.00): the representation the rules' money
// (functions/sickness/refusion.Money, also øre) has always had in results,
// exact in both directions, never through a float.
type Kroner int64

// String formats k as "4695.00" ("-3.50" when negative).
func (k Kroner) String() string {
	sign, v := "", int64(k)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// MarshalJSON writes k as a JSON number of kroner with two decimals.
func (k Kroner) MarshalJSON() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalJSON reads a JSON number of kroner with at most two decimals
// (more only when the extra ones are zeros: an amount finer than one øre
// cannot be paid).
func (k *Kroner) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "" || s[0] == '"' || s == "null" {
		return fmt.Errorf("amount: want a number of kroner, got %s", s)
	}
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if strings.ContainsAny(whole+frac, "eE+-") || whole == "" {
		return fmt.Errorf("amount: want kroner with at most two decimals, got %s", s)
	}
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return fmt.Errorf("amount: finer than one øre: %s", s)
		}
		frac = frac[:2]
	}
	for len(frac) < 2 {
		frac += "0"
	}
	kr, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return fmt.Errorf("amount: %w", err)
	}
	ore, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return fmt.Errorf("amount: %w", err)
	}
	v := kr*100 + ore
	if neg {
		v = -v
	}
	*k = Kroner(v)
	return nil
}

// SicknessResult is the sickness family's result for every sickness
// blanket (functions/sickness: Result in sickness/decide.go). Dates are
// "YYYY-MM-DD".
type SicknessResult struct {
	AbsenceID string `json:"absenceId"`
	// Status is the absence's status after the decision: "early-follow-up",
	// "reported", "recovered" or "cancelled".
	Status          string `json:"status"`
	FirstAbsenceDay string `json:"firstAbsenceDay"`
	LastAbsenceDay  string `json:"lastAbsenceDay,omitempty"`
	// Refusion is the refusion computed from a report (first report,
	// correction), nil when none was.
	Refusion *SicknessRefusion `json:"refusion,omitempty"`
	// Period is the refusion of a next-period follow-up.
	Period *SicknessPeriodRefusion `json:"period,omitempty"`
	// EarlyFollowUp is the early follow-up request (§ 7 a), only on the
	// item of kind "sickness.early-follow-up".
	EarlyFollowUp *EarlyFollowUp `json:"earlyFollowUp,omitempty"`
	// Tasks are the sick person's tasks the decision started (seeds/003).
	Tasks []string `json:"tasks,omitempty"`
}

// SicknessRefusion is the refusion of a sickness report
// (functions/sickness/refusion.PreviewResult without its reasons).
type SicknessRefusion struct {
	EmployerPeriod EmployerPeriod `json:"employerPeriod"`
	// RefusionFrom is the first day with refusion; null when there is none.
	RefusionFrom *string `json:"refusionFrom"`
	// ReportDeadline is the last day the report gives refusion from the
	// first day after the employer period (§ 59, stk. 2).
	ReportDeadline string `json:"reportDeadline"`
	Late           bool   `json:"late"`
	MaxHourlyRate  Kroner `json:"maxHourlyRate"`
	HourlyRate     Kroner `json:"hourlyRate"`
	WeeklyAmount   Kroner `json:"weeklyAmount"`
	// Provisional is true when the rate used is a provisional one.
	Provisional bool `json:"provisional"`
}

// EmployerPeriod is the employer period (arbejdsgiverperioden,
// sygedagpengeloven § 30): whether there is one and its days, null ends
// when there is none.
type EmployerPeriod struct {
	Applies bool    `json:"applies"`
	From    *string `json:"from"`
	To      *string `json:"to"`
}

// SicknessPeriodRefusion is the refusion of a next-period follow-up
// (functions/sickness/absence.PeriodResult): the period asked for, the part
// of it refusion covers (null when none), the rates and the amount.
type SicknessPeriodRefusion struct {
	Asked         DatePeriod  `json:"asked"`
	Covered       *DatePeriod `json:"covered"`
	MaxHourlyRate Kroner      `json:"maxHourlyRate"`
	HourlyRate    Kroner      `json:"hourlyRate"`
	Amount        Kroner      `json:"amount"`
	Provisional   bool        `json:"provisional"`
}

// EarlyFollowUp is an employer's early follow-up request as decided
// (functions/sickness/absence.EarlyFollowUpFacts): when it was asked, the
// expected weeks and return, whether the municipality must act and the
// meeting date, and whom to contact.
type EarlyFollowUp struct {
	RequestedOn    string  `json:"requestedOn"`
	ExpectedWeeks  int     `json:"expectedWeeks"`
	ExpectedReturn string  `json:"expectedReturn,omitempty"`
	Allowed        bool    `json:"allowed"`
	MeetingBy      string  `json:"meetingBy,omitempty"`
	Contact        Contact `json:"contact"`
}

// ParentalEmployerResult is the result of an employer's request for
// parental-leave refusion (functions/maternity: EmployerResult): the
// refusion of the periods of this request, the leave periods and deadlines.
type ParentalEmployerResult struct {
	CaseID    string           `json:"caseId"`
	Status    string           `json:"status"`
	Version   int              `json:"version"`
	ChildDate string           `json:"childDate"`
	Refusion  ParentalRefusion `json:"refusion"`
}

// ParentalRefusion is the refusion of a parental-leave request
// (functions/maternity/barsel.Result without its reasons).
type ParentalRefusion struct {
	Periods      []ParentalPeriodRefusion `json:"periods"`
	LeavePeriods []ParentalLeavePeriod    `json:"leavePeriods"`
	// Total is the sum of the refusion computed; Complete is false when a
	// period's year has no maximum rate (MissingRateYears) yet.
	Total            Kroner `json:"total"`
	Complete         bool   `json:"complete"`
	MissingRateYears []int  `json:"missingRateYears,omitempty"`
	// NextDeadline is the earliest deadline of the open leave period.
	NextDeadline string `json:"nextDeadline,omitempty"`
	Provisional  bool   `json:"provisional"`
}

// ParentalPeriod is one period of leave as the rules read it
// (functions/maternity/barsel.Period): days, kind (LeaveKinds), hours of
// absence and wages paid.
type ParentalPeriod struct {
	From        string  `json:"from"`
	To          string  `json:"to"`
	Kind        string  `json:"kind"`
	HoursAbsent float64 `json:"hoursAbsent"`
	WagesPaid   Kroner  `json:"wagesPaid"`
}

// ParentalPeriodRefusion is the refusion of one period
// (functions/maternity/barsel.PeriodResult): the period, the leave period
// (barselsloven § 40 stk. 3) it belongs to, its deadline (null while the
// leave period is open) and the amounts (absent when not computed).
type ParentalPeriodRefusion struct {
	ParentalPeriod
	LeavePeriodFrom string  `json:"leavePeriodFrom"`
	LeavePeriodTo   string  `json:"leavePeriodTo"`
	Deadline        *string `json:"deadline"`
	Lapsed          bool    `json:"lapsed"`
	MaxHourlyRate   *Kroner `json:"maxHourlyRate,omitempty"`
	HourlyRate      *Kroner `json:"hourlyRate,omitempty"`
	Dagpenge        *Kroner `json:"dagpenge,omitempty"`
	Refusion        *Kroner `json:"refusion,omitempty"`
	// CappedBy is "dagpenge" or "wages" (§ 39), "lapsed" or "examination".
	CappedBy    string `json:"cappedBy,omitempty"`
	Provisional bool   `json:"provisional"`
}

// ParentalLeavePeriod is an orlovsperiode (barselsloven § 40 stk. 3,
// functions/maternity/barsel.LeavePeriod): Open while the leave goes on
// after To; Expires and Deadline are then the ones it has if it ends on To.
type ParentalLeavePeriod struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Open     bool   `json:"open"`
	Expires  string `json:"expires"`
	Deadline string `json:"deadline"`
}

// ParentalLeaveResult is the result of a self-employed's request and an
// a-kasse's information (functions/maternity: LeaveResult): the periods
// reported and the leave periods they form; Udbetaling Danmark computes
// the dagpenge itself.
type ParentalLeaveResult struct {
	CaseID       string                `json:"caseId"`
	Status       string                `json:"status"`
	Version      int                   `json:"version"`
	ChildDate    string                `json:"childDate"`
	Periods      []ParentalPeriod      `json:"periods"`
	LeavePeriods []ParentalLeavePeriod `json:"leavePeriods"`
}

// SubsidyResult is the result of every subsidy request
// (functions/subsidy: Result): the grant (case), the period, and the
// scheme's own figures.
type SubsidyResult struct {
	CaseID string `json:"caseId"`
	// Scheme is "wage", "flexjob", "jobclarification", "adultapprentice",
	// "mentor" or "selfemployed136".
	Scheme  string     `json:"scheme"`
	Status  string     `json:"status"`
	Version int        `json:"version"`
	Period  DatePeriod `json:"period"`
	// PaymentMonth is when a wage subsidy is paid ("YYYY-MM").
	PaymentMonth string `json:"paymentMonth,omitempty"`
	// Subsidy is the fraction schemes' amount (flexjob, § 136).
	Subsidy *SubsidyFraction `json:"subsidy,omitempty"`
	// Hourly is the per-hour schemes' amount (wage subsidy, adult
	// apprentice).
	Hourly *SubsidyHourly `json:"hourly,omitempty"`
	// RefusionFrom is the first day of job clarification refusion.
	RefusionFrom string `json:"refusionFrom,omitempty"`
	// Hours are the hours paid for (adult apprentice: per hour).
	Hours float64 `json:"hours,omitempty"`
}

// SubsidyFraction is the amount of a fraction scheme (flexjob, LAB § 133;
// self-employed, § 136; functions/subsidy/grants.FractionResult): the
// fraction of the basis, capped by what is left of the year's cap; Cap and
// Amount are absent when the year's cap is unknown (CapUnknown), and the
// municipality applies it.
type SubsidyFraction struct {
	Scheme          string  `json:"scheme"`
	Fraction        string  `json:"fraction"`
	Basis           Kroner  `json:"basis"`
	AmountBeforeCap Kroner  `json:"amountBeforeCap"`
	Year            int     `json:"year"`
	PaidThisYear    Kroner  `json:"paidThisYear"`
	HourlyCap       *Kroner `json:"hourlyCap,omitempty"`
	Cap             *Kroner `json:"cap,omitempty"`
	Amount          *Kroner `json:"amount,omitempty"`
	CapUnknown      bool    `json:"capUnknown"`
}

// SubsidyHourly is the amount of a per-hour scheme (wage subsidy, LAB
// chapter 12; adult apprentice, LAB § 159; functions/subsidy/grants.
// HourlyResult): the hours, the rate applied and the amount; Rate and
// Amount are absent when the request does not give what the rate follows
// from (RateUnknown), and the municipality computes it. WagesOfHours is
// the wage subsidy's ceiling, the wages of the hours worked.
type SubsidyHourly struct {
	Scheme       string  `json:"scheme"`
	Hours        float64 `json:"hours"`
	WagesOfHours *Kroner `json:"wagesOfHours,omitempty"`
	Rate         *Kroner `json:"rate,omitempty"`
	Amount       *Kroner `json:"amount,omitempty"`
	RateUnknown  bool    `json:"rateUnknown"`
}
