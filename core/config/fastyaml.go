package config

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// The fast reader. The YAML libraries read about 6 MB/s: a 1000-target
// config took 20-30 ms to decode, most of the rotation function's cold
// start. Configs are written in a small part of YAML (block mappings and
// sequences, flow collections on a line, plain and quoted scalars on one
// line, comments, anchors, aliases and merge keys), and JSON is flow YAML;
// fastDecode reads that part directly, making the tree decodeTree makes,
// and gives up (ok false) on everything else, errors included, so that
// such documents take the libraries' way and read, or fail, exactly as
// before. What it reads it reads as go.yaml.in/yaml/v2 does (strict:
// a key given twice gives up), and it measures aliases as checkExpansion
// does on go.yaml.in/yaml/v3's node tree: FuzzFastDecode holds it to both.
// It gives up on a document it might read differently (a tab, a '\r', a
// multi-line scalar, a key over 1000 bytes, a tag, a block scalar, a
// document marker, a character the libraries treat specially).

// fastDecode reads data as decodeTree does, after checkExpansion's bound:
// ok false when data is outside the part of YAML it reads; err errExpanded
// when checkExpansion would refuse it.
func fastDecode(data []byte) (tree any, ok bool, err error) {
	if !fastChars(data) {
		return nil, false, nil
	}
	p := newFastParser(data)
	root, ok := p.document()
	if !ok {
		return nil, false, nil
	}
	if p.aliases && nodeCost+int64(p.nodes[root].size) > maxExpandedSize {
		return nil, true, errExpanded
	}
	d := fastDecoder{p: p}
	tree, ok = d.document(root)
	if !ok {
		return nil, false, nil
	}
	return tree, true, nil
}

// fastChars reports whether data holds only characters both YAML libraries
// read as plain text: printable ASCII, '\n', and UTF-8 runes from U+00A0
// but the line and paragraph separators (YAML 1.1 line breaks), the byte
// order mark and the surrogate and non-characters ranges. No line starts
// a document marker (--- or ...).
func fastChars(data []byte) bool {
	if marker(data) {
		return false
	}
	for i := 0; i < len(data); {
		c := data[i]
		if c-0x20 < 0x5f { // printable ASCII
			i++
			continue
		}
		if c == '\n' {
			i++
			if marker(data[i:]) {
				return false
			}
			continue
		}
		if c < utf8.RuneSelf {
			return false
		}
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n <= 1, r < 0xA0, r == 0x2028, r == 0x2029, r == 0xFEFF,
			r >= 0xD800 && r < 0xE000, r > 0xFFFD && r < 0x10000:
			return false
		}
		i += n
	}
	return true
}

// marker reports whether line starts with --- or ... (a document marker,
// or a plain scalar the fast reader leaves to the libraries).
func marker(line []byte) bool {
	return len(line) >= 3 && (line[0] == '-' || line[0] == '.') && line[1] == line[0] && line[2] == line[0]
}

// Node kinds of the fast reader's tree.
const (
	fastScalar = iota
	fastMapping
	fastSequence
	fastAlias
)

// fastNode is a node as go.yaml.in/yaml/v3 parses it: a scalar's text, a
// collection's children (a mapping's keys and values alternating), an
// alias's target; size is what expansion.size measures of it.
type fastNode struct {
	kind   uint8
	plain  bool  // a plain scalar, resolved by its text
	done   bool  // parsed to its end: an alias to it is not inside it
	target int32 // an alias's node
	kids   int32 // a collection's children: kids[kids:kids+nkids]
	nkids  int32
	size   int32 // at most maxExpandedSize+1
	// A scalar's text: src[off:off+n], or for a text with escapes
	// owned[-off-1]. No pointer, so that the garbage collector never
	// scans the nodes.
	off, n int32
}

// maxFastDepth bounds the nesting the fast reader follows.
const maxFastDepth = 64

// maxFastKey bounds a key's length: the libraries refuse a key longer than
// 1024 characters.
const maxFastKey = 1000

// fastParser parses src into nodes. A method returning false gives up.
type fastParser struct {
	src     string
	pos     int
	line    int // offset of the current line's start
	nodes   []fastNode
	owned   []string // the texts of scalars with escapes
	kids    []int32  // every collection's children, one after another
	open    []int32  // the children of open collections
	anchors map[string]int32
	aliases bool
	depth   int
}

