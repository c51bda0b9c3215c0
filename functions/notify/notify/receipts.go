package notify

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// senderRoles are the logins a receipt is issued to: the company (or
// self-employed person, or a-kasse) by CVR, and a payroll system acting
// for it.
var senderRoles = []auth.Role{auth.RoleEmployer, auth.RoleAKasse, auth.RoleSelfEmployed, auth.RolePayrollSystem}

// personRoles are the logins a citizen's answer receipt is issued to: the
// sick person, and a proxy holding their power of attorney (who may read
// the person's receipts in Mit Sygefravær too, functions/citizen).
var personRoles = []auth.Role{auth.RoleCitizen, auth.RoleProxy}

// receipt serves GET /api/v1/receipts/{receipt}: the PDF of a receipt
// letter kept in the letters bucket. For a sender (by receipt number) its
// receipt letter, so it can keep and reconcile it (executive order § 1
// stk. 3); for a person (by answer id) the receipt letter of their answer
// in Mit Sygefravær, which holds what was sent (seeds/003: "en kopi af
// indsendelsen (kvittering)").
//
// Only the recipient gets it: the tenant the sender receipt went to (the
// same CVR), or the person the answer receipt went to (their own CPR, or
// the CPR a proxy acts for; a proxy's read is in the ledger). Every other
// caller, and every unknown receipt, gets the same 404, so the answer
// never tells whether a receipt exists; each refusal is recorded in the
// ledger (auth.LogDenial), as other routes record theirs.
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
	kind, cvr, cpr, ok := receiptOwner(p)
	if !ok || ref == "" || len(ref) > 64 {
		hide()
		return
	}
	var key string
	err := h.svc.DB.QueryRow(r.Context(), `SELECT pdf_key FROM letters
		WHERE kind = $1 AND status = 'sent' AND reference = $2 AND recipient_cvr = $3 AND recipient_cpr = $4 AND pdf_key <> ''
		ORDER BY created_at DESC LIMIT 1`, kind, ref, cvr, cpr).Scan(&key)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		hide()
		return
	case err != nil:
		runtime.WriteError(w, unavailable("db", err))
		return
	}
	if p.Role == auth.RoleProxy {
		// Someone else than the person reads their personal data.
		if _, err := ledger.Append(r.Context(), h.svc.DB, auth.ReadEntry(p, r, "receipts/"+ref)); err != nil {
			runtime.WriteError(w, unavailable("ledger", err))
			return
		}
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

// receiptOwner is the kind of receipt letter p may download and whose it
// must be: a sender login the sender receipts of its CVR, a person login
// the answer receipts of the person (their own CPR, or the one a proxy
// acts for). ok is false for every other login.
func receiptOwner(p auth.Principal) (kind, cvr, cpr string, ok bool) {
	if cvr, ok := tenantCVR(p); ok {
		return events.LetterSenderReceipt, cvr, "", true
	}
	if cpr, ok := personCPR(p); ok {
		return events.LetterAnswerReceipt, "", cpr, true
	}
	return "", "", "", false
}

// personCPR is the CPR a person login sees ("cpr:<cpr>" tenants): the
// citizen's own, or the one a proxy holds a power of attorney for.
func personCPR(p auth.Principal) (string, bool) {
	if !p.Is(personRoles...) {
		return "", false
	}
	c, err := ids.ParseCPR(strings.TrimPrefix(p.Tenant(), "cpr:"))
	if err != nil || !p.CanSeeCPR(c) {
		return "", false
	}
	return c.String(), true
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

// safeName keeps letters, digits and dashes of a receipt number (or an
// answer id) for the file name.
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
