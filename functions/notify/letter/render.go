package letter

import (
	"bytes"
	"fmt"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Render makes an A4 PDF of l with the Go fonts (TrueType, embedded as
// subsets, so æ, ø and å print on any reader). The same letter renders to
// the same bytes: the PDF dates are the letter's date.
func Render(l Letter) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetCreationDate(l.Date)
	pdf.SetModificationDate(l.Date)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(l.Title, true)
	pdf.SetAuthor(l.Sender, true)
	pdf.SetCreator("NemRefusion", true)
	pdf.SetProducer("NemRefusion", true)
	pdf.SetLang(l.Language)
	pdf.SetMargins(25, 20, 25)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AddPage()

	pdf.SetFont("go", "B", 12)
	pdf.CellFormat(0, 6, l.Sender, "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	pdf.CellFormat(0, 5, l.SenderCVRLine(), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 5, l.DateLine(), "", 1, "R", false, 0, "")
	pdf.CellFormat(0, 5, l.ReferenceLine(), "", 1, "R", false, 0, "")
	pdf.Ln(6)
	for _, line := range l.Recipient {
		pdf.CellFormat(0, 5, line, "", 1, "L", false, 0, "")
	}
	pdf.Ln(10)
	pdf.SetFont("go", "B", 15)
	pdf.MultiCell(0, 7, l.Title, "", "L", false)
	pdf.Ln(4)
	pdf.SetFont("go", "", 11)
	for _, p := range l.Paragraphs {
		pdf.MultiCell(0, 5.5, p, "", "L", false)
		pdf.Ln(3)
	}
	pdf.Ln(6)
	pdf.SetFont("go", "B", 11)
	pdf.MultiCell(0, 5.5, l.Sender, "", "L", false)
	pdf.Ln(8)
	pdf.SetFont("go", "", 9)
	pdf.SetTextColor(80, 80, 80)
	pdf.MultiCell(0, 4.5, l.Footer, "T", "L", false)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("letter: render PDF: %w", err)
	}
	return buf.Bytes(), nil
}
