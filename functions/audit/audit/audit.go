// Package audit is the audit function: it answers system probes (proving
// intake → broker → function → ledger works), signs a checkpoint over the
// ledger heads that moved (every few seconds while it runs and on every
// ledger-checkpoint tick), publishes checkpoints and inclusion proofs, and
// serves ledger streams to operators.
package audit

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/accept"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// ProbeRequest is the data of a probe request (its schema is
// system.probe.requested.v1).
type ProbeRequest struct {
	Note string `json:"note"`
}

// ProbeAnswer is the data of a probe answer.
type ProbeAnswer struct {
	Note       string `json:"note"`
	AnsweredBy string `json:"answeredBy"`
	LedgerSeq  int64  `json:"ledgerSeq"`
}

// CheckpointSigned is the data of a checkpoint-signed event.
type CheckpointSigned struct {
	CheckpointID int64  `json:"checkpointId"`
	Streams      int64  `json:"streams"`
	MerkleRoot   string `json:"merkleRoot"`
	KeyID        string `json:"keyId"`
}

// Register wires the audit handlers and routes into svc; the stream view
// requires a token verified by v. The checkpoint and proof routes are
// public: they show only hashes and signatures (see proofs.go).
func Register(svc *runtime.Service, signer ledger.Signer, v *auth.Verifier) {
	runtime.On(svc, events.ProbeRequested, answerProbe)
	svc.OnTick(events.TickLedgerCheckpoint, func(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event) error {
		return checkpoint(ctx, svc, tx, signer)
	})
	svc.Mux.Handle("GET /api/v1/audit/streams/{stream}", auth.Require(v)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		streamHandler(svc, w, r)
	})))
	registerProofs(svc)
}

// KeepSigned signs the heads that moved every interval until ctx ends (see
// ledger.KeepSigned), announcing each new checkpoint as the tick does, so a
// stream's newest entries are signed within about one interval and a tail
// rewritten after that is found by verify.
func KeepSigned(ctx context.Context, svc *runtime.Service, signer ledger.Signer, interval time.Duration) {
	ledger.KeepSigned(ctx, svc.DB, signer, interval, func(cp ledger.CheckpointInfo, err error) {
		if err != nil {
			svc.Log.ErrorContext(ctx, "ledger checkpoint failed", "err", err.Error())
			return
		}
		if err := svc.Do(ctx, nil, func(tx *runtime.Tx) error { return announce(ctx, tx, cp) }); err != nil {
			svc.Log.WarnContext(ctx, "announce checkpoint", "err", err.Error(), "checkpoint", cp.ID)
		}
	})
}

// answerProbe records the probe's arrival in its ledger stream and emits the answer.
func answerProbe(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in ProbeRequest) error {
	if err := checkProbe(ev); err != nil {
		return err
	}
	rec, err := tx.Record(ctx, ledger.Entry{})
	if err != nil {
		return err
	}
	_, err = tx.Emit(ctx, events.ProbeAnswered, events.PartitionKey(ev), ProbeAnswer{Note: in.Note, AnsweredBy: "audit", LedgerSeq: rec.Seq})
	return err
}

// checkProbe refuses a probe that did not come through the accept step (no
// tenant or actor stamp) or that names one of the system's reserved streams:
// a permanent 400, so the broker dead-letters it and nothing is recorded.
func checkProbe(ev cloudevents.Event) error {
	if events.Str(ev, events.ExtTenant) == "" || events.Str(ev, events.ExtActor) == "" {
		return runtime.Fail(runtime.KindInvalid, "unstamped",
			"Prøven er ikke modtaget gennem indsendelsen (afsenderen mangler).",
			"The probe did not come through submission (the sender is missing).", nil)
	}
	if accept.Reserved(events.PartitionKey(ev)) {
		return runtime.Fail(runtime.KindInvalid, "reserved-stream",
			"Systemets egne strømme kan ikke skrives i udefra.",
			"The system's own streams cannot be written to from outside.", nil)
	}
	return nil
}

