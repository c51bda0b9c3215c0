package letter

import (
	"bytes"
	"fmt"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Render makes an A4 PDF/A-2a of l with the Go fonts (TrueType, embedded as
// subsets, so æ, ø and å print on any reader): tagged for screen readers
// (a structure tree of Document, H1, P and L in reading order, every text
// run in marked content, the footer's rule an artifact), with the
// letter's language, XMP metadata and an sRGB output intent. The same
// letter renders to the same bytes: the PDF dates are the letter's date and
// the file ID is a hash of the content.
//
// fpdf writes the page content (with the marked content this file adds
// through RawWriteStr), fonts, XMP and output intent; it has no structure
// tree, no trailer ID and no subset tags, so pdfa.go finishes the file.
func Render(l Letter) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	date := l.Date.UTC()
	pdf.SetCreationDate(date)
	pdf.SetModificationDate(date)
	pdf.SetCatalogSort(true)
	pdf.SetTitle(l.Title, true)
	pdf.SetAuthor(l.Sender, true)
	pdf.SetCreator(pdfCreator, true)
	pdf.SetProducer(pdfProducer, true)
	pdf.SetLang(l.Language)
	pdf.SetXmpMetadata(xmp(l, date))
	pdf.AddOutputIntent(fpdf.OutputIntentType{
		SubtypeIdent:              fpdf.OutputIntent_GTS_PDFA1,
		OutputConditionIdentifier: "sRGB IEC61966-2.1",
		Info:                      "sRGB IEC61966-2.1",
		ICCProfile:                srgbICC,
	})
	pdf.SetMargins(25, 20, 25)
	pdf.SetAutoPageBreak(true, 20)
	t := newTagger(pdf)
	pdf.AddPage()

	line := func(n *node, h float64, s, align string) {
		t.mark(n, func() { pdf.CellFormat(0, h, s, "", 1, align, false, 0, "") })
	}
	block := func(n *node, h float64, s string) {
		t.mark(n, func() { pdf.MultiCell(0, h, s, "", "L", false) })
	}

	pdf.SetFont("go", "B", 12)
	line(t.add(t.doc, "P"), 6, l.Sender, "L")
	pdf.SetFont("go", "", 10)
	line(t.add(t.doc, "P"), 5, l.SenderCVRLine(), "L")
	line(t.add(t.doc, "P"), 5, l.DateLine(), "R")
	line(t.add(t.doc, "P"), 5, l.ReferenceLine(), "R")
	pdf.Ln(6)
	// The address is one paragraph of lines.
	addr := t.add(t.doc, "P")
	for _, s := range l.Recipient {
		line(addr, 5, s, "L")
	}
	pdf.Ln(10)
	pdf.SetFont("go", "B", 15)
	block(t.add(t.doc, "H1"), 7, l.Title)
	pdf.Ln(4)
	pdf.SetFont("go", "", 11)
	for _, p := range l.Paragraphs {
		intro, items := listOf(p)
		if intro != "" {
			block(t.add(t.doc, "P"), 5.5, intro)
		}
		if len(items) > 0 {
			list := t.add(t.doc, "L")
			for _, it := range items {
				block(t.add(t.add(list, "LI"), "LBody"), 5.5, it)
			}
		}
		pdf.Ln(3)
	}
	pdf.Ln(6)
	pdf.SetFont("go", "B", 11)
	block(t.add(t.doc, "P"), 5.5, l.Sender)
	pdf.Ln(8)
	pdf.SetFont("go", "", 9)
	pdf.SetTextColor(80, 80, 80)
	// The rule above the footer is decoration: an artifact, not content.
	t.artifact(func() {
		pdf.SetDrawColor(80, 80, 80)
		y := pdf.GetY()
		left, _, right, _ := pdf.GetMargins()
		w, _ := pdf.GetPageSize()
		pdf.Line(left, y, w-right, y)
	})
	block(t.add(t.doc, "P"), 4.5, l.Footer)

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("letter: render PDF: %w", err)
	}
	out, err := finishPDFA(buf.Bytes(), t)
	if err != nil {
		return nil, fmt.Errorf("letter: render PDF: %w", err)
	}
	return out, nil
}

// listOf splits a paragraph whose lines after the first start with "– "
// (a receipt's reasons) into its intro and the list items; any other
// paragraph is all intro.
func listOf(p string) (intro string, items []string) {
	lines := strings.Split(p, "\n")
	var head []string
	for _, s := range lines {
		if strings.HasPrefix(s, "– ") && len(head) > 0 {
			items = append(items, s)
			continue
		}
		if len(items) > 0 { // text after the list: not a plain list paragraph
			return p, nil
		}
		head = append(head, s)
	}
	return strings.Join(head, "\n"), items
}