// newFastParser returns a parser of data, its tables sized for the
// document.
func newFastParser(data []byte) *fastParser {
	// About a node per key, value and item.
	n := 3*bytes.Count(data, []byte("\n")) + 2*bytes.Count(data, []byte(",")) + 16
	return &fastParser{src: string(data), nodes: make([]fastNode, 0, n), kids: make([]int32, 0, n)}
}

func (p *fastParser) col() int { return p.pos - p.line }

func (p *fastParser) peek(off int) byte {
	if p.pos+off < len(p.src) {
		return p.src[p.pos+off]
	}
	return 0
}

func (p *fastParser) node(n fastNode) int32 {
	p.nodes = append(p.nodes, n)
	return int32(len(p.nodes) - 1)
}

// scalar makes a scalar node of text, which is src[off:off+len(text)], or
// (off -1) a string of its own.
func (p *fastParser) scalar(off int, text string, plain bool) int32 {
	if off < 0 {
		p.owned = append(p.owned, text)
		off = -len(p.owned)
	}
	return p.node(fastNode{kind: fastScalar, plain: plain, done: true, off: int32(off), n: int32(len(text)),
		size: int32(min(nodeCost+len(text), maxExpandedSize+1))})
}

// text returns scalar n's text.
func (p *fastParser) text(n *fastNode) string {
	if n.off < 0 {
		return p.owned[-n.off-1]
	}
	return p.src[n.off : n.off+n.n]
}

// collection makes a collection node of the children from open[start:].
func (p *fastParser) collection(kind uint8, start int) int32 {
	kids := p.open[start:]
	n := fastNode{kind: kind, done: true, kids: int32(len(p.kids)), nkids: int32(len(kids)), size: nodeCost}
	for _, k := range kids {
		n.size = min(n.size+p.nodes[k].size, maxExpandedSize+1)
	}
	p.kids = append(p.kids, kids...)
	p.open = p.open[:start]
	return p.node(n)
}

// skipSpaces skips blanks on the line.
func (p *fastParser) skipSpaces() {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
}

// lineEnd reports whether the rest of the line is blank or a comment (the
// position is after a space or at a line start), and moves to the next
// line's start.
func (p *fastParser) lineEnd() bool {
	p.skipSpaces()
	if p.pos < len(p.src) && p.src[p.pos] == '#' {
		if p.pos > 0 && p.src[p.pos-1] != ' ' && p.src[p.pos-1] != '\n' {
			return false
		}
		for p.pos < len(p.src) && p.src[p.pos] != '\n' {
			p.pos++
		}
	}
	if p.pos == len(p.src) {
		return true
	}
	if p.src[p.pos] != '\n' {
		return false
	}
	p.pos++
	p.line = p.pos
	return true
}

// nextContent moves past blank and comment lines to the next line's first
// character; false at the end of the document.
func (p *fastParser) nextContent() bool {
	for p.pos < len(p.src) {
		p.skipSpaces()
		if p.pos == len(p.src) {
			return false
		}
		if c := p.src[p.pos]; c != '\n' && c != '#' {
			return true
		}
		if !p.lineEnd() {
			return false
		}
	}
	return false
}

// document parses the whole document; its root node's size is what the
// document node measures, less nodeCost.
func (p *fastParser) document() (int32, bool) {
	if !p.nextContent() {
		return 0, false
	}
	root, ok := p.block(-1)
	if !ok || p.nextContent() {
		return 0, false
	}
	return root, true
}

// blank reports whether the byte at offset off is a space, a line break or
// the end.
func (p *fastParser) blank(off int) bool {
	c := p.peek(off)
	return c == ' ' || c == '\n' || c == 0
}

// block parses the block node starting at the current position, a line's
// first character, within a parent at column parent.
func (p *fastParser) block(parent int) (int32, bool) {
	if p.depth++; p.depth > maxFastDepth {
		return 0, false
	}
	defer func() { p.depth-- }()
	switch c := p.peek(0); {
	case c == '-' && p.blank(1):
		return p.sequence(p.col())
	case c == '[' || c == '{':
		n, ok := p.flow()
		return n, ok && p.lineEnd()
	case p.keyAhead():
		return p.mapping(p.col())
	}
	return 0, false
}

// keyAhead reports whether the line holds a key and ':' from the current
// position.
func (p *fastParser) keyAhead() bool {
	save := p.pos
	_, ok := p.key()
	p.pos = save
	return ok
}

