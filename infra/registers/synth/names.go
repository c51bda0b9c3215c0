package synth

// Common Danish names (Danmarks Statistik's most common names, shortened).
var (
	femaleNames = []string{"Anne", "Kirsten", "Mette", "Hanne", "Helle", "Anna", "Susanne", "Lene",
		"Maria", "Marianne", "Lone", "Camilla", "Pia", "Louise", "Charlotte", "Tina", "Gitte",
		"Bente", "Ida", "Emma", "Sofie", "Julie", "Laura", "Freja", "Karen", "Inge", "Birgitte",
		"Signe", "Cecilie", "Mathilde", "Line", "Katrine", "Maja", "Clara", "Astrid"}
	maleNames = []string{"Peter", "Michael", "Lars", "Jens", "Thomas", "Henrik", "Søren", "Christian",
		"Martin", "Jan", "Morten", "Jesper", "Anders", "Niels", "Mads", "Rasmus", "Per", "Hans",
		"Ole", "Mikkel", "Frederik", "Kim", "Poul", "Jørgen", "Erik", "Kasper", "Lasse", "Jonas",
		"Emil", "Lucas", "William", "Oliver", "Magnus", "Kristian", "Torben"}
	surnames = []string{"Nielsen", "Jensen", "Hansen", "Andersen", "Pedersen", "Christensen",
		"Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen",
		"Olsen", "Thomsen", "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen",
		"Knudsen", "Jakobsen", "Jacobsen", "Mikkelsen", "Olesen", "Frederiksen", "Laursen",
		"Henriksen", "Lund", "Schmidt", "Eriksen", "Holm", "Kristiansen", "Clausen", "Simonsen",
		"Svendsen", "Andreasen", "Iversen", "Jeppesen", "Mogensen", "Vestergaard", "Nissen",
		"Lauridsen", "Kjær", "Jespersen", "Bertelsen", "Dahl", "Overgaard", "Kjeldsen", "Bach"}
	middleNames = []string{"Marie", "Louise", "Kristine", "Juul", "Bøgh", "Skov", "Krogh", "Munk",
		"Friis", "Lykke", "Storm", "Dam", "Bang", "Winther", "Brandt"}

	trades = []string{"Tømrer", "VVS", "El-service", "Rengøring", "Logistik", "Bageri", "Software",
		"Revision", "Transport", "Maskinfabrik", "Café", "Tandklinik", "Frisør", "Byg", "Entreprise",
		"Rådgivning", "Møbler", "Trykkeri", "Autoværksted", "Gartneri", "Malerfirma", "Murer",
		"Smedie", "Catering", "Data", "Ejendomsservice", "Vognmand", "Fiskeeksport", "Plejehjem", "Isenkram"}
	companyWords = []string{"Nordisk", "Dansk", "Vestjysk", "Fynsk", "Sjællands", "Østjysk", "Nord",
		"Kyst", "Fjord", "Bølge", "Lyng", "Klit", "Hede", "Skov", "Havne", "Bakke", "Å", "Sø"}
)

// akasseNames are invented a-kasse names (not the real funds').
var akasseNames = []string{"Nordlys A-kasse", "Håndværkernes A-kasse", "Akademisk A-kasse",
	"Selvstændiges A-kasse", "Kontor og Handel A-kasse", "Fag og Industri A-kasse", "Sundhedsfagligt A-kasse"}
