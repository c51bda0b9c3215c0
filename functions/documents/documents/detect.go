package documents

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image/jpeg"
	"io"
	"strconv"
)

// Limits of type detection. Detection reads the whole file but never holds
// more than the file and a decompressor's window: decompressed data is
// counted and thrown away.
const (
	// MaxInflate is the most a PDF's compressed non-image streams may
	// decompress to, all together (a Flate bomb decompresses to far more).
	MaxInflate = 32 << 20
	// MaxImagePixels is the largest image (width × height) accepted, in a
	// PDF or as a PNG, GIF or JPEG.
	MaxImagePixels = 60_000_000
	// MaxImageBytes is the most all of a PDF's images may decompress to
	// together (each is also held to its declared size).
	MaxImageBytes = 512 << 20
	maxDepth      = 64
)

// ErrType is Detect's error for a file that is not a well-formed pdf, gif,
// png or jpeg; its cause says why (never shown to the uploader).
var ErrType = errors.New("documents: not a well-formed pdf, gif, png or jpeg")

func typeErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrType, fmt.Sprintf(format, a...))
}

// Detect decides the content type of an upload from its bytes, reading the
// whole file as the type its signature names: a PDF must be a well-formed
// PDF (header at the start, every byte in objects, cross-reference data,
// a trailer or cross-reference stream and comments, %%EOF at the very
// end) with no active content (/JavaScript, /JS, /Launch, embedded files,
// rich media, XFA), compressed streams within MaxInflate and images within
// their declared size; a PNG must be chunks with good CRCs from IHDR to a
// final IEND and image data that decompresses to its declared size; a GIF
// must be blocks up to a final trailer; a JPEG must decode its header and
// end with its EOI marker. Nothing may follow the format's end, no HTML or
// script may be where a browser sniffs, and a ZIP directory may not be
// where a ZIP reader looks (polyglots). It returns "application/pdf",
// "image/gif", "image/png" or "image/jpeg", or an error matching ErrType.
func Detect(b []byte) (string, error) {
	if err := noHTML(b[:min(len(b), 1024)]); err != nil {
		return "", err
	}
	if err := noZIP(b); err != nil {
		return "", err
	}
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf", checkPDF(b)
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", checkPNG(b)
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return "image/gif", checkGIF(b)
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "image/jpeg", checkJPEG(b)
	}
	return "", typeErr("no known signature")
}

// htmlMarkers are what makes a browser (or a script engine) take bytes for
// HTML or script, lower case.
var htmlMarkers = [][]byte{[]byte("<script"), []byte("<html"), []byte("<!doctype"), []byte("<iframe"), []byte("<svg"),
	[]byte("<body"), []byte("<head"), []byte("<object"), []byte("<embed"), []byte("<img"), []byte("<a href"), []byte("javascript:")}

func noHTML(b []byte) error {
	lower := bytes.ToLower(b)
	for _, m := range htmlMarkers {
		if bytes.Contains(lower, m) {
			return typeErr("html or script marker %q", m)
		}
	}
	return nil
}

// noZIP refuses a ZIP end-of-central-directory record where ZIP readers
// look for it (the last 64 KiB + 22 bytes): the file would also open as a
// ZIP (or JAR, DOCX, APK).
func noZIP(b []byte) error {
	tail := b[max(0, len(b)-(65535+22)):]
	if bytes.Contains(tail, []byte("PK\x05\x06")) || bytes.Contains(tail, []byte("PK\x06\x06")) {
		return typeErr("zip directory")
	}
	return nil
}

// ---- PDF ----

// deniedNames are PDF names of active or embedded content.
var deniedNames = map[string]bool{"JavaScript": true, "JS": true, "Launch": true, "EmbeddedFile": true, "EmbeddedFiles": true,
	"RichMedia": true, "XFA": true, "GoToE": true, "SubmitForm": true, "ImportData": true}

type pdfParser struct {
	b         []byte
	i         int
	inflated  int64 // non-image stream bytes decompressed so far
	imageSize int64 // declared image bytes so far
	trailer   bool
}