// key parses a block mapping key and its ':'.
func (p *fastParser) key() (int32, bool) {
	start := p.pos
	var n int32
	switch c := p.peek(0); c {
	case '"', '\'':
		var ok bool
		if n, ok = p.quoted(); !ok || p.peek(0) != ':' {
			return 0, false
		}
	default:
		if !p.plainStart(false) {
			return 0, false
		}
		text, end := p.plainText(false)
		if end != ':' {
			return 0, false
		}
		n = p.scalar(start, text, true)
	}
	if p.pos-start > maxFastKey || !p.blank(1) {
		return 0, false
	}
	p.pos++
	return n, true
}

// mapping parses a block mapping whose keys are at column col.
func (p *fastParser) mapping(col int) (int32, bool) {
	start := len(p.open)
	for {
		k, ok := p.key()
		if !ok {
			return 0, false
		}
		p.open = append(p.open, k)
		v, ok := p.blockValue(col, true)
		if !ok {
			return 0, false
		}
		p.open = append(p.open, v)
		if !p.nextContent() || p.col() < col {
			return p.collection(fastMapping, start), true
		}
		if p.col() > col || (p.peek(0) == '-' && p.blank(1)) {
			return 0, false
		}
	}
}

// sequence parses a block sequence whose '-' are at column col.
func (p *fastParser) sequence(col int) (int32, bool) {
	start := len(p.open)
	for {
		p.pos++ // '-'
		v, ok := p.blockValue(col, false)
		if !ok {
			return 0, false
		}
		p.open = append(p.open, v)
		switch {
		case !p.nextContent() || p.col() < col:
			return p.collection(fastSequence, start), true
		case p.col() > col:
			return 0, false // an item out of line
		case !(p.peek(0) == '-' && p.blank(1)):
			return p.collection(fastSequence, start), true // the mapping's next key
		}
	}
}

// blockValue parses what follows a mapping key's ':' or a sequence's '-'
// in a collection at column col: on the same line, a compact mapping
// (sequences only), a flow collection, a scalar or an alias, with an
// optional anchor; or on the lines below, a block node (a sequence at col
// too, under a key); or nothing, null.
func (p *fastParser) blockValue(col int, inMapping bool) (int32, bool) {
	p.skipSpaces()
	anchor := ""
	if p.peek(0) == '&' {
		name, ok := p.anchorName()
		if !ok {
			return 0, false
		}
		anchor = name
		p.skipSpaces()
	}
	var n int32
	switch c := p.peek(0); {
	case c == 0 || c == '\n' || c == '#':
		if !p.lineEnd() {
			return 0, false
		}
		switch {
		case !p.nextContent():
			n = p.scalar(0, "", true)
		case p.col() > col:
			var ok bool
			if n, ok = p.anchored(anchor, func() (int32, bool) { return p.block(col) }); !ok {
				return 0, false
			}
			return n, true
		case p.col() == col && inMapping && p.peek(0) == '-' && p.blank(1):
			var ok bool
			if n, ok = p.anchored(anchor, func() (int32, bool) { return p.sequence(col) }); !ok {
				return 0, false
			}
			return n, true
		default:
			n = p.scalar(0, "", true)
		}
		p.setAnchor(anchor, n)
		return n, true
	case c == '-' && p.blank(1):
		return 0, false
	case !inMapping && anchor == "" && p.keyAhead():
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxFastDepth {
			return 0, false
		}
		return p.mapping(p.col())
	}
	n, ok := p.anchored(anchor, func() (int32, bool) { return p.inline() })
	if !ok || !p.lineEnd() {
		return 0, false
	}
	if p.pos < len(p.src) && p.nextContent() && p.col() > col {
		return 0, false // a scalar going on over lines, or worse
	}
	return n, true
}

// anchored parses a node with parse and names it anchor, when not "".
func (p *fastParser) anchored(anchor string, parse func() (int32, bool)) (int32, bool) {
	if anchor == "" {
		return parse()
	}
	// Named while it is parsed, so that an alias inside it gives up.
	placeholder := p.node(fastNode{})
	p.setAnchor(anchor, placeholder)
	if p.peek(0) == '&' || p.peek(0) == '*' {
		return 0, false // two anchors, or an anchor on an alias
	}
	n, ok := parse()
	// Named when it starts, as the libraries do: an anchor of the same
	// name inside it names another node from there on.
	if ok && p.anchors[anchor] == placeholder {
		p.setAnchor(anchor, n)
	}
	return n, ok
}

