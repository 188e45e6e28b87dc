package config

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// fastDecoder makes the tree of a fast reader's node tree as
// go.yaml.in/yaml/v2 (strict) decodes into an interface and plainTree
// converts: each alias decoded afresh, merge keys merged, plain scalars
// resolved as the library resolves them. It gives up (false) where the
// library fails or plainTree takes the JSON way: a key given twice, a key
// that is not a string, a merge of what is not a mapping, the library's
// excessive aliasing, nesting past maxFastDecodeDepth, a non-finite number.
type fastDecoder struct {
	p *fastParser
	// As go.yaml.in/yaml/v2's decoder counts, to give up where it refuses
	// a document for excessive aliasing.
	decodeCount, aliasCount, aliasDepth int
	depth                               int
}

func (d *fastDecoder) document(root int32) (any, bool) {
	d.count() // the document node
	return d.value(root)
}

// maxFastDecodeDepth bounds the nesting fastDecoder makes, aliases
// expanded; deeper trees take the libraries' way (plainTree's bound is
// maxPlainDepth).
const maxFastDecodeDepth = 200

// The library's bounds on aliasing (go.yaml.in/yaml/v2 decode.go).
const (
	aliasRatioRangeLow  = 400000
	aliasRatioRangeHigh = 4000000
)

// count counts a decoded node as the library does and reports whether it
// still decodes.
func (d *fastDecoder) count() bool {
	d.decodeCount++
	if d.aliasDepth > 0 {
		d.aliasCount++
	}
	if d.aliasCount > 100 && d.decodeCount > 1000 {
		ratio := 0.99
		switch {
		case d.decodeCount >= aliasRatioRangeHigh:
			ratio = 0.10
		case d.decodeCount > aliasRatioRangeLow:
			ratio = 0.99 - 0.89*(float64(d.decodeCount-aliasRatioRangeLow)/(aliasRatioRangeHigh-aliasRatioRangeLow))
		}
		if float64(d.aliasCount)/float64(d.decodeCount) > ratio {
			return false
		}
	}
	return true
}

func (d *fastDecoder) value(i int32) (any, bool) {
	if !d.count() {
		return nil, false
	}
	n := &d.p.nodes[i]
	switch n.kind {
	case fastAlias:
		d.aliasDepth++
		v, ok := d.value(n.target)
		d.aliasDepth--
		return v, ok
	case fastScalar:
		if !n.plain {
			return d.p.text(n), true
		}
		return resolvePlain(d.p.text(n))
	}
	if d.depth++; d.depth > maxFastDecodeDepth {
		return nil, false
	}
	defer func() { d.depth-- }()
	if n.kind == fastSequence {
		out := make([]any, n.nkids)
		for j, k := range d.p.kids[n.kids : n.kids+n.nkids] {
			v, ok := d.value(k)
			if !ok {
				return nil, false
			}
			out[j] = v
		}
		return out, true
	}
	out := make(map[string]any, n.nkids/2)
	return out, d.mapping(n, out)
}

// mapping decodes the keys and values of mapping n into out.
func (d *fastDecoder) mapping(n *fastNode, out map[string]any) bool {
	kids := d.p.kids[n.kids : n.kids+n.nkids]
	for j := 0; j < len(kids); j += 2 {
		k := &d.p.nodes[kids[j]]
		if k.kind == fastScalar && k.plain && d.p.text(k) == "<<" {
			if !d.merge(kids[j+1], out) {
				return false
			}
			continue
		}
		kv, ok := d.value(kids[j])
		ks, isString := kv.(string)
		if !ok || !isString {
			return false
		}
		v, ok := d.value(kids[j+1])
		if !ok {
			return false
		}
		n := len(out)
		if out[ks] = v; len(out) == n {
			return false // set again: the library's "key already set in map"
		}
	}
	return true
}

// merge merges the mapping (or alias of one) at i into out.
func (d *fastDecoder) merge(i int32, out map[string]any) bool {
	if !d.count() {
		return false
	}
	n := &d.p.nodes[i]
	if n.kind == fastAlias {
		d.aliasDepth++
		defer func() { d.aliasDepth-- }()
		if !d.count() {
			return false
		}
		n = &d.p.nodes[n.target]
	}
	if n.kind != fastMapping {
		return false
	}
	if d.depth++; d.depth > maxFastDecodeDepth {
		return false
	}
	defer func() { d.depth-- }()
	return d.mapping(n, out)
}

// resolvePlain resolves a plain scalar as go.yaml.in/yaml/v2 does (its
// resolve, untagged) and converts the result as plainTree does; false where
// plainTree would take the JSON way.
func resolvePlain(in string) (any, bool) {
	if in == "" {
		return nil, true
	}
	switch in[0] {
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~':
		switch in {
		case "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
			return true, true
		case "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
			return false, true
		case "~", "null", "Null", "NULL":
			return nil, true
		}
		return in, true
	case '.':
		switch in {
		case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF":
			return nil, false
		}
		if f, err := strconv.ParseFloat(in, 64); err == nil {
			return plainFloat(f)
		}
		return in, true
	case '+', '-':
		switch in {
		case "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
			return nil, false
		}
		return resolveNumber(in)
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return resolveNumber(in)
	}
	return in, true
}

// resolveNumber is resolve's int, float or timestamp branch.
func resolveNumber(in string) (any, bool) {
	if _, ok := yamlTimestamp(in); ok {
		return in, true // decoded into an interface, a timestamp stays a string
	}
	plain := strings.ReplaceAll(in, "_", "")
	if !maybeNumber(plain) {
		return in, true
	}
	if i, err := strconv.ParseInt(plain, 0, 64); err == nil {
		return plainInt(i), true
	}
	if u, err := strconv.ParseUint(plain, 0, 64); err == nil {
		return json.Number(strconv.FormatUint(u, 10)), true
	}
	if yamlStyleFloat(plain) {
		if f, err := strconv.ParseFloat(plain, 64); err == nil {
			return plainFloat(f)
		}
	}
	if rest, ok := strings.CutPrefix(plain, "0b"); ok {
		if i, err := strconv.ParseInt(rest, 2, 64); err == nil {
			return plainInt(i), true
		}
		if u, err := strconv.ParseUint(rest, 2, 64); err == nil {
			return json.Number(strconv.FormatUint(u, 10)), true
		}
	} else if rest, ok := strings.CutPrefix(plain, "-0b"); ok {
		if i, err := strconv.ParseInt("-"+rest, 2, 64); err == nil {
			return plainInt(i), true
		}
	}
	return in, true
}

// maybeNumber reports whether s has only characters the number parsers
// below accept: after an optional sign, digits, hex digits, the base
// prefixes' letters, '.', and a sign after an exponent's e.
func maybeNumber(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F',
			c == 'x', c == 'X', c == 'o', c == 'O', c == '.':
		case c == '+' || c == '-':
			if i > 0 && s[i-1] != 'e' && s[i-1] != 'E' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func plainInt(i int64) any { return json.Number(strconv.FormatInt(i, 10)) }

func plainFloat(f float64) (any, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, false
	}
	return json.Number(jsonFloat(f)), true
}

// yamlStyleFloat matches ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$.
func yamlStyleFloat(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// yamlTimestamp is go.yaml.in/yaml/v2's parseTimestamp.
func yamlTimestamp(s string) (time.Time, bool) {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return time.Time{}, false
	}
	for _, format := range []string{
		"2006-1-2T15:4:5.999999999Z07:00",
		"2006-1-2t15:4:5.999999999Z07:00",
		"2006-1-2 15:4:5.999999999",
		"2006-1-2",
	} {
		if t, err := time.Parse(format, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