// pdfObj is what the parser keeps of an object: dictionaries' direct
// entries (names, numbers, nested names for /Filter arrays).
type pdfObj struct {
	kind  byte // 'd' dict, 'a' array, 'n' name, 'i' number, 's' string, 'r' ref, 'k' keyword
	name  string
	num   float64
	isInt bool
	dict  map[string]pdfObj
	arr   []pdfObj
}

func checkPDF(b []byte) error {
	if len(b) < 8 || !(b[5] >= '1' && b[5] <= '2' && b[6] == '.' && b[7] >= '0' && b[7] <= '9') {
		return typeErr("pdf: bad header")
	}
	end := len(bytes.TrimRight(b, " \t\r\n\x00\f"))
	if !bytes.HasSuffix(b[:end], []byte("%%EOF")) {
		return typeErr("pdf: does not end with %%%%EOF")
	}
	p := &pdfParser{b: b[:end]}
	if err := p.parse(); err != nil {
		return err
	}
	// A trailer (or cross-reference stream) is required; a missing /Root
	// only makes a PDF no viewer opens, which harms nobody.
	if !p.trailer {
		return typeErr("pdf: no trailer or cross-reference stream")
	}
	return nil
}

func isWhite(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}
func isDelim(c byte) bool {
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' || c == '}' || c == '/' || c == '%'
}
func isRegular(c byte) bool { return !isWhite(c) && !isDelim(c) }

