package documents_test

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"runtime"
	"testing"

	"nemrefusion.dk/functions/documents/documents"
	"nemrefusion.dk/infra/devissuer"
)

// buildPDF makes a well-formed PDF (cross-reference table, startxref) of
// the objects given (each "<<...>>" or "<<...>>\nstream\n...\nendstream").
func buildPDF(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

func deflate(b []byte) []byte {
	var out bytes.Buffer
	w, _ := zlib.NewWriterLevel(&out, zlib.BestCompression)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Bytes()
}

func flateStream(dict string, data []byte) string {
	return fmt.Sprintf("<<%s/Filter/FlateDecode/Length %d>>\nstream\n%s\nendstream", dict, len(data), data)
}

// goodPDF is a one-page PDF with a compressed content stream.
func goodPDF() []byte {
	content := deflate([]byte("BT /F1 12 Tf 72 720 Td (Lonseddel september) Tj ET"))
	return buildPDF("<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[3 0 R]/Count 1>>",
		"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>", flateStream("", content))
}

// flateBomb is 100 MB of zeros compressed to about 100 KB.
func flateBomb() []byte {
	var out bytes.Buffer
	w, _ := zlib.NewWriterLevel(&out, zlib.BestCompression)
	zero := make([]byte, 1<<20)
	for range 100 {
		_, _ = w.Write(zero)
	}
	_ = w.Close()
	return out.Bytes()
}

func zipOf(name, content string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	f, _ := zw.Create(name)
	_, _ = f.Write([]byte(content))
	_ = zw.Close()
	return b.Bytes()
}

func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

func sampleJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	img.Set(3, 3, color.RGBA{G: 200, A: 255})
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, nil)
	return b.Bytes()
}

// The allowed types, well formed, are detected as themselves.
func TestDetectAcceptsWellFormedFiles(t *testing.T) {
	t.Parallel()
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
	for name, tc := range map[string]struct {
		b    []byte
		want string
	}{
		"pdf with xref and a compressed page":  {goodPDF(), "application/pdf"},
		"minimal pdf":                          {samplePDF(), "application/pdf"},
		"pdf carrying EICAR (for the scanner)": {infectedPDF(), "application/pdf"},
		"png":                                  {samplePNG(), "image/png"},
		"gif":                                  {gif, "image/gif"},
		"jpeg":                                 {sampleJPEG(), "image/jpeg"},
	} {
		if ct, err := documents.Detect(tc.b); err != nil || ct != tc.want {
			t.Errorf("%s: %q %v, want %s", name, ct, err, tc.want)
		}
	}
}

// Finding (issue 16): "upload type detection reads only the first bytes
// (polyglots [...] passed as clean PDFs)". A file that starts like an
// allowed type but is also (or is really) something else is refused.
func TestDetectRefusesPolyglots(t *testing.T) {
	t.Parallel()
	pdf := goodPDF()
	png := samplePNG()
	for name, b := range map[string][]byte{
		"pdf then a zip":                 append(append([]byte{}, pdf...), zipOf("evil.js", "alert(1)")...),
		"pdf, zip, then %%EOF again":     append(append(append([]byte{}, pdf...), zipOf("a.txt", "x")...), "\n%%EOF\n"...),
		"pdf then html":                  append(append([]byte{}, pdf...), "<html><script>alert(document.cookie)</script></html>"...),
		"pdf with html in a comment":     bytes.Replace(pdf, []byte("%\xe2\xe3\xcf\xd3"), []byte("%<html><body onload=alert(1)>"), 1),
		"pdf with bytes after %%EOF":     append(append([]byte{}, pdf...), "MZ\x90\x00 this is an executable"...),
		"pdf with a javascript action":   buildPDF("<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>", "<</Type/Pages/Kids[]/Count 0>>", "<</S/JavaScript/JS(app.alert(1))>>"),
		"pdf with an escaped JavaScript": buildPDF("<</Type/Catalog/Pages 2 0 R/OpenAction<</S/Java#53cript/J#53(x)>>>>", "<</Type/Pages/Kids[]/Count 0>>"),
		"pdf with an embedded file":      buildPDF("<</Type/Catalog/Pages 2 0 R/Names<</EmbeddedFiles 3 0 R>>>>", "<</Type/Pages/Kids[]/Count 0>>", "<<>>"),
		"javascript in an object stream": buildPDF("<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[]/Count 0>>", flateStream("/Type/ObjStm/N 1/First 4", deflate([]byte("5 0 <</S/JavaScript/JS(x)>>")))),
		"js comment before the header":   append([]byte("/*"), pdf...),
		"header not at the start":        append([]byte("PK\x03\x04junk\n"), pdf...),
		"garbage between objects":        bytes.Replace(pdf, []byte("endobj\n2 0 obj"), []byte("endobj\nfunction x(){}\n2 0 obj"), 1),
		"no trailer":                     []byte("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"),
		"only a header":                  []byte("%PDF-1.4\n%%EOF"),
		"png then a zip":                 append(append([]byte{}, png...), zipOf("x", "y")...),
		"png then html":                  append(append([]byte{}, png...), "<script>alert(1)</script>"...),
		"png with a bad crc":             append(append([]byte{}, png[:len(png)-1]...), png[len(png)-1]^0xff),
		"jpeg then a zip":                append(sampleJPEG(), zipOf("x", "y")...),
		"jpeg then another jpeg":         append(sampleJPEG(), sampleJPEG()...),
		"gif then html":                  []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;<html><script>alert(1)</script>"),
		"html with a pdf header":         []byte("%PDF-1.4\n<html><script>alert(1)</script>\n%%EOF"),
	} {
		if ct, err := documents.Detect(b); err == nil {
			t.Errorf("%s: detected as %s, want refused", name, ct)
		}
	}
}

