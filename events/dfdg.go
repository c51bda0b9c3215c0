package events

// The data-foundation feed (seeds/004 chapter 37). The sick and recovery
// notices themselves are DfdgNoticeRequested (events/sickness.go). A
// municipality that looked an absence up before its recovery was registered
// is told when the recovery arrives (§ 133 stk. 3): the dfdg function
// emits a DeliveryRequested of kind DfdgRecoveryKind with a DfdgRecovery
// payload for that municipality, which the delivery function puts in its
// stream, so it reaches the case system by fetch or by its push sink, in
// order and with retries.
const (
	// DfdgRecoveryKind is the delivery kind of a recovery notification.
	DfdgRecoveryKind = "dfdg.recovery"
)

// DfdgRecovery is the payload of a recovery notification: the absence's
// UUID, first and last absence day and the registration dates of the sick
// and recovery notices (seeds/004 § 132 stk. 1). It carries no CPR number:
// the subscriber knows the absence by its UUID.
type DfdgRecovery struct {
	AbsenceID            string `json:"absenceId"`
	FirstAbsenceDay      string `json:"firstAbsenceDay"`
	LastAbsenceDay       string `json:"lastAbsenceDay"`
	SickRegisteredOn     string `json:"sickRegisteredOn,omitempty"`
	RecoveryRegisteredOn string `json:"recoveryRegisteredOn"`
}
