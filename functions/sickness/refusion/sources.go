package refusion

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
	srcSDL55        = "https://albertslund.dk/erhvervsservice/sygedagpenge-refusion-til-arbejdsgiver"
	srcSDL55b       = "http://www.glostrup.dk/erhverv/dine-medarbejdere/sygemeldt-medarbejder"
)
