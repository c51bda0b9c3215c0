package audit

import (
	"errors"
	"net/http"
	"strconv"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// registerProofs adds the public routes that let anyone check the ledger
// from outside without seeing it:
//
//	GET /api/v1/ledger/checkpoints/latest   the newest signed checkpoint
//	GET /api/v1/ledger/checkpoints/{id}     one checkpoint (to follow prevDigest)
//	GET /api/v1/ledger/proofs/{stream}?entry=N
//	                                        the inclusion proof of entry N
//
// They need no login: a checkpoint is a Merkle root, a signature and a
// count, a proof is hashes (content digests and the audit path), never an
// entry's fields or payload. Verify them with the signer's public key,
// obtained out of band (ledger.ProofJSON, nrctl ledger verify-proof). A
// proof does tell whoever knows a stream's name that the stream has at
// least N entries; stream names are absence ids (random) or derived names
// (reads/<absence>, company-<cvr>).
func registerProofs(svc *runtime.Service) {
	svc.Mux.HandleFunc("GET /api/v1/ledger/checkpoints/latest", func(w http.ResponseWriter, r *http.Request) {
		c, ok, err := ledger.LastCheckpoint(r.Context(), svc.DB)
		if err != nil {
			runtime.WriteError(w, err)
			return
		}
		if !ok {
			writeNotFound(w, "no-checkpoint", "Der er endnu ikke underskrevet noget kontrolpunkt.", "No checkpoint has been signed yet.")
			return
		}
		writePublic(w, c.JSON())
	})
	svc.Mux.HandleFunc("GET /api/v1/ledger/checkpoints/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id < 1 {
			runtime.WriteError(w, runtime.Invalid(events.FieldErrors{{Field: "id", Code: "format", Da: "id skal være et positivt heltal.", En: "id must be a positive integer."}}))
			return
		}
		c, ok, err := ledger.CheckpointByID(r.Context(), svc.DB, id)
		if err != nil {
			runtime.WriteError(w, err)
			return
		}
		if !ok {
			writeNotFound(w, "not-found", "Kontrolpunktet findes ikke.", "The checkpoint does not exist.")
			return
		}
		writePublic(w, c.JSON())
	})
	svc.Mux.HandleFunc("GET /api/v1/ledger/proofs/{stream...}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.ParseInt(r.URL.Query().Get("entry"), 10, 64)
		if err != nil || n < 1 {
			runtime.WriteError(w, runtime.Invalid(events.FieldErrors{{Field: "entry", Code: "format", Da: "entry skal være et positivt heltal (postens nummer i strømmen).", En: "entry must be a positive integer (the entry's number in its stream)."}}))
			return
		}
		p, err := ledger.ProveEntry(r.Context(), svc.DB, r.PathValue("stream"), n)
		switch {
		case errors.Is(err, ledger.ErrNoEntry):
			writeNotFound(w, "not-found", "Posten findes ikke.", "The entry does not exist.")
		case errors.Is(err, ledger.ErrNotSignedYet):
			writeNotFound(w, "not-signed-yet", "Posten er ikke underskrevet af et kontrolpunkt endnu. Prøv igen om lidt.", "The entry is not signed by a checkpoint yet. Try again shortly.")
		case err != nil:
			runtime.WriteError(w, err)
		default:
			writePublic(w, p.JSON())
		}
	})
}

func writePublic(w http.ResponseWriter, v any) {
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	runtime.WriteJSON(w, http.StatusOK, v)
}

func writeNotFound(w http.ResponseWriter, code, da, en string) {
	runtime.WriteError(w, runtime.Fail(runtime.KindNotFound, code, da, en, nil))
}
