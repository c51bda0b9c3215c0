package letter

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the sRGB profile
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// srgbICC is the sRGB IEC61966-2.1 profile (ICC v2) of Debian's
// icc-profiles-free, zlib licence (srgb.icc.LICENSE): the output intent
// PDF/A requires for the letters' DeviceRGB colours.
//
//go:embed srgb.icc
var srgbICC []byte

const (
	pdfCreator  = "NemRefusion"
	pdfProducer = "NemRefusion"
)

// A node is a structure element: Document, H1, P, L, LI, LBody.
type node struct {
	typ  string
	kids []*node
	mcrs []mcr // its marked content, in order
	obj  int   // object number once written
}

// An mcr is a marked-content reference: the MCID-th marked sequence on a
// page (0-based).
type mcr struct{ page, mcid int }

// A tagger wraps each text run fpdf writes in marked content (BDC/EMC with
// an MCID) and records the structure tree. A run split by a page break is
// closed at the end of the page and reopened with a new MCID on the next.
type tagger struct {
	pdf     *fpdf.Fpdf
	doc     *node
	open    *node
	parents [][]*node // per page: the element of each MCID
}

func newTagger(pdf *fpdf.Fpdf) *tagger {
	t := &tagger{pdf: pdf, doc: &node{typ: "Document"}}
	pdf.SetHeaderFunc(func() {
		t.parents = append(t.parents, nil)
		if t.open != nil {
			t.begin(t.open)
		}
	})
	pdf.SetFooterFunc(func() {
		if t.open != nil {
			pdf.RawWriteStr("EMC")
		}
	})
	return t
}

// add appends a child of type typ to parent.
func (t *tagger) add(parent *node, typ string) *node {
	n := &node{typ: typ}
	parent.kids = append(parent.kids, n)
	return n
}

func (t *tagger) begin(n *node) {
	page := t.pdf.PageNo() - 1
	mcid := len(t.parents[page])
	t.parents[page] = append(t.parents[page], n)
	n.mcrs = append(n.mcrs, mcr{page, mcid})
	t.pdf.RawWriteStr(fmt.Sprintf("/%s <</MCID %d>> BDC", n.typ, mcid))
}

// mark runs draw (which writes text) as content of n.
func (t *tagger) mark(n *node, draw func()) {
	t.open = n
	t.begin(n)
	draw()
	t.pdf.RawWriteStr("EMC")
	t.open = nil
}

// artifact runs draw (decoration, no text) as an artifact.
func (t *tagger) artifact(draw func()) {
	t.pdf.RawWriteStr("/Artifact BMC")
	draw()
	t.pdf.RawWriteStr("EMC")
}

