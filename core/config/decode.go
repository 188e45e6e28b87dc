package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"

	yaml2 "go.yaml.in/yaml/v2"
	"sigs.k8s.io/yaml"
)

// The document is decoded once, by the YAML decoder sigs.k8s.io/yaml uses
// (go.yaml.in/yaml/v2, strict: a key given twice is an error), into the
// tree the schema check walks; the checked tree is then copied into a
// Config. Both steps used to go through JSON text: YAML to Go values to
// JSON to the tree (sigs.k8s.io/yaml's YAMLToJSONStrict, then a
// json.Decoder with UseNumber), and the tree to JSON to the Config (a
// strict json.Decoder). decodeTree and decodeConfig make what those made,
// without the text between them; a document holding what the JSON round
// trips would change or refuse (see plainTree) still takes the JSON way,
// so that it reads exactly as before.

// decodeTree decodes the document into a tree of map[string]any, []any,
// json.Number, string, bool and nil.
func decodeTree(data []byte) (any, error) {
	var obj any
	if err := yaml2.UnmarshalStrict(data, &obj); err != nil {
		return nil, fmt.Errorf("config is neither valid YAML nor JSON: %w", err)
	}
	var p plainTree
	if tree := p.value(obj, 0); !p.odd {
		return tree, nil
	}
	return decodeTreeJSON(data)
}

// decodeTreeJSON is the JSON way of decodeTree: the document is turned into
// JSON text and decoded with numbers kept as written.
func decodeTreeJSON(data []byte) (any, error) {
	js, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return nil, fmt.Errorf("config is neither valid YAML nor JSON: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return tree, nil
}

// maxPlainDepth is how deep plainTree goes; deeper documents take the JSON
// way, whose decoder refuses nesting past 10000.
const maxPlainDepth = 1000

// plainTree converts what the YAML decoder makes into the tree, as the JSON
// round trip would. It sets odd, and stops, at what that round trip would
// change or refuse: a non-finite number, a string that is not UTF-8, a key
// that is not a string, number or boolean, two keys that become the same
// string, nesting deeper than maxPlainDepth, a type it does not know.
type plainTree struct{ odd bool }

func (p *plainTree) value(v any, depth int) any {
	if depth > maxPlainDepth {
		p.odd = true
		return nil
	}
	switch x := v.(type) {
	case nil, bool:
		return x
	case string:
		if !utf8.ValidString(x) {
			p.odd = true
		}
		return x
	case int:
		return json.Number(strconv.Itoa(x))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			p.odd = true
			return nil
		}
		return json.Number(jsonFloat(x))
	case []any:
		out := make([]any, len(x))
		for i, el := range x {
			if out[i] = p.value(el, depth+1); p.odd {
				return nil
			}
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, el := range x {
			ks, ok := jsonKey(k)
			if _, dup := out[ks]; !ok || dup || !utf8.ValidString(ks) {
				p.odd = true
				return nil
			}
			if out[ks] = p.value(el, depth+1); p.odd {
				return nil
			}
		}
		return out
	}
	p.odd = true
	return nil
}

// jsonKey is the string sigs.k8s.io/yaml makes of a mapping key; false for
// a key it refuses.
func jsonKey(k any) (string, bool) {
	switch x := k.(type) {
	case string:
		return x, true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		switch s := strconv.FormatFloat(x, 'g', -1, 32); s {
		case "+Inf":
			return ".inf", true
		case "-Inf":
			return "-.inf", true
		case "NaN":
			return ".nan", true
		default:
			return s, true
		}
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// jsonFloat formats a finite float64 as encoding/json does.
func jsonFloat(f float64) string {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b := strconv.AppendFloat(nil, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return string(b)
}

// errNotPlain is copyTree meeting what it does not copy as encoding/json
// would; decodeConfig then takes the JSON way.
var errNotPlain = errors.New("not a plain tree")

// decodeConfig copies the checked tree into a Config as a strict
// json.Decoder reading the tree's JSON would: the schema check left only
// known keys holding values of their fields' types.
func decodeConfig(tree any) (*Config, error) {
	var cfg Config
	c := copyTree{fields: map[reflect.Type]map[string]int{}}
	err := c.value(reflect.ValueOf(&cfg).Elem(), tree)
	if errors.Is(err, errNotPlain) {
		return decodeConfigJSON(tree)
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return &cfg, nil
}

// decodeConfigJSON is the JSON way of decodeConfig.
func decodeConfigJSON(tree any) (*Config, error) {
	clean, err := json.Marshal(tree)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var cfg Config
	strict := json.NewDecoder(bytes.NewReader(clean))
	strict.DisallowUnknownFields()
	if err := strict.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return &cfg, nil
}

// copyTree copies a tree into a Go value. fields caches each struct
// type's fields by key.
type copyTree struct {
	fields map[reflect.Type]map[string]int
}

func (c *copyTree) value(v reflect.Value, node any) error {
	t := v.Type()
	if t == durationType {
		// null leaves the duration not set, as Duration.UnmarshalJSON does.
		if node == nil {
			return nil
		}
		s, ok := node.(string)
		if !ok {
			return errNotPlain
		}
		d, err := ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	}
	if node == nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			v.SetZero()
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return c.value(v.Elem(), node)
	case reflect.Struct:
		m, ok := node.(map[string]any)
		if !ok {
			return errNotPlain
		}
		fields := c.structFields(t)
		for k, el := range m {
			i, ok := fields[k]
			if !ok {
				return errNotPlain
			}
			if err := c.value(v.Field(i), el); err != nil {
				return err
			}
		}
	case reflect.Map:
		m, ok := node.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return errNotPlain
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(t, len(m)))
		}
		for k, el := range m {
			e := reflect.New(t.Elem()).Elem()
			if err := c.value(e, el); err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), e)
		}
	case reflect.Slice:
		list, ok := node.([]any)
		if !ok {
			return errNotPlain
		}
		s := reflect.MakeSlice(t, len(list), len(list))
		for i, el := range list {
			if err := c.value(s.Index(i), el); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.String:
		s, ok := node.(string)
		if !ok {
			return errNotPlain
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := node.(bool)
		if !ok {
			return errNotPlain
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, ok := node.(json.Number)
		if !ok {
			return errNotPlain
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return errNotPlain
		}
		v.SetInt(i)
	case reflect.Float64:
		n, ok := node.(json.Number)
		if !ok {
			return errNotPlain
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return errNotPlain
		}
		v.SetFloat(f)
	default:
		return errNotPlain
	}
	return nil
}

// structFields maps the keys of struct type t to its fields' indexes.
func (c *copyTree) structFields(t reflect.Type) map[string]int {
	if f, ok := c.fields[t]; ok {
		return f
	}
	f := map[string]int{}
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" && t.Field(i).IsExported() {
			f[name] = i
		}
	}
	c.fields[t] = f
	return f
}
