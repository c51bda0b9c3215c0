package security

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/registers/synth"
)

// authzKind says how a variant is judged.
type authzKind int

const (
	// kindRecord: the route names a record; per persona its own records
	// (2xx), the others' (refused, nothing of them in the answer) and a
	// missing one (refused exactly like the foreign one).
	kindRecord authzKind = iota
	// kindRole: the route names no record (a list, a setting, a report of
	// the caller's own tenant): the allowed personas get 2xx, the others
	// 401/403/404; nobody gets data of a record that is not theirs.
	kindRole
	// kindPublic: no login needed; nobody gets 5xx or personal data.
	kindPublic
	// kindInternal: must not be reachable on the public origin at all.
	kindInternal
	// kindAttack: a request sequence no persona may complete (Run says
	// what leaked).
	kindAttack
)

// authzVariant is one way of calling a route and what must hold.
type authzVariant struct {
	Name  string
	Kind  authzKind
	Write bool
	// Records (kindRecord) and their owners under this route's rule.
	Records []*authzRecord
	// Allowed (kindRole): who gets 2xx; empty means every authenticated persona
	// when AnyLogin is set.
	Allowed  []string
	AnyLogin bool
	// Req builds the request for rec (nil for kindRole, kindPublic,
	// kindInternal) as persona p.
	Req func(w *authzWorld, rec *authzRecord, p string) authzReq
	// Missing is a record like rec that does not exist (default: a new UUID).
	Missing func(w *authzWorld, rec *authzRecord) *authzRecord
	// NoMissing says why a missing record is not a refusal here (a route
	// that creates it).
	NoMissing string
	// Fresh makes a record of p's own to write to (write routes: the shared
	// records stay as the foreign cells found them), or nil when p has none.
	Fresh func(w *authzWorld, p string) *authzRecord
	// FreshIfNone: Fresh only for personas without a shared own record
	// (the shared one is called otherwise: writing to it is harmless).
	FreshIfNone bool
	// OwnOK are statuses besides 2xx that show an own call was authorised
	// and refused on its content (a write on a record in the wrong state).
	OwnOK []int
	// View reads rec as its owner would (write routes): the answer must be
	// the same before and after a refused write.
	View func(w *authzWorld, rec *authzRecord) (string, authzReq)
	// Run (kindAttack) tries the attack as p and returns what leaked.
	Run func(w *authzWorld, p string) []string
	// Probe (kindInternal, kindPublic) is the path to call when the route
	// table no longer has the route (a stand-in taken off the origin).
	Probe authzReq
}

// lookupPurpose is the purpose every register lookup must give.
const lookupPurpose = "?purpose=authz+matrix"

func get(path string) authzReq { return authzReq{Method: "GET", Path: path} }

func jsonReq(method, path string, body any) authzReq {
	b, _ := json.Marshal(body)
	return authzReq{Method: method, Path: path, Body: string(b)}
}

func newID(*authzWorld, *authzRecord) *authzRecord {
	return &authzRecord{ID: uuid.NewString(), Part: "x"}
}

// sameStreamMissingItem is an item that is not in rec's stream.
func sameStreamMissingItem(_ *authzWorld, rec *authzRecord) *authzRecord {
	return &authzRecord{ID: rec.ID, Part: uuid.NewString() + "/report/1"}
}

func missingRecipient(*authzWorld, *authzRecord) *authzRecord { return &authzRecord{ID: "147"} }

// ownerOf is the first owner of rec, to read it with.
func ownerOf(rec *authzRecord) string {
	for _, o := range rec.Owners {
		if o != pAdmin {
			return o
		}
	}
	return pAdmin
}

