package rules

import (
	"strconv"
	"strings"
	"time"

	"nemrefusion.dk/infra/registers"
)

var monthsDa = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli",
	"august", "september", "oktober", "november", "december"}

// monthDa returns e.g. "marts 2024".
func monthDa(m registers.Month) string {
	return monthsDa[m.Month()-1] + " " + strconv.Itoa(m.Year())
}

// monthEn returns e.g. "March 2024".
func monthEn(m registers.Month) string {
	return m.Month().String() + " " + strconv.Itoa(m.Year())
}

// dateDa returns e.g. "3. maj 2024".
func dateDa(t time.Time) string {
	return strconv.Itoa(t.Day()) + ". " + monthsDa[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// dateEn returns e.g. "3 May 2024".
func dateEn(t time.Time) string { return t.Format("2 January 2006") }

// hoursEn formats hours with a decimal point and at most two decimals.
func hoursEn(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

// hoursDa formats hours with a decimal comma.
func hoursDa(h float64) string { return strings.Replace(hoursEn(h), ".", ",", 1) }
