package documents

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// onTasksRequested records the parties of an absence from the sick
// person's tasks: the person, the sender that reported (when not the
// person themself) and the municipality the answers go to.
func (f *Function) onTasksRequested(ctx context.Context, tx *runtime.Tx, _ cloudevents.Event, in events.CitizenTasksRequest) error {
	var parties []string
	if c, err := ids.ParseCPR(in.CPR); err == nil {
		parties = append(parties, "cpr:"+c.String())
	}
	if c, err := ids.ParseCVR(in.SenderCVR); err == nil {
		parties = append(parties, "cvr:"+c.String())
	}
	if m, err := ids.ParseMunicipality(in.Municipality); err == nil {
		parties = append(parties, "municipality:"+m.String())
	}
	return addParties(ctx, tx, in.AbsenceID, parties)
}

// deliveryParties are the parties a delivery names: the receiving
// authority, and the sender when it is a company ("cvr:<cvr>"; a
// citizen's answers name the citizen masked, who is known from the tasks).
func deliveryParties(req events.DeliveryRequest) []string {
	var out []string
	if r, err := ids.ParseRecipient(req.Recipient); err == nil {
		if r.IsUDK() {
			out = append(out, "udk")
		} else if m, ok := r.Municipality(); ok {
			out = append(out, "municipality:"+m.String())
		}
	}
	if s, ok := strings.CutPrefix(req.Sender, "cvr:"); ok {
		if c, err := ids.ParseCVR(s); err == nil {
			out = append(out, "cvr:"+c.String())
		}
	}
	return out
}

func addParties(ctx context.Context, tx *runtime.Tx, absence string, parties []string) error {
	if absence == "" || len(absence) > 200 {
		return nil
	}
	// In one order for every transaction: two events naming the same
	// parties of one absence (delivery.requested and citizen.tasks.requested
	// arrive together) deadlocked on the unique index when each inserted
	// them in its own order.
	parties = slices.Compact(slices.Sorted(slices.Values(parties)))
	for _, p := range parties {
		if _, err := tx.Exec(ctx, `INSERT INTO absence_parties (absence_id, party) VALUES ($1, $2) ON CONFLICT DO NOTHING`, absence, p); err != nil {
			return fmt.Errorf("record party of %s: %w", absence, err)
		}
	}
	return nil
}

// principalParties are the party names p acts as: its tenant, and for a
// self-employed person also the person.
func principalParties(p auth.Principal) []string {
	out := []string{}
	if t := p.Tenant(); t != "" && t != "operator" {
		out = append(out, t)
	}
	if p.Role == auth.RoleSelfEmployed && !p.CPR.IsZero() {
		out = append(out, "cpr:"+p.CPR.String())
	}
	return out
}

// partyTo reports whether p is party to the absence: the sick person (or
// their proxy), the sender that reported it, or a receiving authority.
func (f *Function) partyTo(ctx context.Context, p auth.Principal, absence string) (bool, error) {
	parties := principalParties(p)
	if len(parties) == 0 {
		return false, nil
	}
	var ok bool
	err := f.svc.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM absence_parties WHERE absence_id = $1 AND party = ANY($2))`, absence, parties).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("find parties of the absence: %w", err)
	}
	return ok, nil
}

// errNoAbsence is the one answer for an absence that does not exist and
// one the uploader is not party to.
func errNoAbsence() error {
	return runtime.Fail(runtime.KindNotFound, "absence.not-found", "Fraværet findes ikke.", "The absence does not exist.", nil)
}

// checkAbsence answers for an upload that names an absence: nil when p is
// party to it; else the denial is logged and the error is the 404 of a
// missing absence (nothing is stored).
func (f *Function) checkAbsence(r *http.Request, p auth.Principal, absence string) error {
	ok, err := f.partyTo(r.Context(), p, absence)
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	if err := auth.LogDenial(r.Context(), f.svc.DB, p, r, "absence:"+absence, "party"); err != nil {
		return err
	}
	return errNoAbsence()
}
