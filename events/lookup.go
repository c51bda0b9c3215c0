package events

// Register lookups (CPR, CVR, eIndkomst) as events. A function that cannot
// call the lookup function synchronously posts LookupRequested to the broker
// and receives LookupAnswered or LookupFailed with the same correlation id.
const (
	// LookupRequested asks the lookup function for register data; data is
	// LookupRequest.
	LookupRequested = "dk.nemrefusion.lookup.requested.v1"
	// LookupAnswered carries the register data asked for; data is
	// LookupAnswer.
	LookupAnswered = "dk.nemrefusion.lookup.answered.v1"
	// LookupFailed says why a lookup cannot be answered (the number is
	// unknown or the request is invalid); data is LookupFailure. A register
	// that is down is not a failure: the request is retried by the broker.
	LookupFailed = "dk.nemrefusion.lookup.failed.v1"
	// LookupInvalidated says cached register data is stale (a CPR or CVR
	// record changed, or the stand-in registers were re-seeded); the lookup
	// function drops it from its cache. Data is LookupInvalidation.
	LookupInvalidated = "dk.nemrefusion.lookup.invalidated.v1"
)

// Kinds of lookup.
const (
	LookupPerson  = "person"  // CPR: name, address, residence, Digital Post, NemSMS
	LookupCompany = "company" // CVR: the company and its P-units
	LookupPUnit   = "punit"   // CVR: one production unit
	LookupIncome  = "income"  // eIndkomst: income months in a period
)

// LookupReasonNotFound and LookupReasonInvalid are the reasons of a
// LookupFailure.
const (
	// LookupReasonNotFound: the register does not know the number. Check
	// the number with the sender; asking again will give the same answer.
	LookupReasonNotFound = "not-found"
	// LookupReasonInvalid: the request itself is wrong (see Errors). Fix the
	// request; asking again unchanged will give the same answer.
	LookupReasonInvalid = "invalid"
)

// LookupRequest is the data of LookupRequested and the query of the HTTP
// lookups. Identifiers are strings here so that a malformed one can be
// answered with a field error rather than a decoding failure.
type LookupRequest struct {
	// Kind is LookupPerson, LookupCompany, LookupPUnit or LookupIncome.
	Kind string `json:"kind"`
	// CPR is the person (kinds person and income).
	CPR string `json:"cpr,omitempty"`
	// CVR is the company (kind company).
	CVR string `json:"cvr,omitempty"`
	// PNumber is the production unit (kind punit).
	PNumber string `json:"pnumber,omitempty"`
	// From and To are the first and last income month, "YYYY-MM" (kind
	// income).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Purpose says why the data is needed, e.g. "sickness: employment
	// requirement § 32". It is recorded in the audit ledger. Required.
	Purpose string `json:"purpose"`
	// AbsenceID is the absence or case the lookup is for, when there is
	// one; the ledger entry then joins that case's stream.
	AbsenceID string `json:"absenceId,omitempty"`
}

// LookupAnswer is the data of LookupAnswered. Exactly one of Person,
// Company, PUnit and Income is set, matching Kind.
type LookupAnswer struct {
	Kind string `json:"kind"`
	// RequestID is the id of the LookupRequested event answered.
	RequestID string             `json:"requestId"`
	Person    *LookupPersonData  `json:"person,omitempty"`
	Company   *LookupCompanyData `json:"company,omitempty"`
	PUnit     *LookupPUnitData   `json:"punit,omitempty"`
	Income    *LookupIncomeData  `json:"income,omitempty"`
}

// LookupFailure is the data of LookupFailed.
type LookupFailure struct {
	Kind      string `json:"kind"`
	RequestID string `json:"requestId"`
	// Reason is LookupReasonNotFound or LookupReasonInvalid.
	Reason string `json:"reason"`
	// Code, Da and En describe the failure for people (never personal data).
	Code string `json:"code"`
	Da   string `json:"da"`
	En   string `json:"en"`
	// Errors are the field errors of an invalid request.
	Errors FieldErrors `json:"errors,omitempty"`
}

