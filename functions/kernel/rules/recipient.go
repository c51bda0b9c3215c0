package rules

import (
	"fmt"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel/records"
)

// RecipientKind says which authority a blanket goes to, as the blanket
// table in the executive order § 1 sets it out: the registry's recipient
// (events.ToMunicipality for sickness, early follow-up, the subsidies and
// LAB § 136; events.ToUDK for parental leave, barselsloven § 40 stk. 1).
type RecipientKind = events.Recipient

// The kinds, as the registry names them.
const (
	ToMunicipality = events.ToMunicipality
	ToUDK          = events.ToUDK
)

// Rule identifiers a Decision names.
const (
	RuleResidence = "recipient.residence" // the municipality of residence in CPR
	RuleWorkplace = "recipient.workplace" // abroad: the workplace's municipality
	RuleUDK       = "recipient.udk"       // parental leave: Udbetaling Danmark
)

// Sources of the routing rules.
const (
	SourceRoutingFAQ = "http://www.nemrefusion.dk/myndighed/myndighed/ofte-stillede-spoergsmaal-(faq).aspx"
	SourceBarsel40   = "https://danskelove.dk/barselsloven/40"
)

// Decision is the recipient of one report and why.
type Decision struct {
	Recipient ids.Recipient `json:"recipient"`
	// Rule is RuleResidence, RuleWorkplace or RuleUDK.
	Rule string `json:"rule"`
	// Reference names the rule's source in words; Source is its URL.
	Reference string `json:"reference"`
	Source    string `json:"source"`
	// At is the time the decision was made for (the time of signing).
	At time.Time `json:"at"`
	// Residence is the residence CPR had at At (zero for RuleUDK).
	Residence records.Residence `json:"residence,omitzero"`
	// Workplace is the P-unit used for RuleWorkplace.
	Workplace ids.PNumber `json:"workplace,omitzero"`
	TextDa    string      `json:"textDa"`
	TextEn    string      `json:"textEn"`
}

// RecipientFor decides which authority receives a report about person,
// signed at time at (pass Danish local time: the calendar day counts).
//
// Parental leave (ToUDK) goes to Udbetaling Danmark (barselsloven § 40
// stk. 1). Everything else goes to the municipality where the person lived
// in CPR at the time of signing; a person living abroad is routed to the
// municipality of the workplace (the P-unit the sender names). Source: the
// NemRefusion FAQ for authorities (DOMAIN.md, Routing).
//
// Errors: ErrNoWorkplace when the person lives abroad and workplace is nil,
// ErrWorkplaceMunicipality when the P-unit has no municipality,
// ErrResidenceUnknown when CPR's history does not reach back to at, and
// ErrRecipientKind for an unknown kind.
func RecipientFor(person records.Person, workplace *records.PUnit, kind RecipientKind, at time.Time) (Decision, error) {
	switch kind {
	case ToUDK:
		return Decision{
			Recipient: ids.UDK,
			Rule:      RuleUDK,
			Reference: "barselsloven § 40 stk. 1",
			Source:    SourceBarsel40,
			At:        at,
			TextDa:    "Indberetninger om barsel sendes til Udbetaling Danmark (barselsloven § 40, stk. 1).",
			TextEn:    "Parental leave reports go to Udbetaling Danmark (Danish Parental Leave Act § 40(1)).",
		}, nil
	case ToMunicipality:
	default:
		return Decision{}, fmt.Errorf("recipient kind %q: %w", kind, ErrRecipientKind)
	}

	res, known := person.ResidenceAt(at)
	if !known {
		return Decision{}, ErrResidenceUnknown
	}
	if !res.Abroad() {
		r := ids.MunicipalityRecipient(res.Municipality)
		return Decision{
			Recipient: r,
			Rule:      RuleResidence,
			Reference: "NemRefusion: opholdskommunen i CPR på underskriftstidspunktet",
			Source:    SourceRoutingFAQ,
			At:        at,
			Residence: res,
			TextDa: fmt.Sprintf("Indberetningen sendes til %s, fordi personen ifølge CPR boede i kommunen den %s, da der blev underskrevet.",
				r.Name(), dateDa(at)),
			TextEn: fmt.Sprintf("The report goes to %s because, according to CPR, the person lived in that municipality on %s, when it was signed.",
				r.Name(), dateEn(at)),
		}, nil
	}

	if workplace == nil {
		return Decision{}, ErrNoWorkplace
	}
	if workplace.Municipality.IsZero() {
		return Decision{}, ErrWorkplaceMunicipality
	}
	r := ids.MunicipalityRecipient(workplace.Municipality)
	return Decision{
		Recipient: r,
		Rule:      RuleWorkplace,
		Reference: "NemRefusion: bor personen i udlandet, arbejdsstedets (P-enhedens) kommune",
		Source:    SourceRoutingFAQ,
		At:        at,
		Residence: res,
		Workplace: workplace.PNumber,
		TextDa: fmt.Sprintf("Personen bor i udlandet (%s) ifølge CPR den %s, så indberetningen sendes til arbejdsstedets kommune, %s (P-nummer %s).",
			res.Country, dateDa(at), r.Name(), workplace.PNumber),
		TextEn: fmt.Sprintf("According to CPR the person lived abroad (%s) on %s, so the report goes to the workplace's municipality, %s (P-number %s).",
			res.Country, dateEn(at), r.Name(), workplace.PNumber),
	}, nil
}