func (p *fastParser) setAnchor(name string, n int32) {
	if name == "" {
		return
	}
	if p.anchors == nil {
		p.anchors = map[string]int32{}
	}
	p.anchors[name] = n
}

// anchorName reads "&name" or "*name" followed by a blank; in flow
// collections, also by ',', ']' or '}'.
func (p *fastParser) anchorName() (string, bool) {
	start := p.pos + 1
	end := start
	for end < len(p.src) && isAnchorChar(p.src[end]) {
		end++
	}
	if end == start {
		return "", false
	}
	p.pos = end
	if !p.blank(0) && p.peek(0) != ',' && p.peek(0) != ']' && p.peek(0) != '}' {
		return "", false
	}
	return p.src[start:end], true
}

func isAnchorChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-'
}

// inline parses a node within one line, or a flow collection.
func (p *fastParser) inline() (int32, bool) {
	switch c := p.peek(0); c {
	case '*':
		name, ok := p.anchorName()
		if !ok {
			return 0, false
		}
		t, known := p.anchors[name]
		if !known || !p.nodes[t].done {
			return 0, false
		}
		p.aliases = true
		return p.node(fastNode{kind: fastAlias, done: true, target: t, size: p.nodes[t].size}), true
	case '[', '{':
		return p.flow()
	case '"', '\'':
		n, ok := p.quoted()
		return n, ok && p.blank(0)
	}
	if !p.plainStart(false) {
		return 0, false
	}
	start := p.pos
	text, end := p.plainText(false)
	if end == ':' {
		return 0, false
	}
	return p.scalar(start, text, true), true
}

// plainStart reports whether a plain scalar may start here.
func (p *fastParser) plainStart(flow bool) bool {
	switch c := p.peek(0); c {
	case 0, ' ', '\n', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '-':
		return !p.blank(1) && !(flow && strings.IndexByte(",[]{}", p.peek(1)) >= 0)
	}
	return true
}

// plainText reads a plain scalar to its end on the line: ':' before a
// blank, a comment, the line's end, or in flow collections one of ,?[]{}.
// It returns the text without trailing blanks and what ended it (':', '#',
// '\n' for the line's end, or the flow indicator).
func (p *fastParser) plainText(flow bool) (string, byte) {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\n':
			return strings.TrimRight(p.src[start:p.pos], " "), '\n'
		case c == ':' && p.blank(1):
			return strings.TrimRight(p.src[start:p.pos], " "), ':'
		case c == '#' && p.src[p.pos-1] == ' ':
			return strings.TrimRight(p.src[start:p.pos], " "), '#'
		case flow && strings.IndexByte(",?[]{}", c) >= 0:
			return strings.TrimRight(p.src[start:p.pos], " "), c
		}
		p.pos++
	}
	return strings.TrimRight(p.src[start:], " "), '\n'
}

// quoted reads a single- or double-quoted scalar on one line.
func (p *fastParser) quoted() (int32, bool) {
	q := p.src[p.pos]
	p.pos++
	start := p.pos
	var b []byte // the text, once an escape is met
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\n':
			return 0, false
		case c == q && q == '\'' && p.peek(1) == '\'':
			b = append(b, p.src[start:p.pos+1]...)
			p.pos += 2
			start = p.pos
			continue
		case c == q:
			off, text := start, p.src[start:p.pos]
			if b != nil {
				off, text = -1, string(append(b, text...))
			}
			p.pos++
			return p.scalar(off, text, false), true
		case c == '\\' && q == '"':
			b = append(b, p.src[start:p.pos]...)
			var ok bool
			if b, ok = p.escape(b); !ok {
				return 0, false
			}
			start = p.pos
			continue
		}
		p.pos++
	}
	return 0, false
}

// escape reads the escape at the position ('\\' and what follows) into b.
func (p *fastParser) escape(b []byte) ([]byte, bool) {
	c := p.peek(1)
	p.pos += 2
	if r, ok := simpleEscapes[c]; ok {
		return utf8.AppendRune(b, r), true
	}
	n := 0
	switch c {
	case 'x':
		n = 2
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return nil, false
	}
	if p.pos+n > len(p.src) {
		return nil, false
	}
	var r int64 // eight hex digits overflow a rune
	for _, h := range []byte(p.src[p.pos : p.pos+n]) {
		switch {
		case h >= '0' && h <= '9':
			r = r<<4 | int64(h-'0')
		case h >= 'a' && h <= 'f':
			r = r<<4 | int64(h-'a'+10)
		case h >= 'A' && h <= 'F':
			r = r<<4 | int64(h-'A'+10)
		default:
			return nil, false
		}
	}
	p.pos += n
	if r >= 0xD800 && r <= 0xDFFF || r > 0x10FFFF || (r >= 0x80 && r < 0xA0) || r == 0xFEFF || r == 0x2028 || r == 0x2029 {
		return nil, false
	}
	return utf8.AppendRune(b, rune(r)), true
}

