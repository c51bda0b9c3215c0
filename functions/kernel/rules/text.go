package rules

import (
	"strconv"
	"strings"
	"time"

	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/kernel/records"
)

// monthDa returns e.g. "marts 2024".
func monthDa(m records.Month) string {
	return kernel.DanishMonth(m.Month()) + " " + strconv.Itoa(m.Year())
}

// monthEn returns e.g. "March 2024".
func monthEn(m records.Month) string {
	return m.Month().String() + " " + strconv.Itoa(m.Year())
}

// dateDa returns e.g. "3. maj 2024": the calendar day of t in t's own
// location, as the rules read it.
func dateDa(t time.Time) string { return kernel.NewDate(t.Date()).Danish() }

// dateEn returns e.g. "3 May 2024".
func dateEn(t time.Time) string { return t.Format("2 January 2006") }

// hoursEn formats hours with a decimal point and at most two decimals.
func hoursEn(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

// hoursDa formats hours with a decimal comma.
func hoursDa(h float64) string { return strings.Replace(hoursEn(h), ".", ",", 1) }
