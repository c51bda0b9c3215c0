package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/digitalpost"
	"nemrefusion.dk/infra/pdftest"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/tests/stack"
)

// clPDFText is the text pdftotext reads from a letter's PDF, runs of white
// space made one space.
func clPDFText(t *testing.T, pdf []byte) string { return pdftest.Text(t, pdf) }

// clLetter waits for the letter of kind notify sent about reference, and
// returns the MeMo message the stand-in Digital Post received and the text
// of its PDF.
func clLetter(t *testing.T, kind, reference string) (digitalpost.Message, string) {
	t.Helper()
	id, _ := sentLetter(t, lettersDB(t), "kind = '"+kind+"' AND reference = $1", reference)
	got := received(id)
	if len(got) != 1 {
		t.Fatalf("Digital Post received %+v for the %s letter, want one", got, kind)
	}
	m, ok := stack.DigitalPost().Message(id)
	if !ok {
		t.Fatalf("the stand-in Digital Post has no MeMo message %s", id)
	}
	pdf, err := m.PDF()
	if err != nil {
		t.Fatalf("MeMo %s: %v", id, err)
	}
	return m, clPDFText(t, pdf)
}

var clMonths = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}

// Seeds/003 ("Brev til den sygemeldte om opgaver i Mit Sygefravær") and
// sygedagpengeloven § 38, § 40 stk. 5: after an employer's report the sick
// person's notification letter, in Digital Post as a MeMo message with its
// PDF, names the tasks (comment; apply for sygedagpenge only when no wages
// are paid; the information form, as no last absence day was given), the
// deadline 8 days after the letter as a date, and the link to Mit
// Sygefravær; the day-6 reminder letter is scheduled for that deadline. A
// hearing the municipality starts later gets a letter of its own.
func TestCitizenLettersNotificationNamesTasksAndDeadline(t *testing.T) {
	for _, c := range []struct {
		name      string
		wagesPaid bool
		apply     bool
	}{
		{"wages-paid", true, false},
		{"no-wages", false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, _ := synth.PersonaByKey(synth.PersonaEmployee)
			// A first day no other e2e test reports for these people (one absence per
			// person and first day).
			r := employeeReport(t, time.Now().AddDate(0, 0, -17))
			if !c.wagesPaid {
				p, _ = synth.PersonaByKey(synth.PersonaNemSMS)
				r.CPR, r.PNumber = p.CPR.String(), p.PNumber.String()
				r.WagesPaid, r.HourlyEarnings = false, 0
			}
			code, res := postEventAs(t, token(t, devissuer.PersonaEmployer), employerBlanket(t, uuid.NewString(), "", r))
			if code != http.StatusAccepted {
				t.Fatalf("post: %d %v", code, res)
			}
			absence, _ := res["stream"].(string)
			m, text := clLetter(t, events.LetterNotification, absence)
			if m.Header.Recipient.RecipientID != p.CPR.String() {
				t.Fatalf("the notification letter went to %s", m.Header.Recipient.RecipientID)
			}
			dk, _ := time.LoadLocation("Europe/Copenhagen")
			dl := time.Now().In(dk).AddDate(0, 0, 8)
			deadline := dl.Format(time.DateOnly)
			want := []string{"Du har opgaver i Mit Sygefravær", "– Kontrollere og eventuelt kommentere oplysningerne fra din arbejdsgiver",
				"– Udfylde oplysningsskemaet", "Fristen er " + strconv.Itoa(dl.Day()) + ". " + clMonths[dl.Month()-1] + " " + strconv.Itoa(dl.Year()),
				"/mit-sygefravaer", "sygedagpengeloven § 38", "§ 8, stk. 1, nr. 2"}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("notification letter lacks %q:\n%s", w, text)
				}
			}
			if got := strings.Contains(text, "– Søge om sygedagpenge"); got != c.apply {
				t.Errorf("names the application: %v, want %v (only when no wages are paid):\n%s", got, c.apply, text)
			}
			// The reminder letter before the deadline (day 6), on the tasks' subject.
			var data []byte
			czEventually(t, "the day-6 reminder letter", func() bool {
				return db(t).QueryRow(context.Background(), `SELECT data FROM reminder.reminders WHERE id = $1 AND status = 'scheduled'`,
					absence+"/citizen-tasks/letter/"+deadline+"/comment").Scan(&data) == nil
			})
			var rs events.ReminderSchedule
			_ = json.Unmarshal(data, &rs)
			if rs.Audience.CPR != p.CPR.String() || len(rs.Channels) != 1 || rs.Channels[0] != events.ChannelLetter || rs.Message.Deadline != deadline {
				t.Fatalf("reminder letter %+v", rs)
			}
			if !c.wagesPaid {
				return
			}
			// The municipality's hearing (partshøring) is a task of its own,
			// told by its own letter with its own deadline.
			hl := time.Now().In(dk).AddDate(0, 0, 14)
			czPublish(t, events.CitizenTasksRequested, absence, events.CitizenTasksRequest{AbsenceID: absence, CPR: p.CPR.String(),
				PersonKind: "employee", Municipality: "101", FirstAbsenceDay: r.FirstAbsenceDay, Tasks: []string{events.CitizenTaskHearing},
				Deadline: hl.Format(time.DateOnly)})
			_, text = clLetter(t, events.LetterCitizenTask, absence)
			for _, w := range []string{"beder dig om at udtale dig i en partshøring", "(partshøring)",
				"Fristen er " + strconv.Itoa(hl.Day()) + ". " + clMonths[hl.Month()-1] + " " + strconv.Itoa(hl.Year()), "/mit-sygefravaer", "§ 8, stk. 1, nr. 3"} {
				if !strings.Contains(text, w) {
					t.Errorf("hearing letter lacks %q:\n%s", w, text)
				}
			}
		})
	}
}