// authzFixtures is the fixture table: one entry per route of the public
// origin, keyed "METHOD pattern" as authzRouteTable names it.
func authzFixtures(w *authzWorld) map[string][]authzVariant {
	streams := []*authzRecord{w.st101, w.st751, w.stUDK}
	absSender := []*authzRecord{w.absA.with(pEmployer, pPayroll), w.absC.with(pEmployer, pPayroll), w.absB.with(pSeasonal, pPayroll2)}
	absCitizen := []*authzRecord{w.absA.with(pCitizen), w.absC.with(), w.absB.with()}
	absRecipient := []*authzRecord{w.absA.with(pCW, pCS), w.absC.with(pCWAarhus, pCSAarhus), w.absB.with()}
	// The receipt of each absence's report (Secrets[1] is its receipt number).
	receipt := func(abs *authzRecord, owners ...string) *authzRecord {
		return &authzRecord{Label: "receipt of " + abs.Label, ID: abs.Secrets[1], Owners: owners, Secrets: []string{abs.Secrets[1]}}
	}
	receipts := []*authzRecord{receipt(w.absA, pEmployer, pPayroll), receipt(w.absC, pEmployer, pPayroll), receipt(w.absB, pSeasonal, pPayroll2)}
	absAdmin := []*authzRecord{w.absA.with(pAdmin), w.absC.with(pAdmin), w.absB.with(pAdmin)}
	preps := []*authzRecord{w.prepA, w.prepB}
	docs := []*authzRecord{w.docA, w.docB}
	cit := func(suffix string) func(*authzWorld, *authzRecord, string) authzReq {
		return func(_ *authzWorld, r *authzRecord, _ string) authzReq {
			return get("/api/v1/citizen/absences/" + r.ID + suffix)
		}
	}
	citPost := func(suffix string, body any) func(*authzWorld, *authzRecord, string) authzReq {
		return func(_ *authzWorld, r *authzRecord, _ string) authzReq {
			return jsonReq("POST", "/api/v1/citizen/absences/"+r.ID+suffix, body)
		}
	}
	citWrite := func(name, suffix string, body any) []authzVariant {
		return []authzVariant{{Name: name, Kind: kindRecord, Write: true, Records: absCitizen, Req: citPost(suffix, body),
			OwnOK: []int{400, 409, 422}}}
	}
	prepView := func(_ *authzWorld, r *authzRecord) (string, authzReq) {
		return ownerOf(r), get("/api/v1/prepared/" + r.ID)
	}
	freshPrep := func(w *authzWorld, p string) *authzRecord {
		if !contains(authzSenders, p) {
			return nil
		}
		st, id, _ := w.prepare(p, authzBlanketOf(p), map[string]any{}, time.Now().Format(time.DateOnly))
		if st != http.StatusCreated {
			return nil
		}
		return &authzRecord{ID: id, Owners: []string{p}}
	}
	sinkView := func(_ *authzWorld, r *authzRecord) (string, authzReq) {
		return ownerOf(r), get("/api/v1/deliveries/" + r.ID + "/sink")
	}
	senders := authzSenders
	citizens := []string{pCitizen, pCitizen2, pProxy}
	yesterday := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	eventReq := func(body func(r *authzRecord, p string) string) func(*authzWorld, *authzRecord, string) authzReq {
		return func(_ *authzWorld, r *authzRecord, p string) authzReq {
			return authzReq{Method: "POST", Path: "/api/v1/events", ContentType: "application/cloudevents+json", Body: body(r, p)}
		}
	}
	decided := func(r *authzRecord, p string) string {
		d := map[string]any{"absenceId": r.ID, "recipient": r.Extra, "decisionId": "D-matrix-" + uuid.NewString()[:8], "decidedOn": time.Now().Format(time.DateOnly),
			"outcome": "granted", "periods": []map[string]any{{"from": time.Now().AddDate(0, 0, -10).Format(time.DateOnly), "to": yesterday, "amountOre": 99999900}}}
		return authzEvent(events.RefusionDecided, "/ksd/"+r.Extra, r.ID, d)
	}

	return map[string][]authzVariant{
		// Intake.
		"POST /api/v1/events": {
			{Name: "probe into the stream", Kind: kindRecord, Write: true,
				Records: append(append([]*authzRecord{}, absSender...), w.absP.with(pEmployer, pPayroll),
					&authzRecord{Label: "the reserved read log of absence A", ID: "reads/" + w.absA.ID},
					&authzRecord{Label: "the reserved access-denied stream", ID: "access-denied"}),
				Req:       eventReq(func(r *authzRecord, _ string) string { return authzProbe(r.ID) }),
				NoMissing: "a new stream is claimed by whoever posts first", FreshIfNone: true,
				Fresh: func(_ *authzWorld, p string) *authzRecord {
					return &authzRecord{ID: "authz-own-" + uuid.NewString(), Owners: []string{p}}
				}},
			{Name: "refusion decided on the absence", Kind: kindRecord, Write: true,
				Records: []*authzRecord{w.absA.with(pCS), w.absC.with(pCSAarhus), w.absB.with()},
				Req:     eventReq(decided), NoMissing: "intake cannot know every absence", OwnOK: []int{400, 409, 422}},
		},
		// Audit.
		"GET /api/v1/audit/streams/{stream}": {{Kind: kindRecord, Records: absAdmin,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq { return get("/api/v1/audit/streams/" + r.ID) }}},
		// Lookup.
		"GET /api/v1/lookup/persons/{cpr}": {{Kind: kindRecord, Records: []*authzRecord{w.lars, w.mads},
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return get("/api/v1/lookup/persons/" + r.ID + lookupPurpose)
			},
			Missing: func(w *authzWorld, _ *authzRecord) *authzRecord { return &authzRecord{ID: w.missingCPR} }}},
		"GET /api/v1/lookup/persons/{cpr}/income": {{Kind: kindRecord, Records: []*authzRecord{w.lars.with(pCitizen, pCW, pCS, pUDK), w.mads.with(pUDK)},
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return get("/api/v1/lookup/persons/" + r.ID + "/income" + lookupPurpose + "&from=" + time.Now().AddDate(0, -6, 0).Format("2006-01") +
					"&to=" + time.Now().AddDate(0, -1, 0).Format("2006-01"))
			},
			Missing: func(w *authzWorld, _ *authzRecord) *authzRecord { return &authzRecord{ID: w.missingCPR} }}},
		"GET /api/v1/lookup/companies/{cvr}": {{Kind: kindRole, AnyLogin: true,
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return get("/api/v1/lookup/companies/30000005" + lookupPurpose)
			}}},
		"GET /api/v1/lookup/punits/{pnumber}": {{Kind: kindRole, AnyLogin: true,
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return get("/api/v1/lookup/punits/1000000001" + lookupPurpose)
			}}},
		// Delivery.
		"GET /api/v1/deliveries/{recipient}": {{Kind: kindRecord, Records: streams, Missing: missingRecipient,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return get("/api/v1/deliveries/" + r.ID + "?after=0&limit=1000")
			}}},
		"POST /api/v1/deliveries/{recipient}/ack": {{Kind: kindRecord, Write: true, Records: streams, Missing: missingRecipient, OwnOK: []int{409},
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return jsonReq("POST", "/api/v1/deliveries/"+r.ID+"/ack", map[string]string{"cursor": "0"})
			}, View: sinkView}},
		// The caseworkers' inbox (issue 20): another authority's is 404.
		"GET /api/v1/deliveries/{recipient}/inbox": {{Kind: kindRecord, Records: streams, Missing: missingRecipient,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return get("/api/v1/deliveries/" + r.ID + "/inbox?limit=5")
			}}},
		"GET /api/v1/deliveries/{recipient}/items/{id...}": {{Kind: kindRecord, Records: []*authzRecord{w.item101, w.item751}, Missing: sameStreamMissingItem,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return get("/api/v1/deliveries/" + r.ID + "/items/" + r.Part)
			}}},
		"PUT /api/v1/deliveries/{recipient}/sink": {{Kind: kindRecord, Write: true, Records: streams, Missing: missingRecipient, OwnOK: []int{400, 422},
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return jsonReq("PUT", "/api/v1/deliveries/"+r.ID+"/sink", map[string]string{"url": "https://ksd.example.com/matrix"})
			}, View: sinkView}},
		"POST /api/v1/deliveries/{recipient}/sink/secret": {{Kind: kindRecord, Write: true, Records: streams, Missing: missingRecipient,
			OwnOK: []int{404, 409, 422}, View: sinkView,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return authzReq{Method: "POST", Path: "/api/v1/deliveries/" + r.ID + "/sink/secret"}
			}}},
		"GET /api/v1/deliveries/{recipient}/sink": {{Kind: kindRecord, Records: streams, Missing: missingRecipient,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return get("/api/v1/deliveries/" + r.ID + "/sink")
			}}},
		"DELETE /api/v1/deliveries/{recipient}/sink": {{Kind: kindRecord, Write: true, Records: streams, Missing: missingRecipient,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return authzReq{Method: "DELETE", Path: "/api/v1/deliveries/" + r.ID + "/sink"}
			}, View: sinkView}},
		"GET /api/v1/feedback/absences": {{Kind: kindRole, Allowed: senders,
			Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/api/v1/feedback/absences") }}},
		"GET /api/v1/feedback/absences/{id}": {{Kind: kindRecord, Records: absSender,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return get("/api/v1/feedback/absences/" + r.ID)
			}}},
		// Receipt letters (notify): the sender's CVR only; absence A's, C's and
		// B's receipt numbers (the intake answer), the same 404 for others.
		"GET /api/v1/receipts/{receipt}": {{Kind: kindRecord, Records: receipts,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq { return get("/api/v1/receipts/" + r.ID) }},
			// The receipt letter of a citizen's answer (by answer id): the person only.
			{Name: "the citizen's answer receipt, by its answer id", Kind: kindAttack, Run: attackAnswerReceipt}},
		"GET /api/v1/dfdg/absences/{id}": {{Kind: kindRecord, Records: absRecipient[:2],
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq { return get("/api/v1/dfdg/absences/" + r.ID) }}},
		"GET /api/v1/admin/municipalities/{no}/dpo": {{Kind: kindPublic,
			Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/api/v1/admin/municipalities/101/dpo") }}},
		"PUT /api/v1/admin/municipalities/{no}/dpo": {{Kind: kindRole, Write: true, Allowed: []string{pAdmin},
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return jsonReq("PUT", "/api/v1/admin/municipalities/101/dpo", map[string]string{"url": "https://www.kk.dk/databeskyttelse"})
			}}},
		"PUT /api/v1/admin/populations/{year}": {{Kind: kindRole, Write: true, Allowed: []string{pAdmin}, OwnOK: []int{400},
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return jsonReq("PUT", fmt.Sprintf("/api/v1/admin/populations/%d", time.Now().Year()), map[string]any{"source": "matrix", "municipalities": []any{}})
			}}},
		"GET /api/v1/admin/contribution-key": {{Kind: kindRole, Allowed: []string{pAdmin, pCW, pCWAarhus, pCS, pCSAarhus, pUDK}, OwnOK: []int{422},
			Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/api/v1/admin/contribution-key") }}},
		// The maximum rate table (sickness): administrators only. The writes
		// the matrix sends change nothing (a bad rate is 400, an unknown id 404).
		"GET /api/v1/admin/rates": {{Kind: kindRole, Allowed: []string{pAdmin},
			Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/api/v1/admin/rates") }}},
		"POST /api/v1/admin/rates": {{Kind: kindRole, Write: true, Allowed: []string{pAdmin}, OwnOK: []int{400},
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return jsonReq("POST", "/api/v1/admin/rates", map[string]any{"year": 0, "weekly": 0, "status": "matrix"})
			}}},
		"POST /api/v1/admin/rates/{id}/publish": {{Kind: kindRole, Write: true, Allowed: []string{pAdmin}, OwnOK: []int{404},
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return jsonReq("POST", "/api/v1/admin/rates/999999999/publish", map[string]any{"source": "matrix"})
			}}},
		// Previews.
		"POST /api/v1/refusion/preview": {{Kind: kindRole, Allowed: senders, OwnOK: []int{422},
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return authzReq{Method: "POST", Path: "/api/v1/refusion/preview",
					Body: `{"firstAbsenceDay":"2024-03-04","employedSince":"2020-01-01","wagesPaid":true,"hourlyEarnings":200,"weeklyHours":37,"receivedOn":"2024-03-20"}`}
			}}},
		"POST /api/v1/parental/preview": {{Kind: kindRole, Allowed: []string{pEmployer, pSeasonal, pPayroll, pPayroll2}, OwnOK: []int{400, 422},
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return jsonReq("POST", "/api/v1/parental/preview", map[string]any{})
			}}},
		"POST /api/v1/subsidy/preview": {{Kind: kindRole, Allowed: []string{pEmployer, pSeasonal, pPayroll, pPayroll2, pSelf}, OwnOK: []int{400, 422},
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return jsonReq("POST", "/api/v1/subsidy/preview", map[string]any{})
			}}},
		// A caseworker's dispensation from the late-report rule
		// (sygedagpengeloven § 59): only the absence's own municipality's
		// caseworkers; the absences were reported in time, so an own call is
		// refused on its content (422) and changes nothing.
		"POST /api/v1/refusion/absences/{id}/dispensation": {{Name: "dispensation on the absence", Kind: kindRecord, Write: true,
			Records: []*authzRecord{w.absA.with(pCW), w.absC.with(pCWAarhus), w.absB.with()}, OwnOK: []int{400, 422},
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return jsonReq("POST", "/api/v1/refusion/absences/"+r.ID+"/dispensation",
					map[string]any{"refusionFrom": time.Now().AddDate(0, 0, -20).Format(time.DateOnly), "reason": "Matrix"})
			}}},
		// Documents.
		"POST /api/v1/documents": {{Name: "upload to the absence", Kind: kindRecord, Write: true,
			Records: []*authzRecord{w.absA.with(pCitizen, pEmployer), w.absC.with(pEmployer), w.absB.with(pSeasonal)},
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				body, ct := authzUploadBody(r.ID, "Matrix")
				return authzReq{Method: "POST", Path: "/api/v1/documents", Body: body, ContentType: ct}
			}}},
		"GET /api/v1/documents/{id}": {{Kind: kindRecord, Records: docs,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq { return get("/api/v1/documents/" + r.ID) }}},
		"GET /api/v1/documents/{id}/download": {{Kind: kindRecord, Records: docs,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return authzReq{Method: "GET", Path: "/api/v1/documents/" + r.ID + "/download", Accept: "application/json"}
			}}},
		// Reminders (operators).
		"GET /api/v1/reminders/status": {{Kind: kindRole, Allowed: []string{pAdmin},
			Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/api/v1/reminders/status") }}},
		"POST /api/v1/reminders/rebuild": {{Kind: kindRole, Write: true, Allowed: []string{pAdmin},
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return authzReq{Method: "POST", Path: "/api/v1/reminders/rebuild"}
			}}},
		// Waiting function (prepared blankets, the sender's inbox).
		"POST /api/v1/prepared": {
			{Kind: kindRole, Write: true, Allowed: senders, OwnOK: []int{400, 422},
				Req: func(_ *authzWorld, _ *authzRecord, p string) authzReq {
					return jsonReq("POST", "/api/v1/prepared", map[string]any{"type": authzBlanketOf(p), "data": map[string]any{},
						"dueDate": time.Now().AddDate(0, 0, 3).Format(time.DateOnly)})
				}},
			{Name: "a case system's event type prepared by a sender", Kind: kindAttack, Run: attackPrepareCaseEvent},
		},
		"GET /api/v1/prepared": {{Kind: kindRole, Allowed: senders,
			Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/api/v1/prepared") }}},
		"GET /api/v1/prepared/{id}": {{Kind: kindRecord, Records: preps,
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq { return get("/api/v1/prepared/" + r.ID) }}},
		"PUT /api/v1/prepared/{id}": {{Kind: kindRecord, Write: true, Records: preps, View: prepView, Fresh: freshPrep, OwnOK: []int{400, 409, 422},
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return jsonReq("PUT", "/api/v1/prepared/"+r.ID, map[string]any{"data": map[string]any{"contact": map[string]string{"name": "Matrix"}}})
			}}},
		"POST /api/v1/prepared/{id}/submit": {
			{Kind: kindRecord, Write: true, Records: preps, View: prepView, Fresh: freshPrep, OwnOK: []int{400, 409, 422},
				Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
					return authzReq{Method: "POST", Path: "/api/v1/prepared/" + r.ID + "/submit"}
				}},
			{Name: "a blanket in another employer's name, prepared and submitted", Kind: kindAttack, Run: attackSubmitForeignCVR},
		},
		"DELETE /api/v1/prepared/{id}": {{Kind: kindRecord, Write: true, Records: preps, View: prepView, Fresh: freshPrep, OwnOK: []int{409},
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return authzReq{Method: "DELETE", Path: "/api/v1/prepared/" + r.ID}
			}}},
		"GET /api/v1/inbox": {{Kind: kindRole, Allowed: senders,
			Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/api/v1/inbox") }}},
		"GET /api/v1/inbox/settings": {{Kind: kindRole, Allowed: senders,
			Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/api/v1/inbox/settings") }}},
		"PUT /api/v1/inbox/settings": {{Kind: kindRole, Write: true, Allowed: senders, OwnOK: []int{400},
			Req: func(*authzWorld, *authzRecord, string) authzReq {
				return jsonReq("PUT", "/api/v1/inbox/settings", map[string]string{"email": "matrix@example.dk", "phone": ""})
			}}},
		// Citizen (Mit Sygefravær).
		"GET /api/v1/citizen/absences": {{Kind: kindRole, Allowed: citizens,
			Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/api/v1/citizen/absences") }}},
		"GET /api/v1/citizen/absences/{id}":              {{Kind: kindRecord, Records: absCitizen, Req: cit("")}},
		"GET /api/v1/citizen/absences/{id}/tasks/{task}": {{Kind: kindRecord, Records: absCitizen, Req: cit("/tasks/comment")}},
		"GET /api/v1/citizen/absences/{id}/case-status":  {{Kind: kindRecord, Records: absCitizen, Req: cit("/case-status")}},
		// The owner asks for an answer that is not there: 404 no-receipt, unlike the hidden absence's not-found.
		"GET /api/v1/citizen/absences/{id}/receipts/{answer}": {{Kind: kindRecord, Records: absCitizen, Req: cit("/receipts/matrix-no-answer"), OwnOK: []int{404}}},
		"GET /api/v1/citizen/absences/{id}/information-form":  {{Kind: kindRecord, Records: absCitizen, Req: cit("/information-form")}},
		"GET /api/v1/citizen/absences/{id}/information-form/sections/{section}": {{Kind: kindRecord, Records: absCitizen,
			Req: cit("/information-form/sections/illness")}},
		"POST /api/v1/citizen/absences/{id}/legal-text":          citWrite("", "/legal-text", map[string]bool{"acknowledged": true}),
		"POST /api/v1/citizen/absences/{id}/tasks/{task}/answer": citWrite("", "/tasks/comment/answer", map[string]any{"agree": true}),
		"PUT /api/v1/citizen/absences/{id}/information-form/sections/{section}": {{Kind: kindRecord, Write: true, Records: absCitizen,
			OwnOK: []int{400, 409, 422},
			Req: func(_ *authzWorld, r *authzRecord, _ string) authzReq {
				return jsonReq("PUT", "/api/v1/citizen/absences/"+r.ID+"/information-form/sections/illness", map[string]any{"answers": map[string]any{}, "next": false})
			}}},
		"POST /api/v1/citizen/absences/{id}/information-form/submit": citWrite("", "/information-form/submit", map[string]any{}),
		"POST /api/v1/citizen/absences/{id}/partial-resumption":      citWrite("", "/partial-resumption", map[string]any{"weeks": []any{}}),
		"POST /api/v1/citizen/absences/{id}/documentation": {{Kind: kindRecord, Write: true, Records: absCitizen, OwnOK: []int{400, 409, 422},
			Req: func(w *authzWorld, r *authzRecord, _ string) authzReq {
				return jsonReq("POST", "/api/v1/citizen/absences/"+r.ID+"/documentation", map[string]string{"documentId": w.docA.ID, "reason": "Matrix"})
			}}},
		// Last of the citizen's writes in the table's order: it ends the absence.
		"POST /api/v1/citizen/absences/{id}/recovery": citWrite("", "/recovery", map[string]string{"lastAbsenceDay": yesterday}),
		// The browser app (portal) and what the runtime puts on its mux.
		"GET /":            {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/") }}},
		"GET /config.json": {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/config.json") }}},
		"GET /api/":        {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/api/nothing") }}},
		// An unknown API path answers 404, from the portal or the gateway.
		"POST /api/": {{Kind: kindInternal, Probe: authzReq{Method: "POST", Path: "/api/nothing", Body: "{}"}}},
		// The ledger's public checkpoints and inclusion proofs: hashes only.
		"GET /api/v1/ledger/checkpoints/latest": {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq {
			return get("/api/v1/ledger/checkpoints/latest")
		}}},
		"GET /api/v1/ledger/checkpoints/{id}": {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq {
			return get("/api/v1/ledger/checkpoints/1")
		}}},
		"GET /api/v1/ledger/proofs/{stream...}": {{Kind: kindPublic, Req: func(w *authzWorld, _ *authzRecord, _ string) authzReq {
			return get("/api/v1/ledger/proofs/" + w.absA.ID + "?entry=1")
		}}},
		"POST /auth/token": {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq {
			return authzReq{Method: "POST", Path: "/auth/token", Body: "code=matrix&code_verifier=matrix", ContentType: "application/x-www-form-urlencoded"}
		}}},
		"GET /healthz": {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/healthz") }}},
		"GET /readyz":  {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/readyz") }}},
		"GET /metrics": {{Kind: kindInternal, Probe: get("/metrics")}},
		// The Go profiler (PPROF=1) is mounted on the metrics listener only.
		"GET /debug/pprof/":        {{Kind: kindInternal, Probe: get("/debug/pprof/")}},
		"GET /debug/pprof/cmdline": {{Kind: kindInternal, Probe: get("/debug/pprof/cmdline")}},
		"GET /debug/pprof/profile": {{Kind: kindInternal, Probe: get("/debug/pprof/profile?seconds=1")}},
		"GET /debug/pprof/symbol":  {{Kind: kindInternal, Probe: get("/debug/pprof/symbol")}},
		"GET /debug/pprof/trace":   {{Kind: kindInternal, Probe: get("/debug/pprof/trace?seconds=1")}},
		"POST /{$}": {{Kind: kindInternal, Probe: authzReq{Method: "POST", Path: "/", ContentType: "application/cloudevents+json",
			Body: authzEvent(events.ProbeRequested, "/e2e/authz-matrix", "authz-portal", map[string]string{"note": "forged"})}}},
		// The development issuer (local stack only, public by design).
		"GET /dev-issuer/.well-known/openid-configuration": {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq {
			return get("/dev-issuer/.well-known/openid-configuration")
		}}},
		"GET /dev-issuer/jwks":      {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/dev-issuer/jwks") }}},
		"GET /dev-issuer/authorize": {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/dev-issuer/authorize") }}},
		"POST /dev-issuer/authorize": {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq {
			return authzReq{Method: "POST", Path: "/dev-issuer/authorize", Body: "id=matrix", ContentType: "application/x-www-form-urlencoded"}
		}}},
		"POST /dev-issuer/token": {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq {
			return authzReq{Method: "POST", Path: "/dev-issuer/token", Body: "grant_type=client_credentials", ContentType: "application/x-www-form-urlencoded"}
		}}},
		"GET /dev-issuer/{$}": {{Kind: kindPublic, Req: func(*authzWorld, *authzRecord, string) authzReq { return get("/dev-issuer/") }}},
		// The stand-ins of Digital Post and NemSMS: never on the public origin.
		"GET /_standins/digitalpost/healthz":          {{Kind: kindInternal, Probe: get("/_standins/digitalpost/healthz")}},
		"GET /_standins/digitalpost/memo/v1/received": {{Kind: kindInternal, Probe: get("/_standins/digitalpost/memo/v1/received")}},
		"POST /_standins/digitalpost/memo/v1/messages": {{Kind: kindInternal, Probe: authzReq{Method: "POST",
			Path: "/_standins/digitalpost/memo/v1/messages", Body: "{}"}}},
		"POST /_standins/digitalpost/print/v1/letters": {{Kind: kindInternal, Probe: authzReq{Method: "POST",
			Path: "/_standins/digitalpost/print/v1/letters", Body: "{}"}}},
		"GET /_standins/nemsms/nemsms/v1/received": {{Kind: kindInternal, Probe: get("/_standins/nemsms/nemsms/v1/received")}},
		"POST /_standins/nemsms/nemsms/v1/messages": {{Kind: kindInternal, Probe: authzReq{Method: "POST",
			Path: "/_standins/nemsms/nemsms/v1/messages", Body: "{}"}}},
	}
}

// authzBlanketOf is the sickness blanket persona p sends.
func authzBlanketOf(p string) string {
	switch p {
	case pSelf:
		return events.SicknessSelfEmployedReported
	case pAKasse:
		return events.SicknessAKasseReported
	}
	return events.SicknessEmployerReported
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// attackPrepareCaseEvent: a sender prepares a case system's event (a
// refusion decision on another tenant's absence) and submits it. Only
// blanket types a sender may send can be prepared.
func attackPrepareCaseEvent(w *authzWorld, p string) []string {
	if !contains(authzSenders, p) {
		return nil
	}
	target := w.absA
	if p == pEmployer || p == pPayroll {
		target = w.absB
	}
	d := map[string]any{"absenceId": target.ID, "recipient": target.Extra, "decisionId": "D-planted", "decidedOn": time.Now().Format(time.DateOnly),
		"outcome": "granted", "periods": []map[string]any{{"from": time.Now().AddDate(0, 0, -10).Format(time.DateOnly), "to": time.Now().Format(time.DateOnly), "amountOre": 99999900}}}
	b, _ := json.Marshal(map[string]any{"type": events.RefusionDecided, "data": d, "dueDate": time.Now().Format(time.DateOnly), "partitionKey": target.ID})
	r := w.do(p, authzReq{Method: "POST", Path: "/api/v1/prepared", Body: string(b)})
	if r.Status/100 != 2 {
		return nil
	}
	out := []string{fmt.Sprintf("a %s could be prepared (%d)", events.RefusionDecided, r.Status)}
	id, _ := r.json()["id"].(string)
	if s := w.do(p, authzReq{Method: "POST", Path: "/api/v1/prepared/" + id + "/submit"}); s.Status/100 == 2 {
		out = append(out, fmt.Sprintf("and submitted (%d): a decision planted on %s", s.Status, target.Label))
	}
	return out
}

// attackSubmitForeignCVR: a sender prepares a complete sickness report in
// another employer's name (that employer's CVR and employee) and submits it.
func attackSubmitForeignCVR(w *authzWorld, p string) []string {
	if !contains(authzSenders, p) {
		return nil
	}
	person := synth.PersonaEmployee // the demo employer's
	if p == pEmployer || p == pPayroll {
		person = synth.PersonaFailsMonthlyHours // the seasonal employer's
	}
	st, id, _ := w.prepare(p, events.SicknessEmployerReported, authzEmployerReport(person, 201.01), time.Now().Format(time.DateOnly))
	if st != http.StatusCreated {
		return nil
	}
	if s := w.do(p, authzReq{Method: "POST", Path: "/api/v1/prepared/" + id + "/submit"}); s.Status/100 == 2 {
		return []string{fmt.Sprintf("submitted a report in another employer's name (%d %s)", s.Status, authzShort(s.Body))}
	}
	return nil
}

// authzAnswerReceipt is the answer id of the citizen's documentation sent
// for absence A, once its receipt letter is written (made once, by the
// first attack that needs it).
var authzAnswerReceipt = struct {
	once     sync.Once
	id, fail string
}{}

// attackAnswerReceipt: the citizen sends the upload of absence A to the
// municipality, which gives a receipt letter (notify); every persona asks
// for it as PDF by the answer id. The citizen gets the PDF; everyone else,
// the proxy of another person too, gets exactly the answer of a missing
// receipt, never the PDF.
func attackAnswerReceipt(w *authzWorld, p string) []string {
	a := &authzAnswerReceipt
	a.once.Do(func() {
		r := w.do(pCitizen, jsonReq("POST", "/api/v1/citizen/absences/"+w.absA.ID+"/documentation", map[string]string{"documentId": w.docA.ID, "reason": "Matrix"}))
		rc, _ := r.json()["receipt"].(map[string]any)
		id, _ := rc["answerId"].(string)
		if r.Status/100 != 2 || id == "" {
			a.fail = fmt.Sprintf("setup: the citizen's documentation was not sent (%d %s)", r.Status, authzShort(r.Body))
			return
		}
		if !authzEventually(40*time.Second, func() bool {
			return w.do(pCitizen, get("/api/v1/receipts/"+id)).Status == http.StatusOK
		}) {
			a.fail = "setup: the citizen's answer receipt was never downloadable by the citizen"
			return
		}
		a.id = id
	})
	if a.fail != "" {
		if p == pCitizen {
			return []string{a.fail}
		}
		return nil
	}
	r := w.do(p, get("/api/v1/receipts/"+a.id))
	if p == pCitizen {
		if r.Status != http.StatusOK || r.Type != "application/pdf" || !strings.HasPrefix(r.Body, "%PDF-") {
			return []string{fmt.Sprintf("the citizen did not get their own answer receipt (%d %s)", r.Status, r.Type)}
		}
		return nil
	}
	var out []string
	if r.Status/100 == 2 || strings.Contains(r.Body, "%PDF-") {
		out = append(out, fmt.Sprintf("got the citizen's answer receipt (%d %s)", r.Status, r.Type))
	}
	if missing := w.do(p, get("/api/v1/receipts/"+uuid.NewString())); r.Status != missing.Status || r.Body != missing.Body {
		out = append(out, fmt.Sprintf("the citizen's answer receipt answers %d %s, a missing one %d %s: it tells that the receipt exists",
			r.Status, authzShort(r.Body), missing.Status, authzShort(missing.Body)))
	}
	return out
}

func authzShort(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
