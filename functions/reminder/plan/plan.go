// Package plan turns the deadlines other functions compute into the
// reminders to schedule (the data of reminder.scheduled.v1). It is pure: no
// I/O, no clock of its own (callers pass now), and the ids it returns are
// stable, so a producer that plans again (a corrected report, a redelivered
// event) reschedules the same reminders instead of adding new ones.
//
// Reminders fire at 09:00 Danish time on their day. A reminder whose time
// has already passed is left out; when that leaves none while the deadline
// is still ahead, one reminder is planned for now, so a late plan still
// warns once.
package plan

import (
	"fmt"
	"time"
	_ "time/tzdata" // Europe/Copenhagen without the OS zone database

	"nemrefusion.dk/events"
)

// Danish is Danish time (Europe/Copenhagen).
var Danish = mustZone("Europe/Copenhagen")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}

// At returns hh:00 Danish time on the calendar day of d (its year, month
// and day, whatever its zone).
func At(d time.Time, hour int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, Danish)
}

// day formats d as "YYYY-MM-DD".
func day(d time.Time) string { return d.Format(time.DateOnly) }

// daDate and enDate write a date for people: "8. april 2024", "8 April 2024".
func daDate(d time.Time) string {
	months := [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}
	return fmt.Sprintf("%d. %s %d", d.Day(), months[d.Month()-1], d.Year())
}

func enDate(d time.Time) string { return d.Format("2 January 2006") }

// offset is one reminder before a deadline.
type offset struct {
	days int    // days before the deadline
	tag  string // id suffix
}

// before plans reminders at the offsets before deadline, dropping those
// already past at now (see the package comment).
func before(now, deadline time.Time, offs []offset, build func(due time.Time, tag string) events.ReminderSchedule) []events.ReminderSchedule {
	var out []events.ReminderSchedule
	for _, o := range offs {
		due := At(deadline.AddDate(0, 0, -o.days), 9)
		if due.Before(now) {
			continue
		}
		out = append(out, build(due, o.tag))
	}
	end := At(deadline, 23).Add(59 * time.Minute)
	if len(out) == 0 && now.Before(end) && len(offs) > 0 {
		out = append(out, build(now, offs[len(offs)-1].tag))
	}
	return out
}

// EmployerReport plans the reminders of an employer's report deadline
// (sygedagpengeloven § 40: within 5 weeks of the first absence day for an
// employer paying wages; the sickness function computes the deadline) one
// week and two days before it, to the sender's inbox and e-mail.
func EmployerReport(now time.Time, absenceID, cvr string, deadline time.Time) []events.ReminderSchedule {
	return before(now, deadline, []offset{{7, "7d"}, {2, "2d"}}, func(due time.Time, tag string) events.ReminderSchedule {
		return events.ReminderSchedule{
			ID: absenceID + "/report-deadline/" + tag, Due: due.UTC(), Kind: "employer-report-deadline",
			Subject:  events.ReminderSubject{Type: events.SubjectAbsence, ID: absenceID},
			Audience: events.ReminderAudience{Kind: events.AudienceSender, CVR: cvr},
			Channels: []string{events.ChannelInbox, events.ChannelEmail},
			Message: events.ReminderMessage{
				TitleDa: "Fristen for at anmelde sygefravær nærmer sig", TitleEn: "The deadline for reporting an absence is near",
				BodyDa:   "Anmeld sygefraværet senest " + daDate(deadline) + ". Anmelder I for sent, får I først refusion fra den dag, anmeldelsen modtages.",
				BodyEn:   "Report the absence by " + enDate(deadline) + ". A late report gives reimbursement only from the day it is received.",
				Deadline: day(deadline), Law: "sygedagpengeloven § 40", Link: "/absences/" + absenceID,
			},
		}
	})
}

// ParentalLeave plans the reminders of an employer's parental-leave
// refusion deadline (barselsloven § 40: 8 weeks after the leave period
// ends, else the right lapses) two weeks and three days before it.
func ParentalLeave(now time.Time, caseID, cvr string, deadline time.Time) []events.ReminderSchedule {
	return before(now, deadline, []offset{{14, "14d"}, {3, "3d"}}, func(due time.Time, tag string) events.ReminderSchedule {
		return events.ReminderSchedule{
			ID: caseID + "/parental-leave-deadline/" + tag, Due: due.UTC(), Kind: "parental-leave-deadline",
			Subject:  events.ReminderSubject{Type: events.SubjectCase, ID: caseID},
			Audience: events.ReminderAudience{Kind: events.AudienceSender, CVR: cvr},
			Channels: []string{events.ChannelInbox, events.ChannelEmail},
			Message: events.ReminderMessage{
				TitleDa: "Fristen for refusion af barselsdagpenge nærmer sig", TitleEn: "The deadline for parental-leave reimbursement is near",
				BodyDa:   "Anmod om refusion senest " + daDate(deadline) + ". Derefter bortfalder retten til refusion for perioden.",
				BodyEn:   "Request reimbursement by " + enDate(deadline) + ". After that the right to reimbursement for the period lapses.",
				Deadline: day(deadline), Law: "barselsloven § 40", Link: "/cases/" + caseID,
			},
		}
	})
}