// xmp is the XMP packet PDF/A requires, the same facts as the Info
// dictionary fpdf writes (title, author, creator, producer, dates).
func xmp(l Letter, date time.Time) []byte {
	esc := func(s string) string {
		var b strings.Builder
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	d := date.Format("2006-01-02T15:04:05Z")
	lang := l.Language
	if lang == "" {
		lang = "x-default"
	}
	return []byte(`<?xpacket begin="` + "\ufeff" + `" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
<pdfaid:part>2</pdfaid:part>
<pdfaid:conformance>A</pdfaid:conformance>
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + esc(l.Title) + `</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>` + esc(l.Sender) + `</rdf:li></rdf:Seq></dc:creator>
<dc:language><rdf:Bag><rdf:li>` + esc(lang) + `</rdf:li></rdf:Bag></dc:language>
<xmp:CreatorTool>` + pdfCreator + `</xmp:CreatorTool>
<xmp:CreateDate>` + d + `</xmp:CreateDate>
<xmp:ModifyDate>` + d + `</xmp:ModifyDate>
<pdf:Producer>` + pdfProducer + `</pdf:Producer>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`)
}

var (
	errPDFLayout = errors.New("unexpected fpdf output")
	reTrailer    = regexp.MustCompile(`trailer\n<<\n/Size (\d+)\n/Root (\d+) 0 R\n/Info (\d+) 0 R\n>>`)
	reKids       = regexp.MustCompile(`/Kids \[([0-9 R]*)\]`)
	reFontName   = regexp.MustCompile(`/utf8(go|goB)\b`)
	reNames      = regexp.MustCompile(`/Names <<\n/EmbeddedFiles << /Names \[\n  \n\] >>\n>>\n`)
	reDate       = regexp.MustCompile(`\(D:(\d{14})\)`)
)

// finishPDFA rewrites fpdf's file as PDF/A-2a: header 1.7, subset tags on
// the font names, Z on the Info dates, /StructParents on the pages, a
// catalog with MarkInfo, StructTreeRoot and DisplayDocTitle and without the
// empty EmbeddedFiles tree, the structure tree's objects and a trailer ID
// from the content's hash. No Go library does this for fpdf's output
// (pdfcpu rewrites Info's ModDate and ID with the clock), and fpdf's
// output is regular: its classic xref table gives every object's offset.
func finishPDFA(raw []byte, t *tagger) ([]byte, error) {
	tr := reTrailer.FindSubmatch(raw)
	xrefAt := bytes.LastIndex(raw, []byte("\nxref\n"))
	if tr == nil || xrefAt < 0 {
		return nil, errPDFLayout
	}
	size, _ := strconv.Atoi(string(tr[1]))
	root, _ := strconv.Atoi(string(tr[2]))
	info, _ := strconv.Atoi(string(tr[3]))
	lines := strings.Split(string(raw[xrefAt+1:]), "\n")
	if len(lines) < size+2 {
		return nil, errPDFLayout
	}
	offsets := make([]int, size)
	for i := 1; i < size; i++ {
		off, err := strconv.Atoi(strings.Fields(lines[2+i])[0])
		if err != nil {
			return nil, errPDFLayout
		}
		offsets[i] = off
	}
	order := make([]int, 0, size-1)
	for i := 1; i < size; i++ {
		order = append(order, i)
	}
	sort.Slice(order, func(a, b int) bool { return offsets[order[a]] < offsets[order[b]] })
	bodies := make([][]byte, size) // between "N 0 obj\n" and "endobj"
	for k, i := range order {
		end := xrefAt + 1
		if k+1 < len(order) {
			end = offsets[order[k+1]]
		}
		obj := raw[offsets[i]:end]
		head := fmt.Sprintf("%d 0 obj\n", i)
		if !bytes.HasPrefix(obj, []byte(head)) {
			return nil, errPDFLayout
		}
		obj = bytes.TrimSuffix(bytes.TrimRight(obj[len(head):], "\n"), []byte("endobj"))
		bodies[i] = bytes.Clone(obj)
	}
	sum := sha256.Sum256(raw)
	id := hex.EncodeToString(sum[:16])

	// Pages in order, from the page tree (object 1).
	kids := reKids.FindSubmatch(bodies[1])
	if kids == nil {
		return nil, errPDFLayout
	}
	var pages []int
	for _, f := range strings.Fields(string(kids[1])) {
		if n, err := strconv.Atoi(f); err == nil && f != "0" {
			pages = append(pages, n)
		}
	}
	if len(pages) != len(t.parents) {
		return nil, fmt.Errorf("%w: %d pages, %d tagged", errPDFLayout, len(pages), len(t.parents))
	}
	for i, p := range pages {
		b := bodies[p]
		at := bytes.Index(b, []byte("/Type /Page\n"))
		if at < 0 {
			return nil, errPDFLayout
		}
		at += len("/Type /Page\n")
		bodies[p] = append(append(bytes.Clone(b[:at]), fmt.Sprintf("/StructParents %d\n", i)...), b[at:]...)
	}
	// Subset tags: six capital letters from the document's hash and the
	// font, then the font's name (ISO 32000-1 9.6.4).
	for i := 1; i < size; i++ {
		dict, rest := bodies[i], []byte(nil)
		if s := bytes.Index(dict, []byte("stream\n")); s >= 0 {
			dict, rest = dict[:s], dict[s:]
		}
		if !reFontName.Match(dict) {
			continue
		}
		dict = reFontName.ReplaceAllFunc(dict, func(m []byte) []byte {
			name := "GoRegular"
			if string(m) == "/utf8goB" {
				name = "GoBold"
			}
			h := sha256.Sum256(append(sum[:], name...))
			tag := make([]byte, 6)
			for j := range tag {
				tag[j] = 'A' + h[j]%26
			}
			return []byte("/" + string(tag) + "+" + name)
		})
		bodies[i] = append(bytes.Clone(dict), rest...)
	}
	// fpdf's trailer names the object before the catalog as Info, which
	// is the ICC profile when there is an output intent: find the Info
	// dictionary by its content.
	info = 0
	for i := 1; i < size; i++ {
		if bytes.HasPrefix(bodies[i], []byte("<<\n/Producer ")) {
			info = i
		}
	}
	if info == 0 {
		return nil, errPDFLayout
	}
	// Info dates in UTC, as the XMP says.
	bodies[info] = reDate.ReplaceAll(bodies[info], []byte("(D:${1}Z)"))

	// The structure tree: Document and its elements, then the parent tree
	// and the root.
	next := size
	var all []*node
	var number func(n *node)
	number = func(n *node) {
		n.obj = next
		next++
		all = append(all, n)
		for _, k := range n.kids {
			number(k)
		}
	}
	number(t.doc)
	parentTree, treeRoot := next, next+1
	next += 2
	bodies = append(bodies, make([][]byte, next-size)...)
	var parentOf func(n *node, p int)
	parentOf = func(n *node, p int) {
		var b strings.Builder
		fmt.Fprintf(&b, "<< /Type /StructElem /S /%s /P %d 0 R", n.typ, p)
		if len(n.mcrs) > 0 {
			fmt.Fprintf(&b, " /Pg %d 0 R", pages[n.mcrs[0].page])
		}
		b.WriteString(" /K [")
		for _, m := range n.mcrs {
			fmt.Fprintf(&b, " << /Type /MCR /Pg %d 0 R /MCID %d >>", pages[m.page], m.mcid)
		}
		for _, k := range n.kids {
			fmt.Fprintf(&b, " %d 0 R", k.obj)
			parentOf(k, n.obj)
		}
		b.WriteString(" ] >>\n")
		bodies[n.obj] = []byte(b.String())
	}
	parentOf(t.doc, treeRoot)
	var pt strings.Builder
	pt.WriteString("<< /Nums [")
	for page, elems := range t.parents {
		fmt.Fprintf(&pt, " %d [", page)
		for _, e := range elems {
			fmt.Fprintf(&pt, " %d 0 R", e.obj)
		}
		pt.WriteString(" ]")
	}
	pt.WriteString(" ] >>\n")
	bodies[parentTree] = []byte(pt.String())
	bodies[treeRoot] = fmt.Appendf(nil, "<< /Type /StructTreeRoot /K [ %d 0 R ] /ParentTree %d 0 R /ParentTreeNextKey %d >>\n",
		t.doc.obj, parentTree, len(pages))

	cat := reNames.ReplaceAll(bodies[root], nil)
	at := bytes.LastIndex(cat, []byte(">>"))
	if at < 0 || bytes.Contains(cat, []byte("/EmbeddedFiles")) {
		return nil, errPDFLayout
	}
	bodies[root] = append(fmt.Appendf(bytes.Clone(cat[:at]), "/MarkInfo << /Marked true >>\n/StructTreeRoot %d 0 R\n/ViewerPreferences << /DisplayDocTitle true >>\n", treeRoot), cat[at:]...)

	var out bytes.Buffer
	out.WriteString("%PDF-1.7\n%\xb5\xb6\xe2\xe3\n")
	offs := make([]int, next)
	for i := 1; i < next; i++ {
		offs[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n", i)
		out.Write(bodies[i])
		if !bytes.HasSuffix(bodies[i], []byte("\n")) {
			out.WriteByte('\n')
		}
		out.WriteString("endobj\n")
	}
	x := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", next)
	for i := 1; i < next; i++ {
		fmt.Fprintf(&out, "%010d 00000 n \n", offs[i])
	}
	fmt.Fprintf(&out, "trailer\n<<\n/Size %d\n/Root %d 0 R\n/Info %d 0 R\n/ID [<%s> <%s>]\n>>\nstartxref\n%d\n%%%%EOF\n", next, root, info, id, id, x)
	return out.Bytes(), nil
}
