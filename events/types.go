package events

// Source prefix and type prefix of every event the system emits.
const (
	// TypePrefix starts every event type name: dk.nemrefusion.<area>.<what>.v1.
	TypePrefix = "dk.nemrefusion."
	// SourcePrefix starts every source: /nemrefusion/<function>.
	SourcePrefix = "/nemrefusion/"
	// SchemaBase is the URI prefix of every dataschema.
	SchemaBase = "https://schemas.nemrefusion.dk/"
)

// Event type names. Past tense for facts, .requested for commands.
const (
	// ProbeRequested asks the system to prove the whole path works: intake
	// records it, the broker routes it, the audit function answers it.
	ProbeRequested = "dk.nemrefusion.system.probe.requested.v1"
	// ProbeAnswered is the audit function's answer to a probe.
	ProbeAnswered = "dk.nemrefusion.system.probe.answered.v1"
	// CheckpointSigned is emitted after a ledger checkpoint is stored.
	CheckpointSigned = "dk.nemrefusion.ledger.checkpoint.signed.v1"
)

// Ticks. A Knative PingSource always emits type dev.knative.sources.ping; ours
// set the extension "tick" (spec.ceOverrides) to one of these names, and
// Triggers filter on it.
const (
	PingType = "dev.knative.sources.ping"
	ExtTick  = "tick"
	// TickOutboxRelay makes every function re-send outbox rows that were
	// committed but not yet sent.
	TickOutboxRelay = "outbox-relay"
	// TickLedgerCheckpoint makes the audit function sign the heads of all
	// ledger streams.
	TickLedgerCheckpoint = "ledger-checkpoint"
)

// Extension attribute names (CloudEvents extensions are lower-case a-z0-9).
const (
	ExtPartitionKey  = "partitionkey"
	ExtCorrelationID = "correlationid"
	ExtCausationID   = "causationid"
	ExtTraceParent   = "traceparent"
)

// Extensions intake sets on every submission it forwards: the receipt
// number, and who submitted (from the verified token) so consumers can record
// the actor and check the tenant ("cvr:<cvr>", "cpr:<cpr>",
// "municipality:<no>", "udk" or "operator"). Never log these values.
const (
	ExtReceipt    = "receipt"
	ExtActor      = "actor"
	ExtActorRole  = "actorrole"
	ExtTenant     = "tenant"
	ExtOnBehalfOf = "onbehalfof"
	ExtSigned     = "signed"
	// ExtOpener is the event id of the blanket submission that opened the
	// stream a follow-up was accepted into (set by the accept step only when
	// the stream existed). A consumer that has not decided that submission
	// yet knows the follow-up came first and must be retried, not refused.
	ExtOpener = "opener"
)

// Submittable reports whether anyone outside may post events of eventType
// (through intake's POST /api/v1/events or a prepared blanket): the probe,
// every blanket (BlanketSenders), and the case systems' feedback
// (FeedbackTypes, CaseSystemSenders). Who may post which is Senders.
func Submittable(eventType string) bool {
	return eventType == ProbeRequested || BlanketSenders(eventType) != nil || isFeedback(eventType)
}

// Preparable reports whether eventType may be prepared for later in the
// ventefunktion: blankets only, never the case systems' feedback.
func Preparable(eventType string) bool { return BlanketSenders(eventType) != nil }

// Senders returns the login roles (infra/auth.Role values) that may submit
// eventType: a blanket's senders (always for the CVR its data names), the
// case systems for feedback (only into an absence delivered to them), nil
// for the probe (any login, its own streams) and for types nobody submits.
func Senders(eventType string) []string {
	if isFeedback(eventType) {
		return CaseSystemSenders
	}
	return BlanketSenders(eventType)
}
