package letter

import (
	"fmt"
	"strings"

	"nemrefusion.dk/events"
)

// Receipt data keys beyond the schema's blanket and submittedAt.
const (
	// DataOutcome is "decided" (accepted and passed on) or "rejected"
	// (refused by the rules, passed on to nobody).
	DataOutcome = "outcome"
	// DataReasonsDa and DataReasonsEn are a rejection's reasons, one per
	// line. infra/blanket does not send them yet; without them the letter
	// points to where the reasons can be read.
	DataReasonsDa = "reasonsDa"
	DataReasonsEn = "reasonsEn"
	// DataCompany is the sending company's name (notify fills it from CVR).
	DataCompany = "company"
	// DataCompanyCVR is the sending company's CVR number.
	DataCompanyCVR = "companyCvr"
)

// composeReceipt writes the sender's receipt (kvittering): the form by its
// title, who sent it, when it was received and, per outcome, what happened
// to it. A rejected submission's receipt says it was rejected and why: a
// green "received" for a report the rules refused is what issue 18 is
// about.
func composeReceipt(l *Letter, d *data, in Input) {
	da := d.da
	typ := d.text("blanket")
	title := FormTitle(typ, da)
	at := d.moment("submittedAt")
	company := strings.TrimSpace(in.Data[DataCompany])
	if cvr := strings.TrimSpace(in.Data[DataCompanyCVR]); company != "" && cvr != "" {
		if da {
			company += " (CVR-nr. " + cvr + ")"
		} else {
			company += " (CVR no. " + cvr + ")"
		}
	}
	by := func(daText, enText string) string {
		if company == "" {
			return ""
		}
		if da {
			return fmt.Sprintf(daText, company)
		}
		return fmt.Sprintf(enText, company)
	}
	rejected := strings.TrimSpace(in.Data[DataOutcome]) == "rejected"
	if !rejected {
		if da {
			l.Title = "Kvittering for din indberetning"
			l.Paragraphs = []string{
				fmt.Sprintf("Vi har modtaget din indberetning: %s.", title),
				by("Indberetningen er sendt af %s.", ""),
				fmt.Sprintf("Den blev modtaget %s. %s", at, passed(typ, in.Sender, true)),
				fmt.Sprintf("Dit kvitteringsnummer er %s. Brug nummeret, hvis du kontakter os om indberetningen.", in.Reference),
				"Gem dette brev. Det er din dokumentation for, at indberetningen er modtaget. Du kan også hente kvitteringen igen i NemRefusion.",
			}
		} else {
			l.Title = "Receipt for your report"
			l.Paragraphs = []string{
				fmt.Sprintf("We have received your report: %s.", title),
				by("", "The report was sent by %s."),
				fmt.Sprintf("It was received %s. %s", at, passed(typ, in.Sender, false)),
				fmt.Sprintf("Your receipt number is %s. Please quote it if you contact us about the report.", in.Reference),
				"Keep this letter. It is your proof that the report was received. You can also download the receipt again in NemRefusion.",
			}
		}
	} else {
		reasons := in.Data[DataReasonsEn]
		if da {
			reasons = in.Data[DataReasonsDa]
		}
		var lines []string
		for _, r := range strings.Split(reasons, "\n") {
			if r = strings.TrimSpace(r); r != "" {
				lines = append(lines, "– "+r)
			}
		}
		if da {
			l.Title = "Kvittering: Din indberetning blev afvist"
			l.Paragraphs = []string{
				fmt.Sprintf("Vi modtog din indberetning %s: %s.", at, title),
				by("Indberetningen er sendt af %s.", ""),
				"Indberetningen blev afvist, fordi den ikke opfylder reglerne. Den er ikke sendt videre til nogen myndighed, og der er ikke oprettet eller ændret nogen sag.",
			}
			if len(lines) > 0 {
				l.Paragraphs = append(l.Paragraphs, "Indberetningen blev afvist af disse grunde:\n"+strings.Join(lines, "\n"))
			} else {
				l.Paragraphs = append(l.Paragraphs, "Du kan se, hvorfor indberetningen blev afvist, under Beskeder og i oversigten over dine indberetninger i NemRefusion.")
			}
			l.Paragraphs = append(l.Paragraphs,
				"Ret oplysningerne, og send indberetningen igen. Husk, at fristerne stadig gælder.",
				fmt.Sprintf("Kvitteringsnummeret for den afviste indberetning er %s. Brug nummeret, hvis du kontakter os om den.", in.Reference))
		} else {
			l.Title = "Receipt: your report was rejected"
			l.Paragraphs = []string{
				fmt.Sprintf("We received your report %s: %s.", at, title),
				by("", "The report was sent by %s."),
				"The report was rejected because it does not meet the rules. It has not been passed on to any authority, and no case has been opened or changed.",
			}
			if len(lines) > 0 {
				l.Paragraphs = append(l.Paragraphs, "The report was rejected for these reasons:\n"+strings.Join(lines, "\n"))
			} else {
				l.Paragraphs = append(l.Paragraphs, "You can see why the report was rejected under Messages and in the list of your reports in NemRefusion.")
			}
			l.Paragraphs = append(l.Paragraphs,
				"Please correct the information and send the report again. The deadlines still apply.",
				fmt.Sprintf("The receipt number of the rejected report is %s. Please quote it if you contact us about it.", in.Reference))
		}
	}
	// Drop the sender line when no company name was given.
	out := l.Paragraphs[:0]
	for _, p := range l.Paragraphs {
		if p != "" {
			out = append(out, p)
		}
	}
	l.Paragraphs = out
}