// skip passes whitespace and comments; comments are checked for HTML.
func (p *pdfParser) skip() error {
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case isWhite(c):
			p.i++
		case c == '%':
			j := p.i
			for p.i < len(p.b) && p.b[p.i] != '\n' && p.b[p.i] != '\r' {
				p.i++
			}
			if err := noHTML(p.b[j:p.i]); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

func (p *pdfParser) keyword() string {
	j := p.i
	for p.i < len(p.b) && isRegular(p.b[p.i]) {
		p.i++
	}
	return string(p.b[j:p.i])
}

func (p *pdfParser) peekKeyword() string {
	j := p.i
	for j < len(p.b) && isRegular(p.b[j]) {
		j++
	}
	return string(p.b[p.i:j])
}

// parse reads the body: objects, cross-reference sections, trailers,
// startxref, up to the end. Every byte must belong to one of them.
func (p *pdfParser) parse() error {
	p.i = bytes.IndexAny(p.b, "\r\n") // the header line
	if p.i < 0 {
		return typeErr("pdf: only a header")
	}
	objects := 0
	for {
		if err := p.skip(); err != nil {
			return err
		}
		if p.i >= len(p.b) {
			break
		}
		start := p.i
		kw := p.peekKeyword()
		switch {
		case kw == "xref":
			p.keyword()
			if err := p.xref(); err != nil {
				return err
			}
		case kw == "trailer":
			p.keyword()
			if err := p.skip(); err != nil {
				return err
			}
			o, err := p.object(0)
			if err != nil {
				return err
			}
			if o.kind != 'd' {
				return typeErr("pdf: trailer is not a dictionary")
			}
			p.trailer = true
		case kw == "startxref":
			p.keyword()
			if err := p.skip(); err != nil {
				return err
			}
			n, err := strconv.Atoi(p.keyword())
			if err != nil || n < 0 || n >= len(p.b) {
				return typeErr("pdf: startxref outside the file")
			}
			if !bytes.HasPrefix(p.b[n:], []byte("xref")) && !objectAt(p.b[n:]) {
				return typeErr("pdf: startxref points at neither xref nor an object")
			}
		case isInt(kw):
			if err := p.indirect(); err != nil {
				return err
			}
			objects++
		default:
			return typeErr("pdf: unexpected %q at %d", truncateTok(kw), start)
		}
	}
	if objects == 0 {
		return typeErr("pdf: no objects")
	}
	return nil
}

func truncateTok(s string) string {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}

func isInt(s string) bool {
	if s == "" || len(s) > 12 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// objectAt reports whether b starts with "N G obj".
func objectAt(b []byte) bool {
	q := &pdfParser{b: b}
	a := q.keyword()
	_ = q.skip()
	g := q.keyword()
	_ = q.skip()
	return isInt(a) && isInt(g) && q.keyword() == "obj"
}

// xref reads a cross-reference section: subsections "start count" and
// count entries "offset generation n|f".
func (p *pdfParser) xref() error {
	for {
		if err := p.skip(); err != nil {
			return err
		}
		if p.peekKeyword() == "trailer" || p.i >= len(p.b) {
			return nil
		}
		first, count := p.keyword(), ""
		_ = p.skip()
		count = p.keyword()
		n, err := strconv.Atoi(count)
		if !isInt(first) || err != nil || n < 0 || n > len(p.b)/18+1 {
			return typeErr("pdf: bad xref subsection")
		}
		for range n {
			_ = p.skip()
			off := p.keyword()
			_ = p.skip()
			gen := p.keyword()
			_ = p.skip()
			typ := p.keyword()
			if !isInt(off) || !isInt(gen) || (typ != "n" && typ != "f") {
				return typeErr("pdf: bad xref entry")
			}
		}
	}
}

// indirect reads "N G obj <object> [stream ... endstream] endobj".
func (p *pdfParser) indirect() error {
	p.keyword()
	_ = p.skip()
	if !isInt(p.keyword()) {
		return typeErr("pdf: bad object header")
	}
	_ = p.skip()
	if p.keyword() != "obj" {
		return typeErr("pdf: bad object header")
	}
	if err := p.skip(); err != nil {
		return err
	}
	o, err := p.object(0)
	if err != nil {
		return err
	}
	if err := p.skip(); err != nil {
		return err
	}
	if p.peekKeyword() == "stream" {
		if o.kind != 'd' {
			return typeErr("pdf: stream without a dictionary")
		}
		p.keyword()
		if err := p.stream(o); err != nil {
			return err
		}
		if err := p.skip(); err != nil {
			return err
		}
	}
	if p.keyword() != "endobj" {
		return typeErr("pdf: object without endobj")
	}
	return nil
}

// stream reads stream data after the keyword "stream" up to "endstream",
// decompressing Flate data within the limits.
func (p *pdfParser) stream(d pdfObj) error {
	switch {
	case bytes.HasPrefix(p.b[p.i:], []byte("\r\n")):
		p.i += 2
	case bytes.HasPrefix(p.b[p.i:], []byte("\n")):
		p.i++
	default:
		return typeErr("pdf: stream keyword without end of line")
	}
	start := p.i
	end := -1
	if l, ok := d.dict["Length"]; ok && l.kind == 'i' && l.isInt && l.num >= 0 && start+int(l.num) <= len(p.b) {
		e := start + int(l.num)
		rest := bytes.TrimLeft(p.b[e:min(len(p.b), e+4)], "\r\n")
		if bytes.HasPrefix(append(rest, p.b[min(len(p.b), e+4):min(len(p.b), e+16)]...), []byte("endstream")) {
			end = e
		}
	}
	if end < 0 { // an indirect or wrong /Length: find the keyword
		k := bytes.Index(p.b[start:], []byte("endstream"))
		if k < 0 {
			return typeErr("pdf: stream without endstream")
		}
		end = start + k
	}
	data := p.b[start:end]
	p.i = end
	if err := p.skip(); err != nil {
		return err
	}
	if p.keyword() != "endstream" {
		return typeErr("pdf: stream without endstream")
	}
	if t, ok := d.dict["Type"]; ok && t.kind == 'n' && t.name == "XRef" {
		p.trailer = true
	}
	return p.inflate(d, data)
}

// inflate decompresses a FlateDecode stream, counting and discarding: an
// image may not decompress to more than its declared size, everything
// else shares MaxInflate. Object streams are checked for denied names.
func (p *pdfParser) inflate(d pdfObj, data []byte) error {
	f, ok := d.dict["Filter"]
	first := ""
	switch {
	case !ok:
		return nil
	case f.kind == 'n':
		first = f.name
	case f.kind == 'a' && len(f.arr) > 0 && f.arr[0].kind == 'n':
		first = f.arr[0].name
	}
	if first != "FlateDecode" && first != "Fl" {
		return nil
	}
	var limit int64
	isImage := false
	if s, ok := d.dict["Subtype"]; ok && s.kind == 'n' && s.name == "Image" {
		isImage = true
		size, err := imageBytes(d)
		if err != nil {
			return err
		}
		if p.imageSize += size; p.imageSize > MaxImageBytes {
			return typeErr("pdf: images too large")
		}
		limit = size
	} else {
		limit = MaxInflate - p.inflated
	}
	var r io.Reader
	if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
		defer zr.Close()
		r = zr
	} else {
		r = flate.NewReader(bytes.NewReader(data))
	}
	var w io.Writer = io.Discard
	var names *nameScan
	if t, ok := d.dict["Type"]; ok && t.kind == 'n' && (t.name == "ObjStm" || t.name == "XRef") {
		names = &nameScan{}
		w = names
	} else if !isImage {
		names = &nameScan{}
		w = names // content streams and others: names may hide there too
	}
	n, err := io.Copy(w, io.LimitReader(r, limit+1))
	if n > limit {
		return typeErr("pdf: a compressed stream decompresses to more than allowed (%d bytes)", limit)
	}
	if names != nil {
		if err := names.close(); err != nil {
			return err
		}
	}
	if !isImage {
		p.inflated += n
	}
	_ = err // corrupt or truncated compressed data is harmless here: viewers show what decodes
	return nil
}

// imageBytes is the decompressed size an image XObject declares (plus a
// predictor byte per row and slack), refusing images over MaxImagePixels.
func imageBytes(d pdfObj) (int64, error) {
	num := func(k string, def float64) float64 {
		if v, ok := d.dict[k]; ok && v.kind == 'i' {
			return v.num
		}
		return def
	}
	w, h := num("Width", -1), num("Height", -1)
	if w <= 0 || h <= 0 || w*h > MaxImagePixels {
		return 0, typeErr("pdf: image size %vx%v", w, h)
	}
	bpc := num("BitsPerComponent", 8)
	if bpc <= 0 || bpc > 16 {
		bpc = 16
	}
	comps := 4.0
	if cs, ok := d.dict["ColorSpace"]; ok && cs.kind == 'n' {
		switch cs.name {
		case "DeviceGray", "G", "CalGray":
			comps = 1
		case "DeviceRGB", "RGB", "CalRGB", "Lab":
			comps = 3
		}
	}
	if m, ok := d.dict["ImageMask"]; ok && m.kind == 'k' && m.name == "true" {
		comps, bpc = 1, 1
	}
	rowBytes := int64((w*comps*bpc + 7) / 8)
	return (rowBytes+1)*int64(h) + 4096, nil
}

// nameScan finds denied names in decompressed data, across writes.
type nameScan struct {
	carry, buf []byte // buf is reused: scanning allocates once
	err        error
}

func (s *nameScan) Write(b []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	s.buf = append(append(s.buf[:0], s.carry...), b...)
	buf := s.buf
	cut := len(buf)
	// Keep a possible unfinished name for the next write.
	if k := bytes.LastIndexByte(buf, '/'); k >= 0 && len(buf)-k < 64 {
		cut = k
	}
	if err := scanNames(buf[:cut]); err != nil {
		s.err = err
		return 0, err
	}
	s.carry = append(s.carry[:0], buf[cut:]...)
	return len(b), nil
}

func (s *nameScan) close() error {
	if s.err != nil {
		return s.err
	}
	return scanNames(s.carry)
}

func scanNames(b []byte) error {
	for {
		k := bytes.IndexByte(b, '/')
		if k < 0 {
			return nil
		}
		b = b[k+1:]
		j := 0
		for j < len(b) && isRegular(b[j]) {
			j++
		}
		if deniedNames[decodeName(b[:j])] {
			return typeErr("pdf: active content /%s", decodeName(b[:j]))
		}
		b = b[j:]
	}
}

// decodeName undoes #xx escapes of a name.
func decodeName(b []byte) string {
	if !bytes.ContainsRune(b, '#') {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) {
			if v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

// object reads one direct object (or "N G R").
func (p *pdfParser) object(depth int) (pdfObj, error) {
	if depth > maxDepth {
		return pdfObj{}, typeErr("pdf: nested too deep")
	}
	if err := p.skip(); err != nil {
		return pdfObj{}, err
	}
	if p.i >= len(p.b) {
		return pdfObj{}, typeErr("pdf: truncated object")
	}
	c := p.b[p.i]
	switch {
	case c == '<' && p.i+1 < len(p.b) && p.b[p.i+1] == '<':
		p.i += 2
		d := pdfObj{kind: 'd', dict: map[string]pdfObj{}}
		for {
			if err := p.skip(); err != nil {
				return d, err
			}
			if bytes.HasPrefix(p.b[p.i:], []byte(">>")) {
				p.i += 2
				return d, nil
			}
			k, err := p.object(depth + 1)
			if err != nil {
				return d, err
			}
			if k.kind != 'n' {
				return d, typeErr("pdf: dictionary key is not a name")
			}
			v, err := p.object(depth + 1)
			if err != nil {
				return d, err
			}
			d.dict[k.name] = v
		}
	case c == '[':
		p.i++
		a := pdfObj{kind: 'a'}
		for {
			if err := p.skip(); err != nil {
				return a, err
			}
			if p.i >= len(p.b) {
				return a, typeErr("pdf: unterminated array")
			}
			if p.b[p.i] == ']' {
				p.i++
				return a, nil
			}
			v, err := p.object(depth + 1)
			if err != nil {
				return a, err
			}
			if len(a.arr) < 64 {
				a.arr = append(a.arr, v)
			}
		}
	case c == '(':
		return pdfObj{kind: 's'}, p.literal()
	case c == '<':
		p.i++
		for p.i < len(p.b) && p.b[p.i] != '>' {
			h := p.b[p.i]
			if !isWhite(h) && !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
				return pdfObj{}, typeErr("pdf: bad hex string")
			}
			p.i++
		}
		if p.i >= len(p.b) {
			return pdfObj{}, typeErr("pdf: unterminated hex string")
		}
		p.i++
		return pdfObj{kind: 's'}, nil
	case c == '/':
		p.i++
		j := p.i
		for p.i < len(p.b) && isRegular(p.b[p.i]) {
			p.i++
		}
		name := decodeName(p.b[j:p.i])
		if deniedNames[name] {
			return pdfObj{}, typeErr("pdf: active content /%s", name)
		}
		return pdfObj{kind: 'n', name: name}, nil
	case c == '+' || c == '-' || c == '.' || c >= '0' && c <= '9':
		tok := p.keyword()
		v, err := strconv.ParseFloat(tok, 64)
		if err != nil {
			return pdfObj{}, typeErr("pdf: bad number")
		}
		o := pdfObj{kind: 'i', num: v, isInt: isInt(tok)}
		// "N G R" is a reference.
		if o.isInt {
			save := p.i
			_ = p.skip()
			g := p.peekKeyword()
			if isInt(g) {
				p.keyword()
				_ = p.skip()
				if p.peekKeyword() == "R" {
					p.keyword()
					return pdfObj{kind: 'r'}, nil
				}
			}
			p.i = save
		}
		return o, nil
	case isRegular(c):
		switch kw := p.keyword(); kw {
		case "true", "false", "null":
			return pdfObj{kind: 'k', name: kw}, nil
		default:
			return pdfObj{}, typeErr("pdf: unexpected keyword %q", truncateTok(kw))
		}
	}
	return pdfObj{}, typeErr("pdf: unexpected %q", string(c))
}

// literal reads a (string) with balanced parentheses and escapes.
func (p *pdfParser) literal() error {
	p.i++
	depth := 1
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '\\':
			p.i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				p.i++
				return nil
			}
		}
		p.i++
	}
	return typeErr("pdf: unterminated string")
}

