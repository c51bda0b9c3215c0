package registers

import (
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel/records"
)

// IncomeMonth is one month of income from one employer as reported to
// eIndkomst (records.IncomeMonth: the register rules in the domain kernel
// read it).
type IncomeMonth = records.IncomeMonth

// Month is a calendar month, "2024-05" (records.Month).
type Month = records.Month

// ErrMonthFormat is returned for a month that is not "YYYY-MM".
var ErrMonthFormat = records.ErrMonthFormat

// NewMonth returns the month m of year y (records.NewMonth).
func NewMonth(y int, m time.Month) Month { return records.NewMonth(y, m) }

// MonthOf returns the calendar month t falls in (records.MonthOf).
func MonthOf(t time.Time) Month { return records.MonthOf(t) }

// ParseMonth parses "YYYY-MM" (records.ParseMonth).
func ParseMonth(s string) (Month, error) { return records.ParseMonth(s) }

// Employment links a person to the workplace (P-unit) of an employer. It is
// the synthetic data's ground truth behind income and the workplace an
// employer names in a report.
type Employment struct {
	CPR     ids.CPR     `json:"cpr"`
	CVR     ids.CVR     `json:"cvr"`
	PNumber ids.PNumber `json:"pnumber"`
	// Start is the first day of employment.
	Start time.Time `json:"start"`
	// End is the last day, or zero while employed.
	End time.Time `json:"end,omitzero"`
	// WeeklyHours is the agreed hours per week.
	WeeklyHours float64 `json:"weeklyHours"`
}