// checkpoint signs the heads of all streams. The checkpoint is written in its
// own transaction (ledger.Checkpoint serialises checkpoint makers); the
// tick's transaction only emits the announcement.
func checkpoint(ctx context.Context, svc *runtime.Service, tx *runtime.Tx, signer ledger.Signer) error {
	cp, err := ledger.Checkpoint(ctx, svc.DB, signer)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if cp.Unchanged {
		return nil
	}
	return announce(ctx, tx, cp)
}

// announce emits the checkpoint-signed event of cp.
func announce(ctx context.Context, tx *runtime.Tx, cp ledger.CheckpointInfo) error {
	_, err := tx.Emit(ctx, events.CheckpointSigned, "ledger-checkpoints", CheckpointSigned{
		CheckpointID: cp.ID, Streams: cp.Streams, MerkleRoot: hex.EncodeToString(cp.MerkleRoot), KeyID: cp.KeyID,
	})
	return err
}

// entryView is one ledger entry as the API shows it (payload by digest only).
type entryView struct {
	Seq           int64           `json:"seq"`
	RecordedAt    time.Time       `json:"recordedAt"`
	EventType     string          `json:"eventType"`
	EventSource   string          `json:"eventSource"`
	EventID       string          `json:"eventId"`
	Actor         string          `json:"actor"`
	Role          string          `json:"role"`
	OnBehalfOf    string          `json:"onBehalfOf,omitempty"`
	Correlation   string          `json:"correlation"`
	Cause         string          `json:"cause,omitempty"`
	Reason        json.RawMessage `json:"reason,omitempty"`
	PayloadDigest string          `json:"payloadDigest"`
	Hash          string          `json:"hash"`
}

// authorize is the audit function's one place for authorisation: it
// returns "" when p may read the ledger stream, otherwise the reason
// recorded in the ledger. For now only administrators read streams;
// caseworkers of the stream's municipality follow when streams carry their
// tenant (the case issue).
func authorize(p auth.Principal, stream string) string {
	if p.Is(auth.RoleAdmin) {
		return ""
	}
	return "role"
}

// streamHandler answers GET /api/v1/audit/streams/{stream}?limit=N. A
// refusal is the same 404 whether or not the stream exists, and is recorded
// in the ledger; an allowed read is recorded too (ReadStream).
func streamHandler(svc *runtime.Service, w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	stream := r.PathValue("stream")
	if reason := authorize(p, stream); reason != "" {
		if err := auth.LogDenial(r.Context(), svc.DB, p, r, stream, reason); err != nil {
			runtime.WriteError(w, err)
			return
		}
		auth.WriteNotFound(w)
		return
	}
	limit := 1000
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 10000 {
			runtime.WriteError(w, runtime.Invalid(events.FieldErrors{{Field: "limit", Code: "range", Da: "limit skal være mellem 1 og 10000.", En: "limit must be between 1 and 10000."}}))
			return
		}
		limit = n
	}
	var recs []ledger.Record
	err := svc.Do(r.Context(), nil, func(tx *runtime.Tx) error {
		var err error
		if recs, err = ledger.Stream(r.Context(), tx, stream, limit); err != nil {
			return err
		}
		_, err = tx.Record(r.Context(), auth.ReadEntry(p, r, stream))
		return err
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	out := make([]entryView, 0, len(recs))
	for _, rec := range recs {
		out = append(out, entryView{
			Seq: rec.Seq, RecordedAt: rec.RecordedAt, EventType: rec.EventType, EventSource: rec.EventSource, EventID: rec.EventID,
			Actor: rec.Actor, Role: rec.Role, OnBehalfOf: rec.OnBehalfOf, Correlation: rec.Correlation, Cause: rec.Cause,
			Reason: rec.Reason, PayloadDigest: hex.EncodeToString(rec.PayloadDigest), Hash: hex.EncodeToString(rec.Hash),
		})
	}
	runtime.WriteJSON(w, http.StatusOK, map[string]any{"stream": stream, "entries": out})
}
