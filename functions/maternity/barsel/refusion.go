package barsel

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// Request is an employer's refusion request as the rules see it.
type Request struct {
	// Periods are the periods of leave refusion is requested for now;
	// Earlier those requested before on the same leave (case).
	Periods []Period `json:"periods"`
	Earlier []Period `json:"earlier,omitempty"`
	// HourlyEarnings is in kroner before AM-bidrag.
	HourlyEarnings kernel.Money `json:"hourlyEarnings"`
	// LeaveContinues is true when the leave goes on after the last period.
	LeaveContinues bool `json:"leaveContinues"`
	// ReceivedOn is the day UDK receives the request (through NemRefusion).
	ReceivedOn kernel.Date `json:"receivedOn"`
}

// PeriodResult is the refusion of one requested period. The amounts are
// nil when the year has no maximum rate (nothing is guessed).
type PeriodResult struct {
	Period
	// LeavePeriodFrom and LeavePeriodTo are the leave period (§ 40 stk. 3)
	// the period belongs to; Deadline its deadline (zero while open).
	LeavePeriodFrom kernel.Date   `json:"leavePeriodFrom"`
	LeavePeriodTo   kernel.Date   `json:"leavePeriodTo"`
	Deadline        kernel.Date   `json:"deadline"`
	Lapsed          bool          `json:"lapsed"`
	MaxHourlyRate   *kernel.Money `json:"maxHourlyRate,omitempty"`
	HourlyRate      *kernel.Money `json:"hourlyRate,omitempty"`
	Dagpenge        *kernel.Money `json:"dagpenge,omitempty"`
	Refusion        *kernel.Money `json:"refusion,omitempty"`
	// CappedBy is "dagpenge" or "wages" (§ 39), "lapsed" or "examination".
	CappedBy    string `json:"cappedBy,omitempty"`
	Provisional bool   `json:"provisional"`
}

// Result is the refusion of a request with every reason behind it.
type Result struct {
	Periods      []PeriodResult `json:"periods"`
	LeavePeriods []LeavePeriod  `json:"leavePeriods"`
	// Total is the sum of the refusion computed; Complete is false when a
	// period's year has no maximum rate (MissingRateYears), whose amount
	// then waits for the rate.
	Total            kernel.Money `json:"total"`
	Complete         bool         `json:"complete"`
	MissingRateYears []int        `json:"missingRateYears,omitempty"`
	// NextDeadline is the earliest deadline of the open leave period: the
	// next request is due by then at the latest if the leave ends on its
	// last requested day.
	NextDeadline *kernel.Date    `json:"nextDeadline,omitempty"`
	Provisional  bool            `json:"provisional"`
	Reasons      []kernel.Reason `json:"reasons,omitempty"`
}

func periodField(i int, name string) string {
	if name == "" {
		return fmt.Sprintf("periods.%d", i)
	}
	return fmt.Sprintf("periods.%d.%s", i, name)
}

// Validate returns events.FieldErrors naming every bad field at once: the
// periods' problems (ValidatePeriods), no hourly earnings, no day received.
func (r Request) Validate() error {
	fe := ValidatePeriods(r.Periods, r.Earlier)
	for i, p := range r.Periods {
		if p.WagesPaid < 0 {
			fe.Add(periodField(i, "wagesPaid"), "amount", "Lønnen kan ikke være negativ.", "The wages cannot be negative.")
		}
	}
	if r.HourlyEarnings <= 0 {
		fe.Add("hourlyEarnings", "required", "Timefortjenesten skal udfyldes.", "The hourly earnings are required.")
	}
	if r.ReceivedOn.IsZero() {
		fe.Add("receivedOn", "required", "Modtagelsesdatoen skal udfyldes.", "The date received is required.")
	}
	return fe.Err()
}

// ValidatePeriods names every bad period at once: none at all, dates out
// of order or across a new year, hours that are not positive, and a period
// that overlaps one reported before on the same leave (refusion and
// dagpenge are asked for once per day of leave).
func ValidatePeriods(ps, earlier []Period) events.FieldErrors {
	var fe events.FieldErrors
	if len(ps) == 0 {
		fe.Add("periods", "required", "Angiv mindst én orlovsperiode.", "Give at least one leave period.")
	}
	for i, p := range ps {
		switch {
		case p.From.IsZero():
			fe.Add(periodField(i, "from"), "required", "Periodens første dag skal udfyldes.", "The period's first day is required.")
		case p.To.IsZero():
			fe.Add(periodField(i, "to"), "required", "Periodens sidste dag skal udfyldes.", "The period's last day is required.")
		case p.To.Before(p.From):
			fe.Add(periodField(i, "to"), "to_before_from", "Perioden slutter før den begynder.", "The period ends before it starts.")
		case p.To.Year() != p.From.Year():
			fe.Add(periodField(i, "to"), "crosses_year", "En periode skal ligge i ét kalenderår; del den ved årsskiftet.", "A period must lie within one calendar year; split it at the new year.")
		}
		if h := p.HoursAbsent; math.IsNaN(h) || math.IsInf(h, 0) || h <= 0 {
			fe.Add(periodField(i, "hoursAbsent"), "hours", "Fraværstimerne skal være over 0.", "The hours absent must be above 0.")
		}
		for _, e := range earlier {
			if !p.From.IsZero() && !p.To.IsZero() && !p.From.After(e.To) && !p.To.Before(e.From) {
				fe.Add(periodField(i, ""), "already_requested",
					fmt.Sprintf("Perioden %s–%s er allerede indberettet.", e.From.Danish(), e.To.Danish()),
					fmt.Sprintf("The period %s–%s has already been reported.", e.From.English(), e.To.English()))
				break
			}
		}
	}
	return fe
}

