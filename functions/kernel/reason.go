package kernel

import "nemrefusion.dk/events"

// Reason records one legal rule a decision applied (rule id, law, source,
// Danish and English text, inputs and result). It is events.Reason itself,
// not a copy, so the reasons the rules return go to the ledger and the
// sender's feedback without a conversion.
type Reason = events.Reason
