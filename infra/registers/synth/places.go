package synth

// place is what the generator needs per municipality: a rounded population
// in thousands (about 2024, for weighting only) and one postal code and
// town for addresses.
type place struct {
	code       int
	population int // thousands, rounded
	postalCode string
	town       string
}

// places covers all 98 municipalities (checked by a test against ids).
var places = []place{
	{101, 660, "2300", "København S"}, {147, 104, "2000", "Frederiksberg"}, {151, 49, "2750", "Ballerup"},
	{153, 36, "2605", "Brøndby"}, {155, 14, "2791", "Dragør"}, {157, 75, "2820", "Gentofte"},
	{159, 70, "2860", "Søborg"}, {161, 24, "2600", "Glostrup"}, {163, 30, "2730", "Herlev"},
	{165, 28, "2620", "Albertslund"}, {167, 54, "2650", "Hvidovre"}, {169, 52, "2630", "Taastrup"},
	{173, 57, "2800", "Kongens Lyngby"}, {175, 41, "2610", "Rødovre"}, {183, 23, "2635", "Ishøj"},
	{185, 44, "2770", "Kastrup"}, {187, 17, "2625", "Vallensbæk"}, {190, 41, "3520", "Farum"},
	{201, 26, "3450", "Allerød"}, {210, 41, "3480", "Fredensborg"}, {217, 64, "3000", "Helsingør"},
	{219, 52, "3400", "Hillerød"}, {223, 25, "2970", "Hørsholm"}, {230, 57, "2840", "Holte"},
	{240, 44, "3660", "Stenløse"}, {250, 46, "3600", "Frederikssund"}, {253, 51, "2670", "Greve"},
	{259, 62, "4600", "Køge"}, {260, 31, "3300", "Frederiksværk"}, {265, 90, "4000", "Roskilde"},
	{269, 24, "2680", "Solrød Strand"}, {270, 41, "3200", "Helsinge"}, {306, 33, "4500", "Nykøbing Sj"},
	{316, 73, "4300", "Holbæk"}, {320, 37, "4640", "Faxe"}, {326, 49, "4400", "Kalundborg"},
	{329, 36, "4100", "Ringsted"}, {330, 80, "4200", "Slagelse"}, {336, 23, "4660", "Store Heddinge"},
	{340, 30, "4180", "Sorø"}, {350, 29, "4320", "Lejre"}, {360, 40, "4930", "Maribo"},
	{370, 84, "4700", "Næstved"}, {376, 60, "4800", "Nykøbing F"}, {390, 45, "4760", "Vordingborg"},
	{400, 39, "3700", "Rønne"}, {410, 39, "5500", "Middelfart"}, {420, 41, "5610", "Assens"},
	{430, 52, "5600", "Faaborg"}, {440, 24, "5300", "Kerteminde"}, {450, 32, "5800", "Nyborg"},
	{461, 207, "5000", "Odense C"}, {479, 59, "5700", "Svendborg"}, {480, 29, "5400", "Bogense"},
	{482, 12, "5900", "Rudkøbing"}, {492, 6, "5970", "Ærøskøbing"}, {510, 55, "6100", "Haderslev"},
	{530, 27, "7190", "Billund"}, {540, 74, "6400", "Sønderborg"}, {550, 37, "6270", "Tønder"},
	{561, 116, "6700", "Esbjerg"}, {563, 3, "6720", "Fanø"}, {573, 50, "6800", "Varde"},
	{575, 43, "6600", "Vejen"}, {580, 58, "6200", "Aabenraa"}, {607, 52, "7000", "Fredericia"},
	{615, 99, "8700", "Horsens"}, {621, 95, "6000", "Kolding"}, {630, 120, "7100", "Vejle"},
	{657, 90, "7400", "Herning"}, {661, 59, "7500", "Holstebro"}, {665, 19, "7620", "Lemvig"},
	{671, 21, "7600", "Struer"}, {706, 43, "8400", "Ebeltoft"}, {707, 37, "8500", "Grenaa"},
	{710, 50, "8450", "Hammel"}, {727, 23, "8300", "Odder"}, {730, 99, "8900", "Randers C"},
	{740, 98, "8600", "Silkeborg"}, {741, 4, "8305", "Samsø"}, {746, 64, "8660", "Skanderborg"},
	{751, 367, "8000", "Aarhus C"}, {756, 42, "7430", "Ikast"}, {760, 56, "6950", "Ringkøbing"},
	{766, 47, "8722", "Hedensted"}, {773, 20, "7900", "Nykøbing M"}, {779, 46, "7800", "Skive"},
	{787, 43, "7700", "Thisted"}, {791, 98, "8800", "Viborg"}, {810, 36, "9700", "Brønderslev"},
	{813, 58, "9900", "Frederikshavn"}, {820, 36, "9600", "Aars"}, {825, 2, "9940", "Læsø"},
	{840, 30, "9530", "Støvring"}, {846, 42, "9500", "Hobro"}, {849, 38, "9440", "Aabybro"},
	{851, 222, "9000", "Aalborg"}, {860, 64, "9800", "Hjørring"},
}

var placeByCode = func() map[int]place {
	m := make(map[int]place, len(places))
	for _, p := range places {
		m[p.code] = p
	}
	return m
}()

var streets = []string{
	"Algade", "Bredgade", "Vestergade", "Østergade", "Nørregade", "Søndergade", "Kirkevej",
	"Skolevej", "Stationsvej", "Møllevej", "Engvej", "Skovvej", "Birkevej", "Bøgevej",
	"Egevej", "Lindevej", "Rosenvej", "Violvej", "Solvej", "Strandvejen", "Havnegade",
	"Jernbanegade", "Torvet", "Parkvej", "Ringvejen", "Toftevej", "Granvej", "Ahornvej",
	"Kastanievej", "Vibevej", "Lærkevej", "Mågevej", "Fasanvej", "Industrivej", "Fabriksvej",
}

// abroad is where the ~1 % living abroad live.
var abroad = []struct{ country, street, postal, city string }{
	{"SE", "Storgatan", "211 20", "Malmö"},
	{"SE", "Drottninggatan", "252 21", "Helsingborg"},
	{"DE", "Hauptstraße", "24937", "Flensburg"},
	{"DE", "Bahnhofstraße", "24103", "Kiel"},
	{"NO", "Storgata", "0155", "Oslo"},
	{"PL", "ulica Długa", "80-827", "Gdańsk"},
	{"GB", "High Street", "EH1 1SR", "Edinburgh"},
	{"NL", "Dorpsstraat", "1012 AB", "Amsterdam"},
}

// mobilePrefixes are the first two digits of Danish mobile numbers.
var mobilePrefixes = []string{"20", "21", "22", "23", "24", "25", "26", "27", "28", "29",
	"30", "31", "40", "41", "42", "50", "51", "52", "53", "60", "61", "71", "81", "91", "92", "93"}
