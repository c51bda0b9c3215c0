package events

// RateRegistered says a maximum sygedagpenge rate (sygedagpengeloven § 50,
// stk. 1; also the barselsdagpenge maximum) was registered or changed in
// the sickness function's rate table: a provisional rate added, or a rate
// published with its final value. The sickness function owns the table
// (admin API /api/v1/admin/rates) and emits it; the maternity function
// keeps its own copy from it. A later event for the same year replaces the
// earlier (higher version). Data: RateRegistration.
const RateRegistered = "dk.nemrefusion.rate.registered.v1"

// Statuses of a registered rate.
const (
	RateStatusPublished   = "published"
	RateStatusProvisional = "provisional"
)

// RateRegistration is the data of RateRegistered: one version of the rate
// of one year.
type RateRegistration struct {
	// ID is the row of the rate table (one per version).
	ID int64 `json:"id"`
	// Year is the rate's year; EffectiveFrom the day it takes effect (the
	// first Monday of January unless the table says otherwise).
	Year          int    `json:"year"`
	EffectiveFrom string `json:"effectiveFrom"`
	// Weekly and Hourly are in kroner (Hourly = Weekly / 37, half up).
	Weekly Kroner `json:"weekly"`
	Hourly Kroner `json:"hourly"`
	// Source is where the rate was published (for a provisional rate: why
	// it was registered).
	Source string `json:"source"`
	// Status is RateStatusPublished or RateStatusProvisional.
	Status string `json:"status"`
	// Version counts the versions of the year's rate, from 1.
	Version int `json:"version"`
	// AddedBy is who registered it (the administrator's subject), AddedAt
	// when (RFC 3339).
	AddedBy string `json:"addedBy"`
	AddedAt string `json:"addedAt"`
}
