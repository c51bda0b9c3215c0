package refusion

import (
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
)

// Early follow-up limits: the request within the first 5 weeks of absence,
// for an absence expected to exceed 8 weeks, the first meeting within 2 weeks.
const (
	EarlyFollowUpRequestWeeks  = 5
	EarlyFollowUpExpectedWeeks = 8
	EarlyFollowUpMeetingDays   = 14
)

// EarlyFollowUpInput is an employer's request for early follow-up (tidlig
// opfølgning).
type EarlyFollowUpInput struct {
	FirstAbsenceDay    kernel.Date `json:"firstAbsenceDay"`
	RequestedOn        kernel.Date `json:"requestedOn"`
	ExpectedOver8Weeks bool        `json:"expectedOver8Weeks"`
}

// EarlyFollowUpResult says whether the request is allowed, the last day it
// could be made, and, when allowed, the day by which the municipality must
// hold the first follow-up meeting.
type EarlyFollowUpResult struct {
	Allowed        bool            `json:"allowed"`
	LastRequestDay kernel.Date     `json:"lastRequestDay"`
	MeetingBy      *kernel.Date    `json:"meetingBy"`
	Reasons        []kernel.Reason `json:"reasons"`
}

// EarlyFollowUp decides an employer's request for early follow-up: allowed
// only within the first 5 weeks of absence (the first absence day and the 34
// days after it) and only when the absence is expected to exceed 8 weeks; the
// first follow-up meeting is then due within 2 weeks of the request
// (sygedagpengeloven § 13 b, jf. §§ 7 c–7 e; DOMAIN.md). It returns
// events.FieldErrors for missing dates or a request before the absence.
func EarlyFollowUp(in EarlyFollowUpInput) (EarlyFollowUpResult, error) {
	var fe events.FieldErrors
	if in.FirstAbsenceDay.IsZero() {
		fe.Add("firstAbsenceDay", "required", "Første fraværsdag skal udfyldes.", "The first absence day is required.")
	}
	switch {
	case in.RequestedOn.IsZero():
		fe.Add("requestedOn", "required", "Anmodningsdatoen skal udfyldes.", "The request date is required.")
	case !in.FirstAbsenceDay.IsZero() && in.RequestedOn.Before(in.FirstAbsenceDay):
		fe.Add("requestedOn", "before_first_absence_day", "Anmodningen kan ikke ligge før første fraværsdag.", "The request cannot be before the first absence day.")
	}
	if err := fe.Err(); err != nil {
		return EarlyFollowUpResult{}, fmt.Errorf("early follow-up: %w", err)
	}
	f, req := in.FirstAbsenceDay, in.RequestedOn
	last := f.AddDays(7*EarlyFollowUpRequestWeeks - 1)
	res := EarlyFollowUpResult{LastRequestDay: last}
	inTime := !req.After(last)
	law := "sygedagpengeloven § 13 b, jf. §§ 7 c–7 e"
	inputs := map[string]any{"firstAbsenceDay": f, "requestedOn": req, "expectedOver8Weeks": in.ExpectedOver8Weeks}
	if !inTime {
		res.Reasons = append(res.Reasons, kernel.Reason{
			Rule: "sdl-early-follow-up-5-weeks", Law: law, Source: srcEarly,
			TextDa: fmt.Sprintf("Anmodning om tidlig opfølgning skal ske inden for de første 5 uger af fraværet (senest %s). Anmodningen %s er for sent.", last.Danish(), req.Danish()),
			TextEn: fmt.Sprintf("A request for early follow-up must be made within the first 5 weeks of absence (by %s). The request on %s is too late.", last.English(), req.English()),
			Inputs: inputs, Result: false,
		})
	}
	if !in.ExpectedOver8Weeks {
		res.Reasons = append(res.Reasons, kernel.Reason{
			Rule: "sdl-early-follow-up-8-weeks", Law: law, Source: srcEarly,
			TextDa: "Tidlig opfølgning kan kun anmodes, når fraværet forventes at vare mere end 8 uger fra første fraværsdag.",
			TextEn: "Early follow-up can only be requested when the absence is expected to last more than 8 weeks from the first absence day.",
			Inputs: inputs, Result: false,
		})
	}
	if len(res.Reasons) > 0 {
		return res, nil
	}
	meeting := req.AddDays(EarlyFollowUpMeetingDays)
	res.Allowed = true
	res.MeetingBy = datePtr(meeting)
	res.Reasons = append(res.Reasons, kernel.Reason{
		Rule: "sdl-early-follow-up", Law: law, Source: srcEarly,
		TextDa: fmt.Sprintf("Anmodningen om tidlig opfølgning er rettidig, og fraværet forventes at vare mere end 8 uger. Kommunen skal holde den første opfølgningssamtale senest 2 uger efter anmodningen, dvs. senest %s.", meeting.Danish()),
		TextEn: fmt.Sprintf("The request for early follow-up is in time, and the absence is expected to last more than 8 weeks. The municipality must hold the first follow-up meeting within 2 weeks of the request, i.e. by %s.", meeting.English()),
		Inputs: inputs, Result: map[string]any{"allowed": true, "meetingBy": meeting},
	})
	return res, nil
}