// LookupAddress is a postal address; Country is ISO 3166-1 alpha-2.
type LookupAddress struct {
	Street     string `json:"street"`
	PostalCode string `json:"postalCode"`
	City       string `json:"city"`
	Country    string `json:"country"`
}

// LookupMunicipality is a municipality by official number and name.
type LookupMunicipality struct {
	Number int    `json:"number"`
	Name   string `json:"name"`
}

// LookupPersonData is what CPR says about a person, as the lookup answers it.
type LookupPersonData struct {
	CPR     string        `json:"cpr"`
	Name    string        `json:"name"`
	Address LookupAddress `json:"address"`
	// Municipality is the municipality of residence; nil when the person
	// lives abroad (then AbroadCountry is set).
	Municipality  *LookupMunicipality `json:"municipality,omitempty"`
	AbroadCountry string              `json:"abroadCountry,omitempty"`
	// ResidentSince is the first day of the current residence, "YYYY-MM-DD",
	// when known.
	ResidentSince string `json:"residentSince,omitempty"`
	// DigitalPost says whether letters go to Digital Post or on paper.
	DigitalPost LookupDigitalPost `json:"digitalPost"`
	// NemSMS says whether the person signed up for NemSMS.
	NemSMS LookupNemSMS `json:"nemSms"`
	// PreferredLanguage is "da" or "en".
	PreferredLanguage string `json:"preferredLanguage"`
	// Representatives may act for the person (guardian, power of attorney).
	Representatives []LookupRepresentative `json:"representatives,omitempty"`
}

// LookupDigitalPost is a person's Digital Post status.
type LookupDigitalPost struct {
	// Exempt is true for people exempt from Digital Post (fritaget).
	Exempt bool `json:"exempt"`
}

// LookupNemSMS is a person's NemSMS status.
type LookupNemSMS struct {
	SignedUp bool `json:"signedUp"`
	// Phone is the E.164 number signed up with, when SignedUp.
	Phone string `json:"phone,omitempty"`
}

// LookupRepresentative is someone who may act for a person.
type LookupRepresentative struct {
	CPR string `json:"cpr"`
	// Kind is "guardian" or "power-of-attorney".
	Kind string `json:"kind"`
}

// LookupCompanyData is what CVR says about a company and its P-units.
type LookupCompanyData struct {
	CVR     string        `json:"cvr"`
	Name    string        `json:"name"`
	Form    string        `json:"form"`
	Address LookupAddress `json:"address"`
	// SoleProprietorship is true when the company is a person's
	// enkeltmandsvirksomhed (the owner's CPR is never part of the answer).
	SoleProprietorship bool              `json:"soleProprietorship"`
	PUnits             []LookupPUnitData `json:"punits"`
}

// LookupPUnitData is one production unit (P-enhed).
type LookupPUnitData struct {
	PNumber      string             `json:"pnumber"`
	CVR          string             `json:"cvr"`
	Name         string             `json:"name"`
	Address      LookupAddress      `json:"address"`
	Municipality LookupMunicipality `json:"municipality"`
}

// LookupIncomeData is the income months of a person in a period, ordered by
// month and then employer.
type LookupIncomeData struct {
	CPR    string              `json:"cpr"`
	From   string              `json:"from"`
	To     string              `json:"to"`
	Months []LookupIncomeMonth `json:"months"`
}

// LookupIncomeMonth is one month of income from one employer (eIndkomst).
type LookupIncomeMonth struct {
	Month    string  `json:"month"`
	Employer string  `json:"employer"`
	Hours    float64 `json:"hours"`
	// AMIncomeOre is the AM-liable income in øre.
	AMIncomeOre int64 `json:"amIncomeOre"`
}

// LookupInvalidation is the data of LookupInvalidated. Set All, or one or
// more of CPR, CVR and PNumber.
type LookupInvalidation struct {
	CPR     string `json:"cpr,omitempty"`
	CVR     string `json:"cvr,omitempty"`
	PNumber string `json:"pnumber,omitempty"`
	// All drops every cached register answer.
	All bool `json:"all,omitempty"`
	// Reason says why, e.g. "cpr change notice" or "nrctl seed".
	Reason string `json:"reason"`
}