// CitizenTaskDeadlineDays is the sick person's deadline for the tasks in Mit
// Sygefravær: 8 days after the letter (sygedagpengeloven § 38, § 40 stk. 5).
const CitizenTaskDeadlineDays = 8

// SMSDaysBefore is when the SMS reminder goes: on day 6, two days before the
// deadline (seeds/003).
const SMSDaysBefore = 2

// CitizenTasks plans the SMS on day 6 (two days before the 8-day deadline,
// sygedagpengeloven § 38; seeds/003) to a sick person signed up for NemSMS:
// nemSMS is the NemSMS number from CPR, "" when not signed up, in which case
// nothing is planned. The subject is {tasks, absenceID}: when the person has
// no open task left, citizen.tasks.closed (or a reminder.cancelled by that
// subject) cancels it, so the SMS goes only while tasks are open.
//
// from is the municipality the SMS is sent on behalf of.
func CitizenTasks(now time.Time, absenceID, cpr, nemSMS string, from events.Authority, deadline time.Time) []events.ReminderSchedule {
	if nemSMS == "" {
		return nil
	}
	due := At(deadline.AddDate(0, 0, -SMSDaysBefore), 9)
	if due.Before(now) {
		return nil // an SMS after day 6 would no longer be the reminder the law's process describes
	}
	return []events.ReminderSchedule{{
		ID: absenceID + "/citizen-tasks/sms-day6", Due: due.UTC(), Kind: "citizen-tasks-sms",
		Subject:  events.ReminderSubject{Type: events.SubjectTasks, ID: absenceID},
		Audience: events.ReminderAudience{Kind: events.AudienceCitizen, CPR: cpr, Phone: nemSMS, From: &from},
		Channels: []string{events.ChannelSMS},
		Message: events.ReminderMessage{
			TitleDa: "Påmindelse fra Mit Sygefravær", TitleEn: "Reminder from Mit Sygefravær",
			BodyDa:   "Du har uafsluttede opgaver i Mit Sygefravær, som skal løses senest " + daDate(deadline) + ". Log ind på borger.dk.",
			BodyEn:   "You have unfinished tasks in Mit Sygefravær that must be done by " + enDate(deadline) + ". Log in at borger.dk.",
			Deadline: day(deadline), Law: "sygedagpengeloven § 38",
		},
	}}
}

// CitizenTaskLetter plans the reminder letter before the sick person's
// deadline: on day 6 after the letter that gave the tasks, two days before
// the 8-day deadline (sygedagpengeloven § 38, § 40 stk. 5; seeds/003). It
// goes to everyone, by Digital Post or on paper (the day-6 SMS goes only to
// those signed up for NemSMS): when it fires, the reminder function asks
// notify for the letter (ChannelLetter). One reminder per absence and
// deadline of the tasks given together, so tasks due the same day share
// one letter (its id: CitizenTaskLetterID with the first task's id); the
// subject is {tasks, absenceID}, so citizen.tasks.closed cancels it. A day
// 6 already past plans nothing.
func CitizenTaskLetter(now time.Time, absenceID, task, cpr string, from events.Authority, deadline time.Time) []events.ReminderSchedule {
	due := At(deadline.AddDate(0, 0, -SMSDaysBefore), 9)
	if due.Before(now) {
		return nil
	}
	return []events.ReminderSchedule{{
		ID: CitizenTaskLetterID(absenceID, task, deadline), Due: due.UTC(), Kind: "citizen-tasks-letter",
		Subject:  events.ReminderSubject{Type: events.SubjectTasks, ID: absenceID},
		Audience: events.ReminderAudience{Kind: events.AudienceCitizen, CPR: cpr, From: &from},
		Channels: []string{events.ChannelLetter},
		Message: events.ReminderMessage{
			TitleDa: "Påmindelse fra Mit Sygefravær", TitleEn: "Reminder from Mit Sygefravær",
			BodyDa:   "Du har uafsluttede opgaver i Mit Sygefravær, som skal løses senest " + daDate(deadline) + ".",
			BodyEn:   "You have unfinished tasks in Mit Sygefravær that must be done by " + enDate(deadline) + ".",
			Deadline: day(deadline), Law: "sygedagpengeloven § 38",
		},
	}}
}