// simpleEscapes are the one-character escapes of double-quoted scalars.
var simpleEscapes = map[byte]rune{
	'0': 0, 'a': '\a', 'b': '\b', 't': '\t', 'n': '\n', 'v': '\v', 'f': '\f', 'r': '\r', 'e': 0x1b,
	' ': ' ', '"': '"', '\'': '\'', '\\': '\\',
}

// flowSpace skips blanks, line breaks and comments inside a flow
// collection (the libraries ask no indentation of its lines).
func (p *fastParser) flowSpace() bool {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; c {
		case ' ':
			p.pos++
		case '\n':
			p.pos++
			p.line = p.pos
		case '#':
			if p.src[p.pos-1] != ' ' && p.src[p.pos-1] != '\n' {
				return false
			}
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		default:
			return true
		}
	}
	return true
}

// flow parses a flow collection.
func (p *fastParser) flow() (int32, bool) {
	if p.depth++; p.depth > maxFastDepth {
		return 0, false
	}
	defer func() { p.depth-- }()
	open := p.src[p.pos]
	closer := byte(']')
	kind := uint8(fastSequence)
	if open == '{' {
		closer, kind = '}', fastMapping
	}
	p.pos++
	start := len(p.open)
	if !p.flowSpace() {
		return 0, false
	}
	if p.peek(0) == closer {
		p.pos++
		return p.collection(kind, start), true
	}
	for {
		if kind == fastMapping {
			k, ok := p.flowNode(true)
			if !ok || p.peek(0) != ':' {
				return 0, false
			}
			p.pos++
			p.open = append(p.open, k)
			if !p.flowSpace() {
				return 0, false
			}
		}
		v, ok := p.flowNode(false)
		if !ok {
			return 0, false
		}
		p.open = append(p.open, v)
		if !p.flowSpace() {
			return 0, false
		}
		switch p.peek(0) {
		case ',':
			p.pos++
			if !p.flowSpace() || p.peek(0) == closer {
				return 0, false
			}
		case closer:
			p.pos++
			return p.collection(kind, start), true
		default:
			return 0, false
		}
	}
}

// flowNode parses a node in a flow collection; a key (key true) is a
// scalar on one line, directly followed by ':' (a plain one by ": ").
func (p *fastParser) flowNode(key bool) (int32, bool) {
	line, start := p.line, p.pos
	c := p.peek(0)
	switch {
	case key && (c == '"' || c == '\''):
		return p.quoted()
	case key:
		if !p.plainStart(true) {
			return 0, false
		}
		text, end := p.plainText(true)
		if end != ':' || p.pos-start > maxFastKey {
			return 0, false
		}
		return p.scalar(start, text, true), true
	case c == '&':
		name, ok := p.anchorName()
		if !ok || !p.flowSpace() {
			return 0, false
		}
		if p.line != line {
			return 0, false // an anchor's node on another line
		}
		return p.anchored(name, func() (int32, bool) { return p.flowNode(false) })
	case c == '*' || c == '[' || c == '{':
		return p.inline()
	case c == '"' || c == '\'':
		n, ok := p.quoted()
		if !ok {
			return 0, false
		}
		if e := p.peek(0); e != ' ' && e != '\n' && e != 0 && e != ',' && e != ']' && e != '}' {
			return 0, false
		}
		return n, true
	}
	if !p.plainStart(true) {
		return 0, false
	}
	start = p.pos
	text, end := p.plainText(true)
	switch end {
	case ':', '?', '[', '{':
		return 0, false
	case '\n':
		// A plain scalar goes on over the next line unless an indicator
		// follows.
		save, saveLine := p.pos, p.line
		if !p.flowSpace() {
			return 0, false
		}
		if e := p.peek(0); e != ',' && e != ']' && e != '}' {
			return 0, false
		}
		p.pos, p.line = save, saveLine
	}
	return p.scalar(start, text, true), true
}