// Finding (issue 16): "a 100 MB Flate bomb passed as a clean PDF". The
// bomb is refused after MaxInflate bytes, without holding more than a few
// MB; an image that decompresses past its declared size is refused, and a
// PNG whose image data does.
func TestDetectRefusesDecompressionBombsInAFewMB(t *testing.T) {
	bomb := flateBomb()
	cases := map[string][]byte{
		"flate bomb in a content stream": buildPDF("<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[]/Count 0>>", flateStream("", bomb)),
		"flate bomb as a 10x10 image":    buildPDF("<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[]/Count 0>>", flateStream("/Type/XObject/Subtype/Image/Width 10/Height 10/ColorSpace/DeviceRGB/BitsPerComponent 8", bomb)),
		"png bomb": append(append(append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", []byte{0, 0, 0, 10, 0, 0, 0, 10, 8, 2, 0, 0, 0})...),
			pngChunk("IDAT", bomb)...), pngChunk("IEND", nil)...),
	}
	for name, b := range cases {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := documents.Detect(b)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		if used := after.TotalAlloc - before.TotalAlloc; used > 8<<20 {
			t.Errorf("%s: detection allocated %d MB", name, used>>20)
		}
	}
}

// Through the upload handler: a polyglot and a Flate bomb are refused with
// 415 before anything is stored or scanned.
func TestUploadRefusesPolyglotsAndBombs(t *testing.T) {
	t.Parallel()
	f := start(t, options{})
	tok := f.PersonaToken(t, devissuer.PersonaCitizen)
	count := func() int {
		var n int
		if err := f.Svc.DB.QueryRow(context.Background(), "SELECT count(*) FROM documents").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	for name, b := range map[string][]byte{
		"pdf then a zip": append(goodPDF(), zipOf("evil.js", "alert(1)")...),
		"flate bomb":     buildPDF("<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[]/Count 0>>", flateStream("", flateBomb())),
		"pdf then html":  append(goodPDF(), "<html><script>alert(1)</script>"...),
	} {
		code, out := upload(t, f.URL(), tok, "lonseddel.pdf", name, b)
		if code != http.StatusUnsupportedMediaType || out["da"] == "" || out["en"] == "" {
			t.Errorf("%s: %d %v, want 415", name, code, out)
		}
	}
	if n := count(); n != before {
		t.Fatalf("%d documents stored", n-before)
	}
	if code, out := upload(t, f.URL(), tok, "lonseddel.pdf", "good", goodPDF()); code != http.StatusCreated {
		t.Fatalf("a good pdf: %d %v", code, out)
	}
}
