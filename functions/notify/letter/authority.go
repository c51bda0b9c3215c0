package letter

import (
	"nemrefusion.dk/events/ids"
)

// Authority is an authority letters are sent on behalf of, with where its
// name and CVR number come from.
//
// CVR is "" where the CVR number is not in the project's sources (the seed
// documents and DOMAIN.md hold no authority's CVR number): a CVR number is
// never guessed, and a letter from such an authority says the number is
// unknown instead of printing the placeholder the pipeline sends
// (infra/blanket.PlaceholderAuthorityCVR).
type Authority struct {
	// Code is the recipient code: the kommunekode ("101") or "UDK";
	// "" for NemRefusion itself.
	Code string
	Name string
	CVR  string
	// Source is where the entry's name (and CVR, once known) comes from.
	Source string
}

// Sources of the table.
const (
	sourceMunicipalities = "https://danmarksadresser.dk/adressedata/kodelister/kommunekodeliste"
	sourceUDK            = "/work/shared/seeds/004_3808c1434fc20b2e.txt (lov om Udbetaling Danmark; barselsloven § 40 stk. 1 per events.ToUDK)"
	sourceNemRefusion    = "/work/shared/seeds/001_9bf8720a3ef018aa.txt (KOMBIT's NemRefusion project)"
)

// authorities is the table: Udbetaling Danmark, NemRefusion itself (the
// sender of a receipt for a submission that was rejected before any
// authority got it) and the 98 municipalities, whose names are
// events/ids' official kommunekode list.
var authorities = func() map[string]Authority {
	t := map[string]Authority{}
	add := func(a Authority) { t[a.Name] = a }
	add(Authority{Code: "UDK", Name: "Udbetaling Danmark", Source: sourceUDK})
	add(Authority{Code: "", Name: "NemRefusion", Source: sourceNemRefusion})
	for _, m := range ids.AllMunicipalities() {
		add(Authority{Code: m.String(), Name: ids.MunicipalityRecipient(m).Name(), Source: sourceMunicipalities})
	}
	return t
}()

// Authorities returns the table, keyed by name.
func Authorities() map[string]Authority {
	out := make(map[string]Authority, len(authorities))
	for k, v := range authorities {
		out[k] = v
	}
	return out
}

// AuthorityNamed finds the authority a letter request names (the pipeline
// names it as ids.Recipient.Name does); ok is false for a name outside the
// table (the request's own name and CVR are then used as given).
func AuthorityNamed(name string) (Authority, bool) {
	a, ok := authorities[name]
	return a, ok
}
