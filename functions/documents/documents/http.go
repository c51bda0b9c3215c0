package documents

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/clamav"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// Allowed are the content types accepted, decided from the whole file by
// Detect (the signature, then the structure of the type it names), never
// from the file name or the declared type.
var Allowed = map[string]bool{"application/pdf": true, "image/gif": true, "image/png": true, "image/jpeg": true}

// View is what GET /api/v1/documents/{id} and the upload answer show.
type View struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	Title       string     `json:"title"`
	Filename    string     `json:"filename"`
	ContentType string     `json:"contentType"`
	Size        int64      `json:"size"`
	AbsenceID   string     `json:"absenceId,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	UploadedAt  time.Time  `json:"uploadedAt"`
	DecidedAt   *time.Time `json:"decidedAt,omitempty"`
	// Da and En explain the status to the uploader.
	Da string `json:"da"`
	En string `json:"en"`
}

func view(d Document) View {
	v := View{ID: d.ID, Status: d.Status, Title: d.Title, Filename: d.Filename, ContentType: d.ContentType, Size: d.Size,
		AbsenceID: d.AbsenceID, Reason: d.Reason, UploadedAt: d.UploadedAt, DecidedAt: d.DecidedAt}
	switch {
	case d.Status == StatusAccepted:
		v.Da, v.En = "Dokumentet er modtaget og scannet for virus.", "The document has been received and scanned for viruses."
	case d.Status == StatusAwaitingScan:
		v.Da = "Dokumentet afventer virusscanning. Det sendes først videre, når scanningen er gennemført."
		v.En = "The document is awaiting a virus scan. It is passed on only when the scan is complete."
	case d.Reason == events.DocumentInfected:
		// Seed 003, "Virus-scanning i Mit Sygefravær".
		v.Da = "Mit Sygefravær kan desværre ikke sende dit dokument til kommunen, da det tilsyneladende er inficeret med virus. Du bedes derfor sende oplysningerne til kommunen på anden vis, fx med fysisk post."
		v.En = "Unfortunately, Mit Sygefravær cannot send your document to the municipality, as it appears to be infected with a virus. Please send the information to the municipality another way, for example by post."
	default:
		v.Da, v.En = "Dokumentet er for stort til at blive scannet for virus og er afvist.", "The document is too large to be scanned for viruses and was rejected."
	}
	return v
}

// upload handles POST /api/v1/documents: multipart/form-data with the file
// in "file", a "title" and optionally "absenceId". It answers 201 with the
// View once the scan is done (accepted or rejected), or 202 with status
// awaiting-scan when clamd could not be reached; 404 (logged, nothing
// stored) for an absence the uploader is not party to or that does not
// exist; 413 for a file over the limit, 415 for a type that is not pdf,
// gif, png or jpeg.
func (f *Function) upload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, _ := auth.FromContext(ctx)
	max := f.d.Config.MaxBytes
	r.Body = http.MaxBytesReader(w, r.Body, max+64<<10) // the form's other fields and headers
	mr, err := r.MultipartReader()
	if err != nil {
		runtime.WriteError(w, runtime.Fail(runtime.KindInvalid, "not-multipart", "Send dokumentet som multipart/form-data.", "Send the document as multipart/form-data.", err))
		return
	}
	var title, absence, filename string
	var body []byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeReadError(w, err, max)
			return
		}
		switch part.FormName() {
		case "title":
			title, err = formValue(part, 400)
		case "absenceId":
			absence, err = formValue(part, 200)
		case "file":
			filename = part.FileName()
			body, err = io.ReadAll(io.LimitReader(part, max+1))
			if err == nil && int64(len(body)) > max {
				writeTooLarge(w, max)
				return
			}
		}
		part.Close()
		if err != nil {
			writeReadError(w, err, max)
			return
		}
	}
	var fe events.FieldErrors
	title = strings.TrimSpace(title)
	if title == "" {
		fe.Add("title", "required", "Skriv en titel på dokumentet.", "Enter a title for the document.")
	} else if utf8.RuneCountInString(title) > 200 {
		fe.Add("title", "max-length", "Skriv højst 200 tegn.", "Enter at most 200 characters.")
	}
	if len(body) == 0 {
		fe.Add("file", "required", "Vælg en fil.", "Choose a file.")
	}
	if len(absence) > 100 {
		fe.Add("absenceId", "max-length", "Skriv højst 100 tegn.", "Enter at most 100 characters.")
	}
	if len(fe) > 0 {
		runtime.WriteError(w, fe)
		return
	}
	absence = strings.TrimSpace(absence)
	if absence != "" {
		// Only a party to the absence may attach a document to it; any
		// other absence is answered as one that does not exist.
		if err := f.checkAbsence(r, p, absence); err != nil {
			runtime.WriteError(w, err)
			return
		}
	}
	ct, err := Detect(body)
	if err != nil || !Allowed[ct] {
		runtime.Logger(ctx).InfoContext(ctx, "upload refused: not a well-formed allowed type", "err", err)
		runtime.WriteJSON(w, http.StatusUnsupportedMediaType, runtime.Problem{Status: http.StatusUnsupportedMediaType, Code: "type-not-allowed",
			Da: "Filen skal være af typen pdf, GIF, PNG eller JPEG.", En: "The file must be a pdf, GIF, PNG or JPEG file."})
		return
	}
	id, err := uuid.NewV7()
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	sum := sha256.Sum256(body)
	if filename == "" {
		filename = "dokument"
	}
	d := Document{ID: id.String(), Tenant: p.Tenant(), Uploader: p.Subject, Role: string(p.Role), Title: title, AbsenceID: absence,
		Filename: cleanName(filename), ContentType: ct, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:]),
		Status: StatusAwaitingScan, UploadedAt: time.Now().UTC().Truncate(time.Microsecond)}
	actor := ledger.Entry{Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf()}
	if err := f.quarantine(ctx, d, body, actor); err != nil {
		runtime.WriteError(w, err)
		return
	}
	d, err = f.process(ctx, d, bytes.NewReader(body))
	switch {
	case errors.Is(err, clamav.ErrUnavailable):
		runtime.Logger(ctx).WarnContext(ctx, "clamd unavailable; document stays in quarantine", "document_id", d.ID, "err", err.Error())
		runtime.WriteJSON(w, http.StatusAccepted, view(d))
	case err != nil:
		// The file is safe in quarantine and the rescan will finish it.
		runtime.Logger(ctx).ErrorContext(ctx, "document scan incomplete", "document_id", d.ID, "err", err.Error())
		runtime.WriteJSON(w, http.StatusAccepted, view(d))
	default:
		runtime.WriteJSON(w, http.StatusCreated, view(d))
	}
}

func formValue(r io.Reader, max int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return "", err
	}
	if int64(len(b)) > max || !utf8.Valid(b) {
		return "", errors.New("form field too long or not UTF-8")
	}
	return string(b), nil
}

func writeTooLarge(w http.ResponseWriter, max int64) {
	mib := max >> 20
	runtime.WriteJSON(w, http.StatusRequestEntityTooLarge, runtime.Problem{Status: http.StatusRequestEntityTooLarge, Code: "too-large",
		Da: "Filen er for stor. Den må højst fylde " + itoa(mib) + " MB.", En: "The file is too large. It may be at most " + itoa(mib) + " MB."})
}

func writeReadError(w http.ResponseWriter, err error, max int64) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		writeTooLarge(w, max)
		return
	}
	runtime.WriteError(w, runtime.Fail(runtime.KindInvalid, "bad-form", "Formularen kunne ikke læses.", "The form could not be read.", err))
}

func itoa(n int64) string {
	if n <= 0 {
		return "1"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// cleanName keeps the base name of an uploaded file, without control
// characters, at most 200 characters.
func cleanName(n string) string {
	if i := strings.LastIndexAny(n, `/\`); i >= 0 {
		n = n[i+1:]
	}
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, n)
	if r := []rune(n); len(r) > 200 {
		n = string(r[:200])
	}
	if n == "" {
		return "dokument"
	}
	return n
}

// find loads the document of the request and checks access; a document
// that does not exist and one the caller may not see answer the same 404.
func (f *Function) find(w http.ResponseWriter, r *http.Request) (Document, auth.Principal, bool) {
	ctx := r.Context()
	p, _ := auth.FromContext(ctx)
	id := r.PathValue("id")
	notFound := runtime.Fail(runtime.KindNotFound, "not-found", "Dokumentet findes ikke.", "The document does not exist.", nil)
	if _, err := uuid.Parse(id); err != nil {
		runtime.WriteError(w, notFound)
		return Document{}, p, false
	}
	d, err := f.Load(ctx, id)
	if errors.Is(err, ErrNotFound) {
		runtime.WriteError(w, notFound)
		return d, p, false
	}
	if err != nil {
		runtime.WriteError(w, err)
		return d, p, false
	}
	var granted []ids.Recipient
	if p.Tenant() == "" || p.Tenant() != d.Tenant {
		if granted, err = f.recipients(ctx, d.ID); err != nil {
			runtime.WriteError(w, err)
			return d, p, false
		}
	}
	if !authorize(p, d, granted) {
		if err := auth.LogDenial(ctx, f.svc.DB, p, r, "document:"+d.ID, "tenant"); err != nil {
			runtime.WriteError(w, err)
			return d, p, false
		}
		runtime.WriteError(w, notFound)
		return d, p, false
	}
	return d, p, true
}

// status handles GET /api/v1/documents/{id}.
func (f *Function) status(w http.ResponseWriter, r *http.Request) {
	d, _, ok := f.find(w, r)
	if !ok {
		return
	}
	runtime.WriteJSON(w, http.StatusOK, view(d))
}

// Link is the JSON answer of a download.
type Link struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// download handles GET /api/v1/documents/{id}/download: for an accepted
// document, a presigned URL valid for URLTTL, as a 303 redirect or, when
// the client accepts JSON, as a Link. The read is recorded in the ledger,
// whoever reads (the uploader's tenant or a granted recipient's caseworker).
func (f *Function) download(w http.ResponseWriter, r *http.Request) {
	d, p, ok := f.find(w, r)
	if !ok {
		return
	}
	if d.Status != StatusAccepted {
		code, da, en := "not-released", "Dokumentet er ikke frigivet: det afventer virusscanning.", "The document is not released: it is awaiting a virus scan."
		if d.Status == StatusRejected {
			code, da, en = "rejected", "Dokumentet blev afvist og er slettet.", "The document was rejected and has been deleted."
		}
		runtime.WriteError(w, runtime.Fail(runtime.KindConflict, code, da, en, nil))
		return
	}
	ctx := r.Context()
	if _, err := ledger.Append(ctx, f.svc.DB, auth.ReadEntry(p, r, d.stream())); err != nil {
		runtime.WriteError(w, err)
		return
	}
	ttl := f.d.Config.URLTTL
	u, err := f.d.Store.Presign(ctx, f.d.Documents, d.ID, ttl, d.Filename)
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		runtime.WriteJSON(w, http.StatusOK, Link{URL: u, ExpiresAt: time.Now().Add(ttl).UTC()})
		return
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}
