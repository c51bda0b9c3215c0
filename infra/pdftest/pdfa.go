package pdftest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// PDFAProblems lists what keeps pdf from being a tagged PDF/A-2 (the parts
// of ISO 19005-2 level A and ISO 32000-1 § 14.8 a structural check can
// see; veraPDF is not in Debian): a header version below 1.4, XMP metadata
// without pdfaid part 2 and conformance, dc:title or dc:language, no
// GTS_PDFA1 output intent with an embedded ICC profile, no trailer ID, no
// MarkInfo /Marked true, no /Lang, no DisplayDocTitle, no structure tree
// whose marked-content references cover every text-showing operator in
// reading order (content order) with a matching ParentTree, text outside
// marked content or inside an artifact, an embedded font without a subset
// tag (ABCDEF+Name) or without its font file, an empty EmbeddedFiles tree.
// It reads the file with qpdf (Debian qpdf, which make deps installs); a
// missing qpdf fails the test.
func PDFAProblems(t testing.TB, pdf []byte) []string {
	t.Helper()
	bin, err := exec.LookPath("qpdf")
	if err != nil {
		t.Fatal("qpdf not installed (Debian qpdf; make deps installs it)")
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--json", "--json-key=qpdf", "--json-stream-data=inline", "--decode-level=generalized", f).Output()
	if err != nil {
		t.Fatalf("qpdf --json: %v", err)
	}
	var doc struct {
		QPDF []map[string]any `json:"qpdf"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.QPDF) != 2 {
		t.Fatalf("qpdf --json: unexpected output (%v)", err)
	}
	c := &pdfaCheck{objs: doc.QPDF[1]}
	c.run(pdf)
	return c.problems
}

type pdfaCheck struct {
	objs     map[string]any
	problems []string
}

func (c *pdfaCheck) fail(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

var reRef = regexp.MustCompile(`^\d+ \d+ R$`)

// get resolves a reference; a stream resolves to its dictionary.
func (c *pdfaCheck) get(v any) any {
	if s, ok := v.(string); ok && reRef.MatchString(s) {
		o, _ := c.objs["obj:"+s].(map[string]any)
		if st, ok := o["stream"].(map[string]any); ok {
			return st["dict"]
		}
		return o["value"]
	}
	return v
}

func (c *pdfaCheck) dict(v any) map[string]any { m, _ := c.get(v).(map[string]any); return m }
func (c *pdfaCheck) array(v any) []any         { a, _ := c.get(v).([]any); return a }

// data is the decoded data of the stream v refers to.
func (c *pdfaCheck) data(v any) []byte {
	s, _ := v.(string)
	o, _ := c.objs["obj:"+s].(map[string]any)
	st, _ := o["stream"].(map[string]any)
	enc, _ := st["data"].(string)
	b, _ := base64.StdEncoding.DecodeString(enc)
	return b
}

func (c *pdfaCheck) run(pdf []byte) {
	if m := regexp.MustCompile(`^%PDF-(\d)\.(\d)`).FindSubmatch(pdf); m == nil || string(m[1]) == "1" && m[2][0] < '4' {
		c.fail("header version is below 1.4 (PDF/A-2 needs ≥ 1.4)")
	}
	trailer, _ := c.objs["trailer"].(map[string]any)
	trailer, _ = trailer["value"].(map[string]any)
	if id := c.array(trailer["/ID"]); len(id) != 2 {
		c.fail("trailer has no /ID")
	}
	cat := c.dict(trailer["/Root"])
	if cat == nil {
		c.fail("no catalog")
		return
	}
	// XMP
	xmp := string(c.data(cat["/Metadata"]))
	for _, want := range []string{"<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>", "<dc:title>", "<dc:language>"} {
		if !strings.Contains(xmp, want) {
			c.fail("XMP metadata lacks %s", want)
		}
	}
	// Output intent
	ok := false
	for _, oi := range c.array(cat["/OutputIntents"]) {
		d := c.dict(oi)
		prof := c.data(d["/DestOutputProfile"])
		if d["/S"] == "/GTS_PDFA1" && len(prof) > 40 && string(prof[36:40]) == "acsp" {
			ok = true
		}
	}
	if !ok {
		c.fail("no GTS_PDFA1 OutputIntent with an embedded ICC profile")
	}
	if mi := c.dict(cat["/MarkInfo"]); mi["/Marked"] != true {
		c.fail("catalog lacks MarkInfo /Marked true")
	}
	if lang, _ := c.get(cat["/Lang"]).(string); len(lang) < 3 {
		c.fail("catalog lacks /Lang")
	}
	if vp := c.dict(cat["/ViewerPreferences"]); vp["/DisplayDocTitle"] != true {
		c.fail("catalog lacks ViewerPreferences /DisplayDocTitle true")
	}
	if names := c.dict(cat["/Names"]); names != nil {
		if ef := c.dict(names["/EmbeddedFiles"]); ef != nil && len(c.array(ef["/Names"])) == 0 && len(c.array(ef["/Kids"])) == 0 {
			c.fail("empty EmbeddedFiles name tree")
		}
	}
	pages := c.pages(cat["/Pages"])
	c.fonts()
	c.structure(cat, pages)
}

func (c *pdfaCheck) pages(tree any) []string {
	var out []string
	for _, k := range c.array(c.dict(tree)["/Kids"]) {
		d := c.dict(k)
		if d["/Type"] == "/Pages" {
			out = append(out, c.pages(k)...)
		} else if s, ok := k.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

var reSubset = regexp.MustCompile(`^/[A-Z]{6}\+.`)

func (c *pdfaCheck) fonts() {
	for _, o := range c.objs {
		m, _ := o.(map[string]any)
		d, _ := m["value"].(map[string]any)
		if st, _ := d["/Subtype"].(string); d["/Type"] == "/Font" && st != "/Type0" && st != "/Type3" && d["/FontDescriptor"] == nil {
			c.fail("font %v is not embedded (no FontDescriptor)", d["/BaseFont"])
		}
		if d["/Type"] != "/FontDescriptor" {
			continue
		}
		name, _ := d["/FontName"].(string)
		if d["/FontFile"] == nil && d["/FontFile2"] == nil && d["/FontFile3"] == nil {
			c.fail("font %s is not embedded", name)
		}
		if !reSubset.MatchString(name) {
			c.fail("font %s has no subset tag (ABCDEF+Name)", name)
		}
	}
}

type mcRef struct {
	page, mcid int
	elem       string // the structure element's reference
}

// structure checks the structure tree against the pages' marked content.
func (c *pdfaCheck) structure(cat map[string]any, pages []string) {
	root := c.dict(cat["/StructTreeRoot"])
	if root == nil {
		c.fail("no StructTreeRoot")
	}
	pageIdx := map[string]int{}
	for i, p := range pages {
		pageIdx[p] = i
	}
	// The tree's marked-content references, depth first (reading order).
	var tree []mcRef
	types := map[string]int{}
	var walk func(ref any, pg string, depth int)
	walk = func(ref any, pg string, depth int) {
		if depth > 50 {
			return
		}
		switch k := c.get(ref).(type) {
		case float64:
			tree = append(tree, mcRef{pageIdx[pg], int(k), ""})
		case []any:
			for _, e := range k {
				walk(e, pg, depth+1)
			}
		case map[string]any:
			if k["/Type"] == "/MCR" {
				p, _ := k["/Pg"].(string)
				if p == "" {
					p = pg
				}
				tree = append(tree, mcRef{pageIdx[p], int(k["/MCID"].(float64)), ""})
				return
			}
			if s, _ := k["/S"].(string); s != "" {
				types[s]++
			}
			if p, _ := k["/Pg"].(string); p != "" {
				pg = p
			}
			before := len(tree)
			walk(k["/K"], pg, depth+1)
			if r, ok := ref.(string); ok {
				for i := before; i < len(tree); i++ {
					if tree[i].elem == "" {
						tree[i].elem = r
					}
				}
			}
		}
	}
	if root != nil {
		walk(root["/K"], "", 0)
		for _, want := range []string{"/Document", "/H1", "/P"} {
			if types[want] == 0 {
				c.fail("structure tree has no %s element", want)
			}
		}
	}
	// The pages' marked content, in content order.
	var content []mcRef
	for i, p := range pages {
		pd := c.dict(p)
		var data []byte
		switch cs := pd["/Contents"].(type) {
		case string:
			data = c.data(cs)
		case []any:
			for _, s := range cs {
				str, _ := s.(string)
				data = append(append(data, c.data(str)...), '\n')
			}
		}
		ids, bad := markedContent(data)
		if bad != "" {
			c.fail("page %d: %s", i+1, bad)
		}
		sp, hasSP := pd["/StructParents"].(float64)
		var parents []any
		if root != nil && hasSP {
			nums := c.array(c.dict(root["/ParentTree"])["/Nums"])
			for j := 0; j+1 < len(nums); j += 2 {
				if n, _ := nums[j].(float64); n == sp {
					parents = c.array(nums[j+1])
				}
			}
		}
		for _, id := range ids {
			r := mcRef{i, id, ""}
			if id < len(parents) {
				r.elem, _ = parents[id].(string)
			}
			content = append(content, r)
		}
	}
	if root == nil {
		return
	}
	if fmt.Sprint(tree) != fmt.Sprint(content) {
		c.fail("structure tree (page, MCID, element) %v differs from the content's marked content and ParentTree %v", tree, content)
	}
}

// markedContent returns the MCIDs of a content stream in order, and what
// is wrong: text shown outside marked content with an MCID or inside an
// artifact, unbalanced BDC/EMC.
func markedContent(data []byte) (ids []int, bad string) {
	type mc struct {
		tag      string
		mcid     int
		artifact bool
	}
	var stack []mc
	var ops []string
	texts, untagged := 0, 0
	for _, tok := range tokens(data) {
		switch tok {
		case "BDC", "BMC":
			m := mc{mcid: -1}
			if len(ops) > 0 {
				m.tag = ops[0]
			}
			for i := 0; i+1 < len(ops); i++ {
				if ops[i] == "/MCID" {
					m.mcid, _ = strconv.Atoi(ops[i+1])
				}
			}
			m.artifact = m.tag == "/Artifact"
			if m.mcid >= 0 {
				ids = append(ids, m.mcid)
			}
			stack = append(stack, m)
		case "EMC":
			if len(stack) == 0 {
				return ids, "EMC without BDC"
			}
			stack = stack[:len(stack)-1]
		case "Tj", "TJ", "'", "\"":
			texts++
			tagged := false
			for _, m := range stack {
				if m.artifact {
					tagged = false
					break
				}
				if m.mcid >= 0 {
					tagged = true
				}
			}
			if !tagged {
				untagged++
			}
		default:
			if isOperand(tok) {
				ops = append(ops, tok)
				continue
			}
		}
		ops = ops[:0]
	}
	switch {
	case len(stack) > 0:
		bad = "BDC without EMC"
	case untagged > 0:
		bad = fmt.Sprintf("%d of %d text operators are not in marked content with an MCID", untagged, texts)
	}
	return ids, bad
}

func isOperand(tok string) bool {
	if tok == "" {
		return false
	}
	switch c := tok[0]; {
	case c == '/' || c == '(' || c == '<' || c == '[' || c == ']' || c == '>' || c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return true
	}
	return tok == "true" || tok == "false" || tok == "null"
}

// tokens splits a content stream into operands and operators; strings are
// kept as one token each.
func tokens(b []byte) []string {
	var out []string
	delim := func(c byte) bool { return bytes.IndexByte([]byte("()<>[]{}/% \t\r\n\f\x00"), c) >= 0 }
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0:
			i++
		case c == '%':
			for i < len(b) && b[i] != '\n' && b[i] != '\r' {
				i++
			}
		case c == '(':
			start, depth := i, 0
			for ; i < len(b); i++ {
				if b[i] == '\\' {
					i++
					continue
				}
				if b[i] == '(' {
					depth++
				} else if b[i] == ')' {
					depth--
					if depth == 0 {
						i++
						break
					}
				}
			}
			out = append(out, string(b[start:min(i, len(b))]))
		case c == '<' && i+1 < len(b) && b[i+1] == '<', c == '>' && i+1 < len(b) && b[i+1] == '>':
			out = append(out, string(b[i:i+2]))
			i += 2
		case c == '<':
			j := bytes.IndexByte(b[i:], '>')
			if j < 0 {
				j = len(b) - i - 1
			}
			out = append(out, string(b[i:i+j+1]))
			i += j + 1
		case c == '[' || c == ']' || c == '{' || c == '}':
			out = append(out, string(c))
			i++
		default:
			start := i
			i++
			for i < len(b) && !delim(b[i]) {
				i++
			}
			out = append(out, string(b[start:i]))
		}
	}
	return out
}
