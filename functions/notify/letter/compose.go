// Package letter writes NemRefusion's letters: receipts (kvitteringer),
// notification letters (underretningsbreve), task letters, reminders and
// the rejected-upload receipt, in Danish or English, in plain language, as
// text (Compose) and as PDF (Render). It does no I/O.
//
// No letter carries a signature: the executive order on NemRefusion § 8
// makes receipts, notification letters and purely informative letters sent
// without signature legally equal to signed ones, and every letter says so.
package letter

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // letters are dated in Danish time on any machine

	"nemrefusion.dk/events"
)

// Letter is a composed letter, ready to render.
type Letter struct {
	// Language is "da" or "en".
	Language string
	// Sender is the authority's name, shown at the top.
	Sender string
	// SenderCVR is the authority's CVR number, "" when it is not known
	// (the letter then says so; see Authority).
	SenderCVR string
	// Recipient is the recipient's name and address lines (may be empty).
	Recipient []string
	// Date is the letter's date, shown in Danish time.
	Date time.Time
	// Reference is the case, absence or receipt number.
	Reference string
	// Title is the heading; it is also the MeMo label.
	Title string
	// Paragraphs are the body, in order.
	Paragraphs []string
	// Footer is the statement that the letter is valid without signature.
	Footer string
}

// Input is what Compose needs.
type Input struct {
	Kind     string
	Language string
	Sender   string
	// SenderCVR is the authority's CVR number, "" when unknown.
	SenderCVR string
	Recipient []string
	Date      time.Time
	Reference string
	Data      map[string]string
	// Link is the address of Mit Sygefravær the sick person's letters point
	// to (seeds/003: "via link i det brev"); "" gives DefaultLink.
	Link string
}

// ErrData is wrapped by Compose errors about the request itself (unknown
// kind or language, missing or malformed template data): retrying will
// never help.
var ErrData = errors.New("letter: bad template data")

// copenhagen is Danish time.
var copenhagen = mustLoad("Europe/Copenhagen")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return l
}

// Compose writes the letter of in.Kind in in.Language.
func Compose(in Input) (Letter, error) {
	if in.Language != "da" && in.Language != "en" {
		return Letter{}, fmt.Errorf("%w: language %q", ErrData, in.Language)
	}
	da := in.Language == "da"
	l := Letter{Language: in.Language, Sender: in.Sender, SenderCVR: in.SenderCVR, Recipient: in.Recipient, Date: in.Date,
		Reference: in.Reference}
	d := data{m: in.Data, da: da}
	sender := in.Sender
	switch in.Kind {
	case events.LetterSenderReceipt:
		composeReceipt(&l, &d, in)
	case events.LetterNotification:
		composeNotification(&l, &d, in)
	case events.LetterCitizenTask:
		composeCitizenTask(&l, &d, in)
	case events.LetterAnswerReceipt:
		task, at := d.task("task"), d.moment("submittedAt")
		if da {
			l.Title = "Kvittering for dit svar"
			l.Paragraphs = []string{
				fmt.Sprintf("Vi har modtaget dit svar. Du blev bedt om at %s.", task),
				fmt.Sprintf("Svaret blev modtaget %s og er sendt til %s.", at, sender),
				"Du kan altid finde kvitteringen i Mit Sygefravær under \"Indsendt af dig / Kvittering\".",
			}
		} else {
			l.Title = "Receipt for your answer"
			l.Paragraphs = []string{
				fmt.Sprintf("We have received your answer. You were asked to %s.", task),
				fmt.Sprintf("The answer was received %s and has been sent to %s.", at, sender),
				"You can always find this receipt in Mit Sygefravær under \"Sent by you / Receipt\".",
			}
		}
	case events.LetterReminder:
		composeReminder(&l, &d, in)
	case events.LetterRejectedUpload:
		title, when, clock := d.text("documentTitle"), d.day("attemptedAt"), d.clock("attemptedAt")
		// Seed 003, "Virus-scanning i Mit Sygefravær".
		if da {
			l.Title = "Du har forsøgt at indsende dokumentation"
			l.Paragraphs = []string{
				fmt.Sprintf("Du har den %s kl. %s forsøgt at uploade dokumentation til din sag i Mit Sygefravær.", when, clock),
				"Da dokumentet tilsyneladende er inficeret med virus, blev det afvist. Dit dokument er derfor ikke sendt til kommunen, og du bedes derfor indsende dokumentationen på anden vis, fx med fysisk post.",
				fmt.Sprintf("Dokument der blev fjernet: \"%s\"", title),
				"Du er velkommen til at kontakte kommunen, hvis du har spørgsmål.",
			}
		} else {
			l.Title = "You tried to send documentation"
			l.Paragraphs = []string{
				fmt.Sprintf("On %s at %s you tried to upload documentation to your case in Mit Sygefravær.", when, clock),
				"Because the document appears to be infected with a virus, it was rejected. Your document has therefore not been sent to the municipality. Please send the documentation another way, for example by post.",
				fmt.Sprintf("Document removed: \"%s\"", title),
				"You are welcome to contact the municipality if you have questions.",
			}
		}
	default:
		return Letter{}, fmt.Errorf("%w: unknown letter kind %q", ErrData, in.Kind)
	}
	l.Footer = footer(in.Kind, da)
	if len(d.missing) > 0 {
		return Letter{}, fmt.Errorf("%w: %s needs %s", ErrData, in.Kind, strings.Join(d.missing, ", "))
	}
	return l, nil
}

