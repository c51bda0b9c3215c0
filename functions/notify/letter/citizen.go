package letter

import (
	"fmt"
	"strings"

	"nemrefusion.dk/events"
)

// The sick person's letters about tasks in Mit Sygefravær (seeds/003,
// "Brev til den sygemeldte om opgaver i Mit Sygefravær"): the
// notification letter names the tasks a report gave, a task letter names
// a task the municipality started, a reminder names the tasks still
// waiting; each gives the deadline as a date and the link to Mit
// Sygefravær ("Via et link i brevet kan den sygemeldte komme direkte til
// Mit Sygefravær").

// Template data keys of the sick person's letters.
const (
	// DataTasks is a list of task codes separated by spaces or commas
	// ("comment sygedagpenge-application information-form").
	DataTasks = "tasks"
	// DataTask is one task code.
	DataTask = "task"
	// DataDeadline is the tasks' deadline, YYYY-MM-DD.
	DataDeadline = "deadline"
)

// DefaultLink is Mit Sygefravær in the local portal, used when notify is
// given no address (MIT_SYGEFRAVAER_URL).
const DefaultLink = "http://localhost:8080/mit-sygefravaer"

// DeadlineDays is the deadline after the letter the sick person's letters
// state (sygedagpengeloven § 38 and § 40, stk. 5).
const DeadlineDays = 8

// footer is the § 8 statement of the executive order on NemRefusion for a
// letter of kind: which of § 8 stk. 1's documents it is (receipts nr. 1,
// notification letters nr. 2, purely informative letters, e.g. about
// deadlines, nr. 3), sent without signature and by stk. 2 legally equal to
// a signed one.
func footer(kind string, da bool) string {
	nr, whatDa, whatEn := 3, "et orienterende brev", "an informative letter"
	switch kind {
	case events.LetterSenderReceipt, events.LetterAnswerReceipt, events.LetterRejectedUpload:
		nr, whatDa, whatEn = 1, "en kvittering", "a receipt"
	case events.LetterNotification:
		nr, whatDa, whatEn = 2, "et underretningsbrev", "a notification letter"
	}
	roman := [...]string{"", "i", "ii", "iii"}[nr]
	if da {
		return fmt.Sprintf("Dette brev er %s. Det er dannet automatisk og sendt uden underskrift. Det er lige så gyldigt som et brev med underskrift (bekendtgørelse om NemRefusion § 8, stk. 1, nr. %d, og stk. 2).", whatDa, nr)
	}
	return fmt.Sprintf("This letter is %s. It was produced automatically and sent without a signature. It is as valid as a signed letter (executive order on NemRefusion, section 8(1)(%s) and 8(2)).", whatEn, roman)
}

// link is the letter's address of Mit Sygefravær.
func link(in Input) string {
	if l := strings.TrimSpace(in.Link); l != "" {
		return l
	}
	return DefaultLink
}

// taskList reads the task codes of key k (spaces or commas between them)
// as phrases that complete "asks you to ..."; missing is noted only when
// required.
func (d *data) taskList(k string, required bool) []string {
	var out []string
	for _, code := range strings.FieldsFunc(d.m[k], func(r rune) bool { return r == ' ' || r == ',' }) {
		out = append(out, d.phrase(code))
	}
	if len(out) == 0 && required {
		d.missing = append(d.missing, k)
	}
	return out
}

// phrase is a task code's phrase in the letter's language.
func (d *data) phrase(code string) string {
	if p, ok := taskPhrases[code]; ok {
		if d.da {
			return p[0]
		}
		return p[1]
	}
	return code
}

