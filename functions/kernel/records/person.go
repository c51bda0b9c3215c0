package records

import (
	"time"

	"nemrefusion.dk/events/ids"
)

// Person is what CPR says about one person.
type Person struct {
	CPR ids.CPR `json:"cpr"`
	// Name is the full name as registered (given names and surname).
	Name    string  `json:"name"`
	Address Address `json:"address"`
	// Residence is where the person lives now: a municipality, or abroad.
	Residence Residence `json:"residence"`
	// History holds earlier residences, oldest first; each ends the day
	// before the next one (or Residence) starts. Optional.
	History []Residence `json:"history,omitempty"`
	// DigitalPostExempt is true for people exempt from Digital Post
	// (fritaget); they get letters on paper.
	DigitalPostExempt bool `json:"digitalPostExempt"`
	// NemSMS is the phone number (E.164, e.g. "+4520123456") the person
	// signed up for NemSMS with, or "" when not signed up.
	NemSMS string `json:"nemSms,omitempty"`
	// PreferredLanguage is "da" or "en".
	PreferredLanguage string `json:"preferredLanguage"`
	// Representatives are the people who may act for this person: a
	// guardian (værge) or the holder of a power of attorney (fuldmagt).
	Representatives []Representative `json:"representatives,omitempty"`
}

// Languages a person may prefer.
const (
	LanguageDanish  = "da"
	LanguageEnglish = "en"
)

// Address is a postal address. Country is an ISO 3166-1 alpha-2 code; "DK"
// for Danish addresses.
type Address struct {
	Street     string `json:"street"`
	PostalCode string `json:"postalCode"`
	City       string `json:"city"`
	Country    string `json:"country"`
}

// Residence is one period of living somewhere: in a Danish municipality, or
// abroad in Country. Exactly one of Municipality and Country is set.
type Residence struct {
	// From is the first day (a date at midnight UTC); zero when unknown.
	From time.Time `json:"from,omitzero"`
	// Municipality is the municipality of residence; zero when abroad.
	Municipality ids.Municipality `json:"municipality,omitzero"`
	// Country is set (ISO 3166-1 alpha-2, never "DK") when living abroad.
	Country string `json:"country,omitempty"`
}

// Abroad reports whether the residence is outside Denmark.
func (r Residence) Abroad() bool { return r.Municipality.IsZero() }

// Representative kinds.
const (
	RepresentativeGuardian        = "guardian"          // værge
	RepresentativePowerOfAttorney = "power-of-attorney" // fuldmagt
)

// Representative is someone who may act for a person.
type Representative struct {
	CPR ids.CPR `json:"cpr"`
	// Kind is RepresentativeGuardian or RepresentativePowerOfAttorney.
	Kind string `json:"kind"`
}

// ResidenceAt returns where the person lived on the calendar day of t in
// t's own location (pass Danish time: signing at 00:30 on the moving day
// counts as the new address): the current residence when t is on or after its From, else
// the latest earlier residence that had started by then. When t is before
// everything known, it returns the oldest known residence and false.
func (p Person) ResidenceAt(t time.Time) (Residence, bool) {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if !day.Before(p.Residence.From) {
		return p.Residence, true
	}
	for i := len(p.History) - 1; i >= 0; i-- {
		if !day.Before(p.History[i].From) {
			return p.History[i], true
		}
	}
	if len(p.History) > 0 {
		return p.History[0], false
	}
	return p.Residence, false
}
