package registers

import "nemrefusion.dk/events/ids"

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

// PUnit is one production unit (produktionsenhed, P-enhed): one physical
// workplace of one company.
type PUnit struct {
	PNumber ids.PNumber `json:"pnumber"`
	// CVR is the company the unit belongs to.
	CVR          ids.CVR          `json:"cvr"`
	Name         string           `json:"name"`
	Address      Address          `json:"address"`
	Municipality ids.Municipality `json:"municipality"`
}

// AKasse is an unemployment insurance fund (arbejdsløshedskasse), which
// reports sickness of unemployed members. It is a company in CVR too.
type AKasse struct {
	CVR  ids.CVR `json:"cvr"`
	Name string  `json:"name"`
}

// Membership is a person's membership of an a-kasse.
type Membership struct {
	CPR    ids.CPR `json:"cpr"`
	AKasse ids.CVR `json:"akasse"`
	// Unemployed is true for a member who is fully unemployed now.
	Unemployed bool `json:"unemployed"`
}