// composeNotification writes the notification letter (underretningsbrev,
// § 1 stk. 8): who reported what about the person (the company by name,
// the form by its title) and where to see it. Sickness cases are in Mit
// Sygefravær; parental leave cases are Udbetaling Danmark's (barselsloven
// § 40), which Mit Sygefravær does not show, so that letter sends the
// person to the authority instead.
//
// A sickness report that gives the person tasks (DataTasks, DataDeadline)
// is also the letter seeds/003 describes: it names the tasks, the
// deadline 8 days after the letter as a date (sygedagpengeloven § 38 and
// § 40, stk. 5) and the link to Mit Sygefravær.
func composeNotification(l *Letter, d *data, in Input) {
	da, sender := d.da, l.Sender
	typ := d.text("blanket")
	blanket, by, first := FormTitle(typ, da), d.text("reportedBy"), d.date("firstAbsenceDay")
	b, _ := events.BlanketOf(typ)
	parental := b.Family == events.FamilyParental
	jobClarification := typ == events.SubsidyJobClarificationRequested
	switch {
	// LAS § 69 t: the employer asks for refusion of the person's resource
	// allowance during job clarification; the executive order § 1 stk. 8
	// does not exempt it from the notification letter. It is not a
	// sickness absence: nothing about Mit Sygefravær or a first day of
	// absence.
	case da && jobClarification:
		l.Title = "Din arbejdsgiver har anmodet om refusion under dit jobafklaringsforløb"
		l.Paragraphs = []string{
			fmt.Sprintf("%s har sendt en anmodning til %s om refusion af ressourceforløbsydelse under dit jobafklaringsforløb (lov om aktiv socialpolitik § 69 t).", by, sender),
			fmt.Sprintf("Anmodningen gælder perioden fra %s, hvor din arbejdsgiver har udbetalt løn til dig.", first),
			"Du skal ikke gøre noget. Brevet er en underretning om, at oplysningerne er sendt til kommunen.",
			fmt.Sprintf("Er noget forkert, eller har du spørgsmål, er du velkommen til at kontakte %s.", sender),
		}
	case jobClarification:
		l.Title = "Your employer has asked for reimbursement during your job clarification process"
		l.Paragraphs = []string{
			fmt.Sprintf("%s has sent %s a request for reimbursement of the resource allowance during your job clarification process (Active Social Policy Act, section 69 t).", by, sender),
			fmt.Sprintf("The request covers the period from %s, in which your employer has paid you wages.", first),
			"You do not need to do anything. This letter tells you that the information has been sent to the municipality.",
			fmt.Sprintf("If something is wrong or you have questions, you are welcome to contact %s.", sender),
		}
	case da && parental:
		l.Title = "Vi har fået oplysninger om din barsel"
		l.Paragraphs = []string{
			fmt.Sprintf("%s har sendt oplysninger om dig til %s: %s.", by, sender, blanket),
			fmt.Sprintf("Ifølge oplysningerne begynder dit fravær %s.", first),
			fmt.Sprintf("Er noget forkert, eller har du spørgsmål, er du velkommen til at kontakte %s.", sender),
		}
	case parental:
		l.Title = "We have received information about your parental leave"
		l.Paragraphs = []string{
			fmt.Sprintf("%s has sent information about you to %s: %s.", by, sender, blanket),
			fmt.Sprintf("According to the information, your absence begins on %s.", first),
			fmt.Sprintf("If something is wrong or you have questions, you are welcome to contact %s.", sender),
		}
	case len(d.taskList(DataTasks, false)) > 0:
		phrases, deadline := d.taskList(DataTasks, false), d.date(DataDeadline)
		if da {
			l.Title = "Du har opgaver i Mit Sygefravær"
			if len(phrases) == 1 {
				l.Title = "Du har en opgave i Mit Sygefravær"
			}
			l.Paragraphs = []string{
				fmt.Sprintf("%s har sendt oplysninger om dig til %s: %s.", by, sender, blanket),
				fmt.Sprintf("Ifølge oplysningerne er din første fraværsdag %s.", first),
			}
		} else {
			l.Title = "You have tasks in Mit Sygefravær"
			if len(phrases) == 1 {
				l.Title = "You have a task in Mit Sygefravær"
			}
			l.Paragraphs = []string{
				fmt.Sprintf("%s has sent information about you to %s: %s.", by, sender, blanket),
				fmt.Sprintf("According to the information, your first day of absence is %s.", first),
			}
		}
		l.Paragraphs = append(l.Paragraphs, tasksParagraphs(phrases, deadline, link(in), da)...)
		l.Paragraphs = append(l.Paragraphs, questions(sender, da))
	case da:
		l.Title = "Vi har fået oplysninger om dit fravær"
		l.Paragraphs = []string{
			fmt.Sprintf("%s har sendt oplysninger om dig til %s: %s.", by, sender, blanket),
			fmt.Sprintf("Ifølge oplysningerne er din første fraværsdag %s.", first),
			"Du kan se oplysningerne i Mit Sygefravær på borger.dk. Er noget forkert, kan du skrive en kommentar dér.",
			fmt.Sprintf("Har du spørgsmål, er du velkommen til at kontakte %s.", sender),
		}
	default:
		l.Title = "We have received information about your absence"
		l.Paragraphs = []string{
			fmt.Sprintf("%s has sent information about you to %s: %s.", by, sender, blanket),
			fmt.Sprintf("According to the information, your first day of absence is %s.", first),
			"You can see the information in Mit Sygefravær on borger.dk. If something is wrong, you can add a comment there.",
			fmt.Sprintf("If you have questions, you are welcome to contact %s.", sender),
		}
	}
}