// data reads template values and remembers what was missing or malformed.
type data struct {
	m       map[string]string
	da      bool
	missing []string
}

func (d *data) text(k string) string {
	v := strings.TrimSpace(d.m[k])
	if v == "" {
		d.missing = append(d.missing, k)
	}
	return v
}

// date formats a YYYY-MM-DD value: "4. marts 2024" / "4 March 2024".
func (d *data) date(k string) string {
	v := d.text(k)
	t, err := time.Parse(time.DateOnly, v)
	if v != "" && err != nil {
		d.missing = append(d.missing, k+" (YYYY-MM-DD)")
		return v
	}
	return FormatDate(t, d.da)
}

func (d *data) instant(k string) (time.Time, bool) {
	v := d.text(k)
	t, err := time.Parse(time.RFC3339, v)
	if v != "" && err != nil {
		d.missing = append(d.missing, k+" (RFC 3339)")
		return time.Time{}, false
	}
	return t.In(copenhagen), v != ""
}

// moment formats an RFC 3339 value as date and time in Danish time.
func (d *data) moment(k string) string {
	t, ok := d.instant(k)
	if !ok {
		return ""
	}
	if d.da {
		return FormatDate(t, true) + " kl. " + t.Format("15.04")
	}
	return FormatDate(t, false) + " at " + t.Format("15:04")
}

func (d *data) day(k string) string {
	t, ok := d.instant(k)
	if !ok {
		return ""
	}
	return FormatDate(t, d.da)
}

func (d *data) clock(k string) string {
	t, ok := d.instant(k)
	if !ok {
		return ""
	}
	if d.da {
		return t.Format("15.04")
	}
	return t.Format("15:04")
}

// task turns a task code into a phrase that completes "asks you to ...";
// an unknown code is used as written.
func (d *data) task(k string) string { return d.phrase(d.text(k)) }

// taskPhrases are the tasks of Mit Sygefravær (seed 003), Danish and English.
var taskPhrases = map[string][2]string{
	"comment":                   {"kontrollere og eventuelt kommentere oplysningerne fra din arbejdsgiver eller a-kasse", "check and, if needed, comment on the information from your employer or unemployment fund"},
	"apply":                     {"søge om sygedagpenge", "apply for sickness benefit"},
	"information-form":          {"udfylde oplysningsskemaet", "fill in the information form"},
	"supplementary-information": {"give supplerende oplysninger", "provide supplementary information"},
	"hearing":                   {"udtale dig i en partshøring", "give your comments in a hearing"},
	"moving-consent":            {"give samtykke i forbindelse med din flytning", "give your consent in connection with your move"},
	"upload-documentation":      {"indsende dokumentation", "send documentation"},
	"documentation":             {"indsende dokumentation", "send documentation"},
	"sygedagpenge-application":  {"søge om sygedagpenge", "apply for sickness benefit"},
	"recovery":                  {"melde dig rask", "report that you are fit for work again"},
	"partial-resumption":        {"melde delvis genoptagelse af arbejdet", "report that you have partly resumed work"},
}

var monthsDa = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}

// FormatDate writes t's calendar date in Danish ("4. marts 2024") or
// English ("4 March 2024").
func FormatDate(t time.Time, da bool) string {
	if t.IsZero() {
		return ""
	}
	if da {
		return fmt.Sprintf("%d. %s %d", t.Day(), monthsDa[t.Month()-1], t.Year())
	}
	return fmt.Sprintf("%d %s %d", t.Day(), t.Month(), t.Year())
}

// DateLine is the letter's date line in its language, in Danish time.
func (l Letter) DateLine() string {
	t := l.Date.In(copenhagen)
	if l.Language == "da" {
		return "Dato: " + FormatDate(t, true)
	}
	return "Date: " + FormatDate(t, false)
}

// SenderCVRLine is the authority's CVR number under its name, or the
// statement that it is not known (never a made-up number).
func (l Letter) SenderCVRLine() string {
	switch {
	case l.SenderCVR != "" && l.Language == "da":
		return "CVR-nr. " + l.SenderCVR
	case l.SenderCVR != "":
		return "CVR no. " + l.SenderCVR
	case l.Language == "da":
		return "CVR-nr.: ukendt"
	default:
		return "CVR no.: unknown"
	}
}

// ReferenceLine is the reference line (the same word in both languages).
func (l Letter) ReferenceLine() string { return "Reference: " + l.Reference }