// Compute decides an employer's request (barselsloven §§ 39–40): for each
// period, its leave period and deadline, whether the right has lapsed, and
// the refusion — the barselsdagpenge the employee would have had for the
// hours absent (hourly earnings after AM-bidrag, at most the year's
// maximum hourly rate), at most the wages paid. A year without a maximum
// rate leaves that period's amount out (Complete false, MissingRateYears
// names the year): the preview answers it with 422, the function records
// the request and delivers it without the amount. It returns
// events.FieldErrors (wrapped) for bad input.
func Compute(req Request, rates kernel.Table) (Result, error) {
	if err := req.Validate(); err != nil {
		return Result{}, fmt.Errorf("parental refusion: %w", err)
	}
	all := append(slices.Clone(req.Earlier), req.Periods...)
	res := Result{LeavePeriods: LeavePeriods(all, req.LeaveContinues), Complete: true}
	if n := len(res.LeavePeriods); n > 0 && res.LeavePeriods[n-1].Open {
		d := res.LeavePeriods[n-1].Deadline
		res.NextDeadline = &d
	}
	seenRate := map[int]bool{}
	seenLeave := map[kernel.Date]bool{}
	for _, p := range req.Periods {
		lp := leaveOf(res.LeavePeriods, p)
		pr := PeriodResult{Period: p, LeavePeriodFrom: lp.From, LeavePeriodTo: lp.To}
		if !lp.Open {
			pr.Deadline = lp.Deadline
		}
		lapsed, lr := Lapsed(lp, req.ReceivedOn)
		if !seenLeave[lp.From] {
			seenLeave[lp.From] = true
			if !lp.Open {
				_, _, dr := Deadline(lp.To)
				res.Reasons = append(res.Reasons, dr)
			}
			res.Reasons = append(res.Reasons, lr)
		}
		zero := kernel.Money(0)
		switch {
		case p.Kind == events.LeavePregnancyExamination:
			pr.Refusion, pr.CappedBy = &zero, "examination"
			res.Reasons = append(res.Reasons, examinationReason(p))
		case lapsed:
			pr.Lapsed, pr.Refusion, pr.CappedBy = true, &zero, "lapsed"
		default:
			// One rate per period: the period's hours absent are one
			// number, so a period is paid at the rate in force on its
			// first day; a period spanning the first Monday of January
			// says so (spanReason) rather than guess how its hours fall.
			rate, rr, err := MaxRate(rates, p.From)
			var noRate kernel.ErrNoRate
			if errors.As(err, &noRate) {
				res.Complete = false
				if !slices.Contains(res.MissingRateYears, noRate.Year) {
					res.MissingRateYears = append(res.MissingRateYears, noRate.Year)
					res.Reasons = append(res.Reasons, noRateReason(noRate))
				}
				break
			} else if err != nil {
				return Result{}, err
			}
			if !seenRate[rate.Year] {
				seenRate[rate.Year] = true
				res.Reasons = append(res.Reasons, rr)
			}
			if next := kernel.FirstMondayOfJanuary(rate.Year + 1); !p.To.Before(next) {
				res.Reasons = append(res.Reasons, spanReason(p, rate, next))
			}
			hourly, hr := HourlyRate(req.HourlyEarnings, rate.Hourly)
			dagpenge := hourly.TimesHours(p.HoursAbsent)
			amount, by, cr := Cap(dagpenge, p.WagesPaid)
			hr.Inputs["period"] = p.From.String() + "/" + p.To.String()
			cr.Inputs["hoursAbsent"] = p.HoursAbsent
			res.Reasons = append(res.Reasons, hr, cr)
			pr.MaxHourlyRate, pr.HourlyRate, pr.Dagpenge, pr.Refusion, pr.CappedBy = &rate.Hourly, &hourly, &dagpenge, &amount, by
			pr.Provisional = rate.Provisional
			res.Provisional = res.Provisional || rate.Provisional
		}
		if pr.Refusion != nil {
			res.Total += *pr.Refusion
		}
		res.Periods = append(res.Periods, pr)
	}
	return res, nil
}

func noRateReason(e kernel.ErrNoRate) kernel.Reason {
	return kernel.Reason{Rule: "barsl-39-no-rate", Law: "barselsloven § 39 (højeste dagpengesats); sygedagpengeloven § 50, stk. 1", Source: SourceMaxRate,
		TextDa: e.Da() + " Refusionen for periodens beløb beregnes, når satsen er kendt.",
		TextEn: e.En() + " The reimbursement of the period is computed once the rate is known.",
		Inputs: map[string]any{"year": e.Year, "date": e.Date}}
}

// spanReason says that a period reaching past the first Monday of January
// is paid at the rate in force on its first day.
func spanReason(p Period, rate kernel.Rate, next kernel.Date) kernel.Reason {
	return kernel.Reason{Rule: "barsl-39-rate-of-first-day", Law: "barselsloven § 39; sygedagpengeloven § 50, stk. 1", Source: SourceMaxRate,
		TextDa: fmt.Sprintf("Perioden %s–%s når ind over %s, hvor en ny sats gælder. Timerne er opgivet samlet for perioden, så hele perioden beregnes med satsen for %d; opdel perioden ved %s for at få den nye sats for dagene derefter.", p.From.Danish(), p.To.Danish(), next.Danish(), rate.Year, next.Danish()),
		TextEn: fmt.Sprintf("The period %s–%s reaches past %s, when a new rate applies. Its hours are given for the whole period, so all of it is computed at the %d rate; split the period at %s to get the new rate for the days from then.", p.From.English(), p.To.English(), next.English(), rate.Year, next.English()),
		Inputs: map[string]any{"period": p.From.String() + "/" + p.To.String(), "rateYear": rate.Year, "nextRateFrom": next}}
}
