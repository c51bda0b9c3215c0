package pdftest_test

import (
	"fmt"
	"strings"
	"testing"

	"nemrefusion.dk/infra/pdftest"
)

// minimalPDF is a one-page PDF showing text in Helvetica, with a correct
// cross-reference table.
func minimalPDF(text string) []byte {
	stream := fmt.Sprintf("BT /F1 12 Tf 72 720 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b strings.Builder
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return []byte(b.String())
}

// Text reads back what a PDF says, runs of white space made one space.
func TestTextReadsThePDF(t *testing.T) {
	if got := pdftest.Text(t, minimalPDF("Kvittering    NR-2026-0001")); got != "Kvittering NR-2026-0001" {
		t.Fatalf("text %q", got)
	}
}

// PDFAProblems finds each missing part of a tagged PDF/A in a plain PDF.
func TestPDFAProblemsOfAPlainPDF(t *testing.T) {
	got := strings.Join(pdftest.PDFAProblems(t, minimalPDF("Kvittering")), "\n")
	for _, want := range []string{"trailer has no /ID", "XMP metadata lacks <pdfaid:part>2</pdfaid:part>", "XMP metadata lacks <dc:language>",
		"no GTS_PDFA1 OutputIntent", "MarkInfo", "/Lang", "DisplayDocTitle", "/Helvetica is not embedded", "no StructTreeRoot",
		"1 of 1 text operators are not in marked content"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}