// ---- PNG ----

func checkPNG(b []byte) error {
	i := 8
	first := true
	var w, h uint32
	var depth, color byte
	var parts [][]byte
	for {
		if i+12 > len(b) {
			return typeErr("png: truncated chunk")
		}
		n := int(binary.BigEndian.Uint32(b[i:]))
		if n < 0 || i+12+n > len(b) {
			return typeErr("png: chunk beyond the file")
		}
		typ := string(b[i+4 : i+8])
		data := b[i+8 : i+8+n]
		if crc32.ChecksumIEEE(b[i+4:i+8+n]) != binary.BigEndian.Uint32(b[i+8+n:]) {
			return typeErr("png: bad CRC")
		}
		if first != (typ == "IHDR") {
			return typeErr("png: IHDR not first")
		}
		switch typ {
		case "IHDR":
			if n != 13 {
				return typeErr("png: bad IHDR")
			}
			w, h, depth, color = binary.BigEndian.Uint32(data), binary.BigEndian.Uint32(data[4:]), data[8], data[9]
			if w == 0 || h == 0 || uint64(w)*uint64(h) > MaxImagePixels {
				return typeErr("png: image size")
			}
		case "IDAT":
			parts = append(parts, data)
		case "IEND":
			if i+12+n != len(b) {
				return typeErr("png: data after IEND")
			}
			return pngData(parts, w, h, depth, color)
		}
		first = false
		i += 12 + n
	}
}