// bullets writes phrases as a list, one "– Phrase" per line.
func bullets(phrases []string) string {
	lines := make([]string, len(phrases))
	for i, p := range phrases {
		lines[i] = "– " + strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(lines, "\n")
}

// tasksParagraphs are the paragraphs a letter about tasks has: the tasks,
// then deadlineAndLink.
func tasksParagraphs(phrases []string, deadline, link string, da bool) []string {
	var p string
	switch {
	case da && len(phrases) == 1:
		p = fmt.Sprintf("Du har fået en opgave i Mit Sygefravær: Du skal %s.", phrases[0])
	case da:
		p = "Du har fået disse opgaver i Mit Sygefravær. Du løser dem i den rækkefølge, de står her:\n" + bullets(phrases)
	case len(phrases) == 1:
		p = fmt.Sprintf("You have a task in Mit Sygefravær: please %s.", phrases[0])
	default:
		p = "You have these tasks in Mit Sygefravær. You do them in the order they are listed:\n" + bullets(phrases)
	}
	return append([]string{p}, deadlineAndLink(deadline, link, da)...)
}

// deadlineAndLink are the deadline as a date with what missing it may
// cost (sygedagpengeloven § 38, § 40 stk. 5) and the link to Mit
// Sygefravær.
func deadlineAndLink(deadline, link string, da bool) []string {
	if da {
		return []string{
			fmt.Sprintf("Fristen er %s. Svarer du ikke til tiden, kan det betyde, at du ikke får sygedagpenge for perioden (sygedagpengeloven § 38 og § 40, stk. 5).", deadline),
			fmt.Sprintf("Du kommer direkte til Mit Sygefravær her: %s. Du kan også finde Mit Sygefravær på borger.dk.", link)}
	}
	return []string{
		fmt.Sprintf("The deadline is %s. If you do not answer in time, you may not receive sickness benefit for the period (Sickness Benefit Act, sections 38 and 40(5)).", deadline),
		fmt.Sprintf("You go directly to Mit Sygefravær here: %s. You can also find Mit Sygefravær on borger.dk.", link)}
}

// composeCitizenTask writes the letter about a task the municipality
// started (supplementary information, hearing, moving consent), or the
// tasks of a report when no notification letter names them (the
// self-employed made the report themselves).
func composeCitizenTask(l *Letter, d *data, in Input) {
	da, sender := d.da, in.Sender
	phrases := d.taskList(DataTasks, false)
	if len(phrases) == 0 {
		phrases = []string{d.task(DataTask)}
	}
	deadline := d.date(DataDeadline)
	codes := strings.Fields(strings.ReplaceAll(in.Data[DataTasks]+" "+in.Data[DataTask], ",", " "))
	has := func(code string) bool {
		for _, c := range codes {
			if c == code {
				return true
			}
		}
		return false
	}
	if da {
		l.Title = "Du har en opgave i Mit Sygefravær"
		if len(phrases) > 1 {
			l.Title = "Du har opgaver i Mit Sygefravær"
		}
		l.Paragraphs = []string{fmt.Sprintf("%s beder dig om at %s.", sender, strings.Join(phrases, ", og at "))}
		if has(events.CitizenTaskHearing) {
			l.Paragraphs = append(l.Paragraphs, fmt.Sprintf("%s overvejer at træffe en afgørelse i din sag om sygedagpenge og vil først høre, hvad du har at sige (partshøring). Du kan se de oplysninger, afgørelsen bygger på, i Mit Sygefravær.", sender))
		}
	} else {
		l.Title = "You have a task in Mit Sygefravær"
		if len(phrases) > 1 {
			l.Title = "You have tasks in Mit Sygefravær"
		}
		l.Paragraphs = []string{fmt.Sprintf("%s asks you to %s.", sender, strings.Join(phrases, ", and to "))}
		if has(events.CitizenTaskHearing) {
			l.Paragraphs = append(l.Paragraphs, fmt.Sprintf("%s is considering a decision in your sickness benefit case and first wants to hear what you have to say (a hearing). You can see the information the decision is based on in Mit Sygefravær.", sender))
		}
	}
	l.Paragraphs = append(l.Paragraphs, deadlineAndLink(deadline, link(in), da)...)
	l.Paragraphs = append(l.Paragraphs, questions(sender, da))
}

// questions is the closing paragraph: whom to contact.
func questions(sender string, da bool) string {
	if da {
		return fmt.Sprintf("Har du spørgsmål, er du velkommen til at kontakte %s.", sender)
	}
	return fmt.Sprintf("If you have questions, you are welcome to contact %s.", sender)
}

// composeReminder writes the reminder before the deadline (seeds/003: the
// SMS on day 6 goes only to those signed up for NemSMS; the letter goes to
// everyone, by Digital Post or on paper).
func composeReminder(l *Letter, d *data, in Input) {
	da := d.da
	phrases := d.taskList(DataTasks, false)
	if len(phrases) == 0 && strings.TrimSpace(in.Data[DataTask]) != "" {
		phrases = []string{d.task(DataTask)}
	}
	deadline := d.date(DataDeadline)
	rest := deadlineAndLink(deadline, link(in), da)
	var first string
	switch {
	case da && len(phrases) == 0:
		first = "Du har opgaver i Mit Sygefravær, som du endnu ikke har løst."
	case da && len(phrases) == 1:
		first = fmt.Sprintf("Vi har endnu ikke fået dit svar. Du er blevet bedt om at %s.", phrases[0])
	case da:
		first = "Vi har endnu ikke fået alle dine svar. Du er blevet bedt om at:\n" + bullets(phrases)
	case len(phrases) == 0:
		first = "You have tasks in Mit Sygefravær that you have not yet done."
	case len(phrases) == 1:
		first = fmt.Sprintf("We have not yet received your answer. You have been asked to %s.", phrases[0])
	default:
		first = "We have not yet received all your answers. You have been asked to:\n" + bullets(phrases)
	}
	l.Paragraphs = append([]string{first}, rest...)
	if da {
		l.Title = "Påmindelse: Du mangler at svare"
		l.Paragraphs = append(l.Paragraphs, "Har du allerede svaret, kan du se bort fra dette brev.")
		return
	}
	l.Title = "Reminder: we are waiting for your answer"
	l.Paragraphs = append(l.Paragraphs, "If you have already answered, please disregard this letter.")
}
