package documents_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"strconv"

	"nemrefusion.dk/infra/clamav"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// samplePDF is a small, valid PDF.
func samplePDF() []byte {
	return []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
		"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
}

// samplePNG is a real 8x8 PNG made at test time.
func samplePNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// infectedPDF is a well-formed PDF carrying the EICAR test file in a
// stream, built at test time.
func infectedPDF() []byte {
	e := clamav.EICAR()
	return append(append([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"+
		"3 0 obj<</Length "+strconv.Itoa(len(e))+">>stream\n"), e...), []byte("\nendstream\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")...)
}

// elf is the start of a Linux executable.
func elf() []byte {
	return append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0}, bytes.Repeat([]byte{0}, 200)...)
}
