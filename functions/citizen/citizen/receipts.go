package citizen

import (
	"encoding/json"
	"net/http"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// The receipt of one answer with what was sent (seeds/003: "Når opgaven er
// udført, vil der … ligge en kopi af indsendelsen (kvittering)").

func (f *Function) registerReceipts() {
	f.svc.Mux.Handle("GET /api/v1/citizen/absences/{id}/receipts/{answer}", auth.Require(f.v)(f.persons(f.getReceipt)))
}

// receiptDetail is a receipt and the answer as it was sent.
type receiptDetail struct {
	Receipt receiptView     `json:"receipt"`
	Answer  json.RawMessage `json:"answer"`
}

var errNoReceipt = runtime.Fail(runtime.KindNotFound, "no-receipt", "Kvitteringen findes ikke.", "The receipt does not exist.", nil)

// getReceipt answers GET …/absences/{id}/receipts/{answer} for the
// person's own absence (a foreign or missing absence: 404, as a missing
// receipt).
func (f *Function) getReceipt(w http.ResponseWriter, r *http.Request) {
	a, ok := f.readAbsence(w, r)
	if !ok {
		return
	}
	list, err := answersOf(r.Context(), f.svc.DB, a.ID)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	for _, s := range list {
		if s.ID == r.PathValue("answer") {
			runtime.WriteJSON(w, http.StatusOK, receiptDetail{Receipt: viewReceipt(a, s), Answer: s.Body})
			return
		}
	}
	f.writeErr(w, r, errNoReceipt)
}