// CitizenTaskLetterID is the id of the reminder letter for the tasks due
// on deadline that were given together with task (the first of them, by
// its id within the absence): the citizen function cancels it by id when
// every task due that day is answered.
func CitizenTaskLetterID(absenceID, task string, deadline time.Time) string {
	return absenceID + "/citizen-tasks/letter/" + day(deadline) + "/" + task
}

// FollowUpLookBackMonths is how far back a request in time covers
// (sygedagpengeloven § 59): refusion for a later period must be requested
// before days fall out of it.
const FollowUpLookBackMonths = 3

// FollowUpRefusion plans the reminders to request refusion for the next
// period of an ongoing absence: lastCovered is the last day refusion was
// requested for; the request covers at most 3 months back (§ 59), so the
// reminders go two weeks and three days before lastCovered + 3 months.
// period numbers the follow-up, so each period has its own ids.
func FollowUpRefusion(now time.Time, caseID, cvr string, period int, lastCovered time.Time) []events.ReminderSchedule {
	deadline := lastCovered.AddDate(0, FollowUpLookBackMonths, 0)
	return before(now, deadline, []offset{{14, "14d"}, {3, "3d"}}, func(due time.Time, tag string) events.ReminderSchedule {
		return events.ReminderSchedule{
			ID: fmt.Sprintf("%s/follow-up/%d/%s", caseID, period, tag), Due: due.UTC(), Kind: "follow-up-refusion",
			Subject:  events.ReminderSubject{Type: events.SubjectAbsence, ID: caseID},
			Audience: events.ReminderAudience{Kind: events.AudienceSender, CVR: cvr},
			Channels: []string{events.ChannelInbox, events.ChannelEmail},
			Message: events.ReminderMessage{
				TitleDa: "Husk at anmode om refusion for den næste periode", TitleEn: "Remember to request reimbursement for the next period",
				BodyDa:   "En anmodning dækker højst 3 måneder bagud. Anmod senest " + daDate(deadline) + " for ikke at miste dage.",
				BodyEn:   "A request covers at most 3 months back. Request by " + enDate(deadline) + " so no days are lost.",
				Deadline: day(deadline), Law: "sygedagpengeloven § 59", Link: "/absences/" + caseID,
			},
		}
	})
}

// PreparedForm plans the ventefunktion's alerts for a prepared blanket
// (seeds/000 § 1 stk. 4): on the day it becomes due, and three days before
// the legal deadline when one is known (zero deadline: none).
func PreparedForm(now time.Time, id, cvr string, due, deadline time.Time) []events.ReminderSchedule {
	msg := events.ReminderMessage{
		TitleDa: "En klargjort blanket kan nu indsendes", TitleEn: "A prepared form can now be submitted",
		BodyDa: "Den blanket, I har lagt klar, kan indsendes fra i dag.", BodyEn: "The form you prepared can be submitted from today.",
		Link: "/prepared/" + id,
	}
	if !deadline.IsZero() {
		msg.Deadline = day(deadline)
		msg.BodyDa += " Fristen er " + daDate(deadline) + "."
		msg.BodyEn += " The deadline is " + enDate(deadline) + "."
	}
	r := func(rid string, due time.Time, kind string, m events.ReminderMessage) events.ReminderSchedule {
		return events.ReminderSchedule{
			ID: rid, Due: due.UTC(), Kind: kind,
			Subject:  events.ReminderSubject{Type: events.SubjectPrepared, ID: id},
			Audience: events.ReminderAudience{Kind: events.AudienceSender, CVR: cvr},
			Channels: []string{events.ChannelInbox, events.ChannelEmail, events.ChannelSMS},
			Message:  m,
		}
	}
	var out []events.ReminderSchedule
	at := At(due, 9)
	if at.Before(now) {
		at = now
	}
	out = append(out, r(id+"/due", at, "prepared-due", msg))
	if !deadline.IsZero() {
		soon := At(deadline.AddDate(0, 0, -3), 9)
		if soon.After(at) {
			m := msg
			m.TitleDa, m.TitleEn = "Fristen for en klargjort blanket nærmer sig", "The deadline of a prepared form is near"
			m.BodyDa = "Den blanket, I har lagt klar, er ikke indsendt. Fristen er " + daDate(deadline) + "."
			m.BodyEn = "The form you prepared has not been submitted. The deadline is " + enDate(deadline) + "."
			out = append(out, r(id+"/deadline", soon, "prepared-deadline", m))
		}
	}
	return out
}
