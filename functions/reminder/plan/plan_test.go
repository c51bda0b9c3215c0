package plan_test

import (
	"testing"
	"time"
	"unicode/utf8"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/reminder/plan"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func dues(rs []events.ReminderSchedule) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID+"@"+r.Due.In(plan.Danish).Format("2006-01-02 15:04"))
	}
	return out
}

func equal(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}

// sygedagpengeloven § 40: sick from Monday 4 March 2024, the employer paying
// wages must report by 8 April 2024 (5 weeks); reminders a week and two days
// before, at 09:00 Danish time (summer time from 31 March).
func TestEmployerReportFollowsSygedagpengeloven40(t *testing.T) {
	deadline := date(2024, 4, 8)
	for _, tc := range []struct {
		name string
		now  time.Time
		want []string
	}{
		{"planned on the first day", date(2024, 3, 4), []string{"a1/report-deadline/7d@2024-04-01 09:00", "a1/report-deadline/2d@2024-04-06 09:00"}},
		{"planned after the first reminder's time", date(2024, 4, 3), []string{"a1/report-deadline/2d@2024-04-06 09:00"}},
		{"planned on the deadline itself warns at once", time.Date(2024, 4, 8, 12, 0, 0, 0, plan.Danish), []string{"a1/report-deadline/2d@2024-04-08 12:00"}},
		{"planned after the deadline: nothing", date(2024, 4, 10), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := plan.EmployerReport(tc.now, "a1", "12345674", deadline)
			equal(t, dues(got), tc.want)
			for _, r := range got {
				if r.Message.Law != "sygedagpengeloven § 40" || r.Message.Deadline != "2024-04-08" || r.Audience.CVR != "12345674" ||
					r.Subject != (events.ReminderSubject{Type: events.SubjectAbsence, ID: "a1"}) {
					t.Fatalf("reminder: %+v", r)
				}
			}
		})
	}
}

// barselsloven § 40: the leave period ended 31 May 2024; refusion must be
// requested within 8 weeks, by 26 July 2024; reminders 14 and 3 days before.
func TestParentalLeaveFollowsBarselsloven40(t *testing.T) {
	deadline := date(2024, 5, 31).AddDate(0, 0, 8*7)
	got := plan.ParentalLeave(date(2024, 6, 1), "c1", "12345674", deadline)
	equal(t, dues(got), []string{"c1/parental-leave-deadline/14d@2024-07-12 09:00", "c1/parental-leave-deadline/3d@2024-07-23 09:00"})
	if got[0].Message.Law != "barselsloven § 40" || got[0].Subject.Type != events.SubjectCase {
		t.Fatalf("%+v", got[0])
	}
}

// sygedagpengeloven § 38 and seeds/003: the letter went out Monday 4 March
// 2024, the tasks are due 8 days later (12 March); the SMS goes on day 6,
// two days before, and only to people signed up for NemSMS.
func TestCitizenTasksSMSOnDay6FollowsSygedagpengeloven38(t *testing.T) {
	letter := date(2024, 3, 4)
	deadline := letter.AddDate(0, 0, plan.CitizenTaskDeadlineDays)
	for _, tc := range []struct {
		name   string
		now    time.Time
		nemSMS string
		want   []string
	}{
		{"signed up for NemSMS", letter, "+4520123456", []string{"a1/citizen-tasks/sms-day6@2024-03-10 09:00"}},
		{"not signed up: no SMS", letter, "", nil},
		{"planned after day 6: no SMS", date(2024, 3, 11), "+4520123456", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := plan.CitizenTasks(tc.now, "a1", "0101901234", tc.nemSMS, events.Authority{CVR: ids.MustCVR("29189846"), Name: "Aarhus Kommune"}, deadline)
			equal(t, dues(got), tc.want)
			for _, r := range got {
				if r.Subject != (events.ReminderSubject{Type: events.SubjectTasks, ID: "a1"}) || r.Audience.Phone != tc.nemSMS ||
					r.Audience.Kind != events.AudienceCitizen || len(r.Channels) != 1 || r.Channels[0] != events.ChannelSMS ||
					r.Message.Law != "sygedagpengeloven § 38" {
					t.Fatalf("reminder: %+v", r)
				}
			}
		})
	}
}

