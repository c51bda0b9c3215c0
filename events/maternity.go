package events

import (
	"fmt"
	"math"
	"time"
)

// Parental-leave blankets (seeds/000 § 1 nr. 1, 5 and 6; shared/DOMAIN.md,
// Parental leave): the employer's refusion request, the self-employed
// person's own barselsdagpenge and the a-kasse's information for a member's
// case. All go to Udbetaling Danmark (barselsloven § 40 stk. 1); the
// maternity function consumes them.
const (
	// ParentalEmployerReported is an employer's request for refusion of
	// wages paid during an employee's leave (barselsloven §§ 39–40). Data:
	// ParentalEmployerReport.
	ParentalEmployerReported = "dk.nemrefusion.parental.employer.reported.v1"
	// ParentalSelfEmployedReported is a self-employed person's request for
	// their own barselsdagpenge. Data: ParentalSelfEmployedReport.
	ParentalSelfEmployedReported = "dk.nemrefusion.parental.selfemployed.reported.v1"
	// ParentalAKasseReported is an a-kasse's information for an unemployed
	// member's parental-leave case. Data: ParentalAKasseReport.
	ParentalAKasseReported = "dk.nemrefusion.parental.akasse.reported.v1"
)

// Leave kinds (fraværsårsager) of a leave period.
const (
	LeavePregnancy            = "pregnancy"             // graviditetsorlov and pregnancy-related absence before birth
	LeaveBirth                = "birth"                 // barselsorlov after birth
	LeavePaternity            = "paternity"             // fædre- og medmororlov
	LeaveParental             = "parental"              // forældreorlov
	LeaveAdoption             = "adoption"              // adoption
	LeaveBereavement          = "bereavement"           // sorgorlov
	LeaveSickChild            = "sick-child"            // pasning af alvorligt sygt barn (§ 26)
	LeavePregnancyExamination = "pregnancy-examination" // forebyggende graviditetsundersøgelse (no refusion, § 40 stk. 5)
)

// LeaveKinds lists every leave kind.
var LeaveKinds = []string{LeavePregnancy, LeaveBirth, LeavePaternity, LeaveParental, LeaveAdoption, LeaveBereavement,
	LeaveSickChild, LeavePregnancyExamination}

// LeavePeriod is one period of leave, both ends included ("YYYY-MM-DD"),
// within one calendar year (the maximum rate is per year).
type LeavePeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Kind is one of LeaveKinds.
	Kind string `json:"kind"`
	// HoursAbsent is the hours of leave in the period: the hours the person
	// should have worked.
	HoursAbsent float64 `json:"hoursAbsent"`
	// WagesPaid is the wages the employer paid for those hours, in kroner
	// (the employer's request only).
	WagesPaid *float64 `json:"wagesPaid,omitempty"`
}

// ParentalEmployerReport is the data of ParentalEmployerReported.
type ParentalEmployerReport struct {
	// CPR is the employee on leave; CVR the employer, PNumber the workplace.
	CPR     string `json:"cpr"`
	CVR     string `json:"cvr"`
	PNumber string `json:"pNumber"`
	// ChildDate is the child's birth (or expected birth, or reception
	// when adopting) date: together with the person and employer it
	// identifies the leave (the case).
	ChildDate string `json:"childDate"`
	// WeeklyHours is the employee's normal working time per week;
	// HourlyEarnings the hourly earnings in kroner before AM-bidrag.
	WeeklyHours    float64 `json:"weeklyHours"`
	HourlyEarnings float64 `json:"hourlyEarnings"`
	EmployedSince  string  `json:"employedSince"`
	// Periods are the periods of leave refusion is requested for.
	Periods []LeavePeriod `json:"periods"`
	// LeaveContinues is true when the leave goes on after the last period.
	LeaveContinues bool    `json:"leaveContinues"`
	Contact        Contact `json:"contact"`
}

// ParentalSelfEmployedReport is the data of ParentalSelfEmployedReported.
type ParentalSelfEmployedReport struct {
	// CPR is the self-employed person; CVR their own company.
	CPR       string `json:"cpr"`
	CVR       string `json:"cvr"`
	PNumber   string `json:"pNumber,omitempty"`
	ChildDate string `json:"childDate"`
	// WeeklyHours is the usual working time in the business.
	WeeklyHours float64 `json:"weeklyHours"`
	// BusinessSince is the day the business started.
	BusinessSince  string        `json:"businessSince"`
	Periods        []LeavePeriod `json:"periods"`
	LeaveContinues bool          `json:"leaveContinues"`
	Contact        Contact       `json:"contact"`
}

// ParentalAKasseReport is the data of ParentalAKasseReported: what the
// a-kasse knows that UDK needs for an unemployed member's barselsdagpenge.
type ParentalAKasseReport struct {
	// CPR is the member; CVR the a-kasse.
	CPR       string `json:"cpr"`
	CVR       string `json:"cvr"`
	ChildDate string `json:"childDate"`
	// MemberSince is the start of the membership; Insurance "full-time"
	// or "part-time".
	MemberSince string `json:"memberSince"`
	Insurance   string `json:"insurance"`
	// FullyUnemployed is true for a fully unemployed member.
	FullyUnemployed bool `json:"fullyUnemployed"`
	// DailyBenefitRate is the member's unemployment benefit per day in
	// kroner, when the a-kasse has calculated it.
	DailyBenefitRate *float64      `json:"dailyBenefitRate,omitempty"`
	Periods          []LeavePeriod `json:"periods"`
	Contact          Contact       `json:"contact"`
}

