package notify

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// senderRoles are the logins a receipt is issued to: the company (or
// self-employed person, or a-kasse) by CVR, and a payroll system acting
// for it.
var senderRoles = []auth.Role{auth.RoleEmployer, auth.RoleAKasse, auth.RoleSelfEmployed, auth.RolePayrollSystem}

// receipt serves GET /api/v1/receipts/{receipt}: the PDF of the sender's
// receipt letter for that receipt number, kept in the letters bucket, so
// the sender can keep and reconcile it (executive order § 1 stk. 3).
//
// Only the tenant the receipt went to (the same CVR) gets it. Every other
// caller, and every unknown receipt, gets the same 404, so the answer
// never tells whether a receipt number exists; each refusal is recorded in
// the ledger (auth.LogDenial), as other routes record theirs.
func (h *handler) receipt(w http.ResponseWriter, r *http.Request) {
	p, _ := auth.FromContext(r.Context())
	ref := r.PathValue("receipt")
	hide := func() {
		if err := auth.LogDenial(r.Context(), h.svc.DB, p, r, "receipts/"+ref, "tenant"); err != nil {
			runtime.WriteError(w, err)
			return
		}
		auth.WriteNotFound(w)
	}
	cvr, ok := tenantCVR(p)
	if !ok || ref == "" || len(ref) > 64 {
		hide()
		return
	}
	var key string
	err := h.svc.DB.QueryRow(r.Context(), `SELECT pdf_key FROM letters
		WHERE kind = $1 AND status = 'sent' AND reference = $2 AND recipient_cvr = $3 AND pdf_key <> ''
		ORDER BY created_at DESC LIMIT 1`, events.LetterSenderReceipt, ref, cvr).Scan(&key)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		hide()
		return
	case err != nil:
		runtime.WriteError(w, unavailable("db", err))
		return
	}
	rc, obj, err := h.d.Store.Get(r.Context(), h.d.Bucket, key)
	if err != nil {
		runtime.WriteError(w, unavailable("s3", err))
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="kvittering-%s.pdf"`, safeName(ref)))
	w.Header().Set("Cache-Control", "private, no-store")
	if obj.Size > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(obj.Size, 10))
	}
	if _, err := io.Copy(w, rc); err != nil {
		runtime.Logger(r.Context()).WarnContext(r.Context(), "receipt download cut short", "err", err.Error())
	}
}

// tenantCVR is the CVR a sender login works for ("cvr:<cvr>" tenants).
func tenantCVR(p auth.Principal) (string, bool) {
	if !p.Is(senderRoles...) {
		return "", false
	}
	t := p.Tenant()
	if len(t) != len("cvr:")+8 || t[:4] != "cvr:" {
		return "", false
	}
	return t[4:], true
}

// safeName keeps letters, digits and dashes of a receipt number for the
// file name.
func safeName(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' {
			b = append(b, c)
		}
	}
	return string(b)
}
