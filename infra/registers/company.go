package registers

import (
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel/records"
)

// Company is what CVR says about one company (virksomhed).
type Company struct {
	CVR  ids.CVR `json:"cvr"`
	Name string  `json:"name"`
	// Form is the legal form, e.g. "ApS", "A/S", "I/S",
	// "Enkeltmandsvirksomhed" or "Forening".
	Form    string  `json:"form"`
	Address Address `json:"address"`
	// Owner is the CPR number of the owner of a sole proprietorship
	// (enkeltmandsvirksomhed), which is how a self-employed person has a
	// CVR number; zero for every other form.
	Owner ids.CPR `json:"owner,omitzero"`
	// PUnits are the company's production units (workplaces), at least one.
	PUnits []PUnit `json:"punits"`
}

// AKasse is an unemployment insurance fund (arbejdsløshedskasse), which
// reports sickness of unemployed members. It is a company in CVR too.
type AKasse struct {
	CVR  ids.CVR `json:"cvr"`
	Name string  `json:"name"`
}

// PUnit is one production unit (P-enhed), records.PUnit: the recipient
// rule reads its municipality.
type PUnit = records.PUnit

// Membership is a person's membership of an a-kasse (records.Membership).
type Membership = records.Membership
