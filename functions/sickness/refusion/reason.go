package refusion

// Reason records one legal rule a decision applied: which rule (a stable id
// such as "sdl-30-1"), the law it follows ("sygedagpengeloven § 30, stk. 1"),
// a public source, the explanation in Danish and English, and the inputs and
// result the rule saw, so the decision can be written to the ledger and
// explained later.
type Reason struct {
	Rule   string         `json:"rule"`
	Law    string         `json:"law"`
	Source string         `json:"source,omitempty"`
	TextDa string         `json:"textDa"`
	TextEn string         `json:"textEn"`
	Inputs map[string]any `json:"inputs,omitempty"`
	Result any            `json:"result,omitempty"`
}

// Sources of the rules, as collected in shared/DOMAIN.md.
const (
	srcSDL30        = "https://danskelove.dk/sygedagpengeloven/30"
	srcSDL40        = "https://elov.dk/sygedagpengeloven/paragraf/40"
	srcSDL41        = "https://danskelove.dk/sygedagpengeloven/41"
	srcSDL53        = "https://danskelove.dk/sygedagpengeloven/53"
	srcSDL59        = "https://elov.dk/sygedagpengeloven/59/"
	srcFirstDay     = "https://www.slagelse.dk/erhverv/arbejdsmarkedet/sygemeldte-medarbejdere/refusion-af-sygedagpenge"
	srcFirstDay2    = "https://www.horesta.dk/dit-personale/sygdom/refusion-og-sygedagpenge/"
	srcAmount       = "https://pav.medst.dk/sygdom/loen-dagpenge-under-sygdom/sygedagpengenes-stoerrelse/"
	srcPartial      = "https://www.cabiweb.dk/lovstof/delvis-uarbejdsdygtighed/"
	srcEarly        = "https://www.elov.dk/sygedagpengeloven/paragraf/13b/"
	srcReassessment = "https://www.cabiweb.dk/lovstof/sygedagpenge-efter-22-uger/"
	srcAKasse       = "https://www.star.dk/da/ydelser/ledighed/arbejdsloeshedsdagpenge-under-de-foerste-14-dages-sygdom/"
	srcSection56Due = "https://statens-adm.dk/refusion/ansoegningsfrister-for-refusion/"
)