// maxLeavePeriods bounds the periods of one request.
const maxLeavePeriods = 52

// leavePeriods checks the periods of a parental blanket: dates that exist
// and come in order, one calendar year per period, hours that fit the
// period, no two periods overlapping, and wages when wages is true.
func (c *check) leavePeriods(ps []LeavePeriod, weekly float64, wages bool) {
	if len(ps) == 0 {
		c.add("periods", "required", "Angiv mindst én orlovsperiode.", "Give at least one leave period.")
		return
	}
	if len(ps) > maxLeavePeriods {
		c.add("periods", "too_many", fmt.Sprintf("Højst %d perioder pr. anmodning.", maxLeavePeriods), fmt.Sprintf("At most %d periods per request.", maxLeavePeriods))
	}
	type span struct{ f, t time.Time }
	var seen []span
	for i, p := range ps {
		field := fmt.Sprintf("periods.%d", i)
		f, fok := c.date(field+".from", p.From)
		t, tok := c.date(field+".to", p.To)
		c.notBefore(field+".to", t, tok, f, fok, "to_before_from", "Perioden slutter før den begynder.", "The period ends before it starts.")
		if fok && tok && f.Year() != t.Year() {
			c.add(field+".to", "crosses_year", "En periode skal ligge i ét kalenderår; del den ved årsskiftet.", "A period must lie within one calendar year; split it at the new year.")
		}
		if fok && f.Before(time.Now().AddDate(-maxPastYears, 0, 0)) {
			c.add(field+".from", "too_old", fmt.Sprintf("Perioden kan højst ligge %d år tilbage.", maxPastYears), fmt.Sprintf("The period can be at most %d years back.", maxPastYears))
		}
		known := false
		for _, k := range LeaveKinds {
			known = known || k == p.Kind
		}
		if !known {
			c.add(field+".kind", "enum", "Fraværsårsagen kendes ikke.", "The kind of leave is not known.")
		}
		h := p.HoursAbsent
		if math.IsNaN(h) || math.IsInf(h, 0) || h <= 0 {
			c.add(field+".hoursAbsent", "hours", "Fraværstimerne skal være over 0.", "The hours absent must be above 0.")
		} else if fok && tok && !t.Before(f) && weekly > 0 {
			days := int(t.Sub(f).Hours()/24) + 1
			weeks := (days + 6) / 7
			if h > weekly*float64(weeks)+0.005 {
				c.add(field+".hoursAbsent", "too_large", "Fraværstimerne overstiger arbejdstiden i perioden.", "The hours absent exceed the working time of the period.")
			}
		}
		switch {
		case wages && p.WagesPaid == nil:
			c.add(field+".wagesPaid", "required", "Den udbetalte løn for perioden skal udfyldes.", "The wages paid for the period are required.")
		case wages && (math.IsNaN(*p.WagesPaid) || *p.WagesPaid < 0):
			c.add(field+".wagesPaid", "amount", "Lønnen skal være et beløb på mindst 0 kr.", "The wages must be an amount of at least 0 kr.")
		case !wages && p.WagesPaid != nil:
			c.add(field+".wagesPaid", "not_allowed", "Der oplyses ikke løn på denne blanket.", "This form takes no wages.")
		}
		if fok && tok && !t.Before(f) {
			for _, s := range seen {
				if !f.After(s.t) && !t.Before(s.f) {
					c.add(field, "overlap", "Perioden overlapper en anden periode.", "The period overlaps another period.")
					break
				}
			}
			seen = append(seen, span{f, t})
		}
	}
}

// Check returns every domain problem of an employer's parental-leave request.
func (r ParentalEmployerReport) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	c.date("childDate", r.ChildDate)
	c.date("employedSince", r.EmployedSince)
	c.hours("weeklyHours", r.WeeklyHours, maxWeeklyHours)
	if !(r.HourlyEarnings > 0) {
		c.add("hourlyEarnings", "required", "Timefortjenesten skal udfyldes.", "The hourly earnings are required.")
	}
	c.leavePeriods(r.Periods, r.WeeklyHours, true)
	return c.fe
}

// Check returns every domain problem of a self-employed person's request.
func (r ParentalSelfEmployedReport) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.pnumber("pNumber", r.PNumber)
	c.date("childDate", r.ChildDate)
	c.date("businessSince", r.BusinessSince)
	c.hours("weeklyHours", r.WeeklyHours, maxWeeklyHours)
	c.leavePeriods(r.Periods, r.WeeklyHours, false)
	return c.fe
}

// Check returns every domain problem of an a-kasse's information.
func (r ParentalAKasseReport) Check() FieldErrors {
	var c check
	c.cpr("cpr", r.CPR)
	c.cvr("cvr", r.CVR)
	c.date("childDate", r.ChildDate)
	c.date("memberSince", r.MemberSince)
	if r.Insurance != "full-time" && r.Insurance != "part-time" {
		c.add("insurance", "enum", "Forsikringen skal være fuldtid eller deltid.", "The insurance must be full-time or part-time.")
	}
	if d := r.DailyBenefitRate; d != nil && (math.IsNaN(*d) || *d <= 0) {
		c.add("dailyBenefitRate", "amount", "Dagpengesatsen skal være over 0 kr.", "The daily benefit rate must be above 0 kr.")
	}
	weekly := 37.0
	if r.Insurance == "part-time" {
		weekly = 30
	}
	c.leavePeriods(r.Periods, weekly, false)
	return c.fe
}