// sygedagpengeloven § 59: a request covers at most 3 months back; refusion
// last requested up to 30 April 2024 must be followed up by 30 July 2024.
func TestFollowUpRefusionFollowsSygedagpengeloven59(t *testing.T) {
	got := plan.FollowUpRefusion(date(2024, 5, 1), "a1", "12345674", 2, date(2024, 4, 30))
	equal(t, dues(got), []string{"a1/follow-up/2/14d@2024-07-16 09:00", "a1/follow-up/2/3d@2024-07-27 09:00"})
	if got[0].Message.Deadline != "2024-07-30" || got[0].Message.Law != "sygedagpengeloven § 59" {
		t.Fatalf("%+v", got[0])
	}
}

// seeds/000 § 1 stk. 4: a prepared form alerts on its due day and again
// before its deadline; all its reminders share the prepared subject.
func TestPreparedFormAlertsWhenDueAndBeforeTheDeadline(t *testing.T) {
	got := plan.PreparedForm(date(2024, 3, 1), "p1", "12345674", date(2024, 3, 20), date(2024, 4, 8))
	equal(t, dues(got), []string{"p1/due@2024-03-20 09:00", "p1/deadline@2024-04-05 09:00"})
	for _, r := range got {
		if r.Subject != (events.ReminderSubject{Type: events.SubjectPrepared, ID: "p1"}) {
			t.Fatalf("subject %+v", r.Subject)
		}
	}
	if got := plan.PreparedForm(date(2024, 3, 1), "p1", "12345674", date(2024, 3, 20), time.Time{}); len(got) != 1 {
		t.Fatalf("without a deadline: %v", dues(got))
	}
}

// sygedagpengeloven § 38, § 40 stk. 5 and seeds/003: the reminder letter is
// planned for day 6 after the letter, two days before the 8-day deadline,
// at 09:00 Danish time, for everyone (no NemSMS needed), once per absence
// and deadline; a day 6 already past plans nothing.
func TestSDL38_CitizenTaskLetterOnDay6(t *testing.T) {
	from := events.Authority{CVR: ids.MustCVR("30000005"), Name: "Københavns Kommune"}
	deadline := date(2024, 3, 12) // the letter of 4 March + 8 days
	got := plan.CitizenTaskLetter(date(2024, 3, 4), "a1", "comment", "0101901234", from, deadline)
	equal(t, dues(got), []string{"a1/citizen-tasks/letter/2024-03-12/comment@2024-03-10 09:00"})
	r := got[0]
	if r.Audience.Kind != events.AudienceCitizen || r.Audience.CPR != "0101901234" || r.Audience.From == nil || *r.Audience.From != from ||
		len(r.Channels) != 1 || r.Channels[0] != events.ChannelLetter || r.Message.Deadline != "2024-03-12" ||
		r.Subject != (events.ReminderSubject{Type: events.SubjectTasks, ID: "a1"}) {
		t.Fatalf("reminder %+v", r)
	}
	if late := plan.CitizenTaskLetter(date(2024, 3, 11), "a1", "comment", "0101901234", from, deadline); len(late) != 0 {
		t.Fatalf("planned after day 6: %v", dues(late))
	}
}

// NemSMS carries at most 160 characters (DOMAIN.md, "Registers"): every
// SMS text the plans give, Danish and English (notify sends the one of the
// person's language; waiting sends the body to a citizen and the title to
// a sender), fits for every deadline of two years, the longest month
// names included, and the realistic longest ids.
func TestEverySMSTextFitsNemSMSInDanishAndEnglish(t *testing.T) {
	from := events.Authority{CVR: ids.MustCVR("29189846"), Name: "Ringkøbing-Skjern Kommune"}
	id := "0f8fad5b-d9cb-469f-a165-70867728950e"
	for d := date(2026, 1, 1); d.Before(date(2028, 1, 1)); d = d.AddDate(0, 0, 1) {
		var sms []events.ReminderSchedule
		sms = append(sms, plan.CitizenTasks(d.AddDate(0, 0, -8), id, "0101901234", "+4520123456", from, d)...)
		sms = append(sms, plan.PreparedForm(d.AddDate(0, 0, -20), id, "29189846", d.AddDate(0, 0, -10), d)...)
		if len(sms) == 0 {
			t.Fatalf("no SMS planned for deadline %s", d.Format(time.DateOnly))
		}
		for _, r := range sms {
			texts := []string{r.Message.BodyDa, r.Message.BodyEn}
			if r.Audience.Kind == events.AudienceSender {
				texts = []string{r.Message.TitleDa, r.Message.TitleEn}
			}
			for _, text := range texts {
				if n := utf8.RuneCountInString(text); n > 160 || n == 0 {
					t.Fatalf("%s SMS for %s has %d characters: %q", r.Kind, d.Format(time.DateOnly), n, text)
				}
			}
		}
	}
}
