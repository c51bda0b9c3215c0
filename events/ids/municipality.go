package ids

import (
	"strconv"
	"strings"
)

// Municipality is one of the 98 Danish municipalities (kommuner), known by
// its official three-digit number (kommunekode). The zero value means "no
// municipality" (for example a person living abroad).
type Municipality struct{ code uint16 }

// municipalities is the official list of kommunekoder since the 2007
// structural reform, in number order. Source: Danmarks Statistik /
// Datafordeleren kommunekodeliste
// (https://danmarksadresser.dk/adressedata/kodelister/kommunekodeliste).
// Christiansø (411) is not a municipality and is left out.
var municipalities = []struct {
	code uint16
	name string
}{
	{101, "København"}, {147, "Frederiksberg"}, {151, "Ballerup"}, {153, "Brøndby"},
	{155, "Dragør"}, {157, "Gentofte"}, {159, "Gladsaxe"}, {161, "Glostrup"},
	{163, "Herlev"}, {165, "Albertslund"}, {167, "Hvidovre"}, {169, "Høje-Taastrup"},
	{173, "Lyngby-Taarbæk"}, {175, "Rødovre"}, {183, "Ishøj"}, {185, "Tårnby"},
	{187, "Vallensbæk"}, {190, "Furesø"}, {201, "Allerød"}, {210, "Fredensborg"},
	{217, "Helsingør"}, {219, "Hillerød"}, {223, "Hørsholm"}, {230, "Rudersdal"},
	{240, "Egedal"}, {250, "Frederikssund"}, {253, "Greve"}, {259, "Køge"},
	{260, "Halsnæs"}, {265, "Roskilde"}, {269, "Solrød"}, {270, "Gribskov"},
	{306, "Odsherred"}, {316, "Holbæk"}, {320, "Faxe"}, {326, "Kalundborg"},
	{329, "Ringsted"}, {330, "Slagelse"}, {336, "Stevns"}, {340, "Sorø"},
	{350, "Lejre"}, {360, "Lolland"}, {370, "Næstved"}, {376, "Guldborgsund"},
	{390, "Vordingborg"}, {400, "Bornholm"}, {410, "Middelfart"}, {420, "Assens"},
	{430, "Faaborg-Midtfyn"}, {440, "Kerteminde"}, {450, "Nyborg"}, {461, "Odense"},
	{479, "Svendborg"}, {480, "Nordfyns"}, {482, "Langeland"}, {492, "Ærø"},
	{510, "Haderslev"}, {530, "Billund"}, {540, "Sønderborg"}, {550, "Tønder"},
	{561, "Esbjerg"}, {563, "Fanø"}, {573, "Varde"}, {575, "Vejen"},
	{580, "Aabenraa"}, {607, "Fredericia"}, {615, "Horsens"}, {621, "Kolding"},
	{630, "Vejle"}, {657, "Herning"}, {661, "Holstebro"}, {665, "Lemvig"},
	{671, "Struer"}, {706, "Syddjurs"}, {707, "Norddjurs"}, {710, "Favrskov"},
	{727, "Odder"}, {730, "Randers"}, {740, "Silkeborg"}, {741, "Samsø"},
	{746, "Skanderborg"}, {751, "Aarhus"}, {756, "Ikast-Brande"}, {760, "Ringkøbing-Skjern"},
	{766, "Hedensted"}, {773, "Morsø"}, {779, "Skive"}, {787, "Thisted"},
	{791, "Viborg"}, {810, "Brønderslev"}, {813, "Frederikshavn"}, {820, "Vesthimmerlands"},
	{825, "Læsø"}, {840, "Rebild"}, {846, "Mariagerfjord"}, {849, "Jammerbugt"},
	{851, "Aalborg"}, {860, "Hjørring"},
}

var municipalityNames = func() map[uint16]string {
	m := make(map[uint16]string, len(municipalities))
	for _, e := range municipalities {
		m[e.code] = e.name
	}
	return m
}()

// LookupMunicipality returns the municipality with the official number n, or
// ErrMunicipalityUnknown.
func LookupMunicipality(n int) (Municipality, error) {
	if n < 0 || n > 999 {
		return Municipality{}, ErrMunicipalityUnknown
	}
	if _, ok := municipalityNames[uint16(n)]; !ok {
		return Municipality{}, ErrMunicipalityUnknown
	}
	return Municipality{code: uint16(n)}, nil
}

// ParseMunicipality parses a municipality number such as "101" or "0101"
// (surrounding spaces are ignored). It returns ErrMunicipalityUnknown for
// anything that is not one of the 98 numbers.
func ParseMunicipality(s string) (Municipality, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 4 || !digits(s, len(s)) {
		return Municipality{}, ErrMunicipalityUnknown
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return Municipality{}, ErrMunicipalityUnknown
	}
	return LookupMunicipality(n)
}

// MustMunicipality is LookupMunicipality for constants in tests and seed
// data; it panics on an unknown number and must not be used on input.
func MustMunicipality(n int) Municipality {
	m, err := LookupMunicipality(n)
	if err != nil {
		panic("ids.MustMunicipality: " + err.Error())
	}
	return m
}

// AllMunicipalities returns the 98 municipalities in number order. The
// caller may modify the returned slice.
func AllMunicipalities() []Municipality {
	out := make([]Municipality, len(municipalities))
	for i, e := range municipalities {
		out[i] = Municipality{code: e.code}
	}
	return out
}

// IsZero reports whether m is the zero value (no municipality).
func (m Municipality) IsZero() bool { return m.code == 0 }

// Number returns the official number, e.g. 101 for København; 0 for the zero value.
func (m Municipality) Number() int { return int(m.code) }

// Name returns the short Danish name, e.g. "København" or "Ringkøbing-Skjern".
func (m Municipality) Name() string { return municipalityNames[m.code] }

// String returns the number as three digits, e.g. "101".
func (m Municipality) String() string {
	if m.code == 0 {
		return ""
	}
	return strconv.Itoa(int(m.code))
}

// MarshalText returns the number as a string, e.g. "101"; the zero value
// marshals to "".
func (m Municipality) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses like ParseMunicipality.
func (m *Municipality) UnmarshalText(b []byte) error {
	v, err := ParseMunicipality(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
