package waiting_test

import (
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/reminder/plan"
)

func planCitizen(now time.Time, absence, cpr, nemSMS string, from events.Authority, deadline time.Time) []events.ReminderSchedule {
	return plan.CitizenTasks(now, absence, cpr, nemSMS, from, deadline)
}