// pngData decompresses the image data, which may not exceed what the
// header declares (a decompression bomb would).
func pngData(parts [][]byte, w, h uint32, depth, color byte) error {
	if len(parts) == 0 {
		return typeErr("png: no image data")
	}
	comps := map[byte]uint64{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
	if comps == 0 || depth == 0 || depth > 16 {
		return typeErr("png: bad colour type or depth")
	}
	row := (uint64(w)*comps*uint64(depth)+7)/8 + 1
	limit := int64(row*uint64(h)) * 2 // interlaced images add a little per pass
	readers := make([]io.Reader, len(parts))
	for k, p := range parts {
		readers[k] = bytes.NewReader(p)
	}
	zr, err := zlib.NewReader(io.MultiReader(readers...))
	if err != nil {
		return typeErr("png: image data is not zlib")
	}
	defer zr.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(zr, limit+1))
	if n > limit {
		return typeErr("png: image data decompresses to more than its size")
	}
	if err != nil {
		return typeErr("png: corrupt image data")
	}
	return nil
}

// ---- GIF ----

func checkGIF(b []byte) error {
	if len(b) < 13 {
		return typeErr("gif: truncated")
	}
	w, h := binary.LittleEndian.Uint16(b[6:]), binary.LittleEndian.Uint16(b[8:])
	if uint64(w)*uint64(h) > MaxImagePixels {
		return typeErr("gif: image size")
	}
	i := 13
	if b[10]&0x80 != 0 {
		i += 3 << (b[10]&7 + 1)
	}
	subBlocks := func() error {
		for {
			if i >= len(b) {
				return typeErr("gif: truncated block")
			}
			n := int(b[i])
			i++
			if n == 0 {
				return nil
			}
			i += n
		}
	}
	for i < len(b) {
		switch b[i] {
		case 0x3b: // trailer
			if i != len(b)-1 {
				return typeErr("gif: data after the trailer")
			}
			return nil
		case 0x21: // extension: label, sub-blocks
			i += 2
			if err := subBlocks(); err != nil {
				return err
			}
		case 0x2c: // image: descriptor, optional local colour table, LZW size, sub-blocks
			if i+10 > len(b) {
				return typeErr("gif: truncated image")
			}
			flags := b[i+9]
			i += 10
			if flags&0x80 != 0 {
				i += 3 << (flags&7 + 1)
			}
			i++ // LZW minimum code size
			if err := subBlocks(); err != nil {
				return err
			}
		default:
			return typeErr("gif: unknown block")
		}
	}
	return typeErr("gif: no trailer")
}

// ---- JPEG ----

func checkJPEG(b []byte) error {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return typeErr("jpeg: %v", err)
	}
	if uint64(cfg.Width)*uint64(cfg.Height) > MaxImagePixels {
		return typeErr("jpeg: image size")
	}
	if !bytes.HasSuffix(b, []byte("\xff\xd9")) {
		return typeErr("jpeg: does not end with EOI")
	}
	// Only one image: a second SOI after the first EOI is another file.
	if k := bytes.Index(b, []byte("\xff\xd9\xff\xd8")); k >= 0 {
		return typeErr("jpeg: a second image follows")
	}
	return nil
}
