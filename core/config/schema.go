package config

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// schemaCheck walks the decoded document beside the Go types it decodes
// into, so that unknown keys, values of the wrong type and bad durations are
// reported with the path the user wrote, and secret keys are refused wherever
// they appear. It removes what it reports from the tree, so that the rest
// decodes.
type schemaCheck struct {
	errs *errorList
	// fields caches each struct type's fields by key.
	fields map[reflect.Type]map[string]reflect.Type
}

var (
	durationType = reflect.TypeFor[Duration]()
	targetType   = reflect.TypeFor[TargetConfig]()
)

// value checks node against t and reports whether it is well-formed.
func (s *schemaCheck) value(at loc, path string, node any, t reflect.Type) bool {
	if node == nil {
		return true // null: not set
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	bad := func(problem, accepted string) bool {
		s.errs.add(at, path, problem, accepted)
		return false
	}
	if t == durationType {
		str, ok := node.(string)
		if !ok {
			return bad("must be a string, not "+kindOf(node), acceptedDuration)
		}
		if _, err := ParseDuration(str); err != nil {
			return bad(err.Error(), acceptedDuration)
		}
		return true
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := node.(map[string]any)
		if !ok {
			return bad("must be a mapping (object), not "+kindOf(node), "keys "+strings.Join(jsonKeys(t), ", "))
		}
		s.object(at, path, m, t)
	case reflect.Map:
		m, ok := node.(map[string]any)
		if !ok {
			return bad("must be a mapping (object), not "+kindOf(node), "a mapping of names to "+plural(t.Elem()))
		}
		for _, k := range sortedKeysOf(m) {
			p := join(path, k)
			if s.refuseSecret(at, p, k) || !s.value(at, p, m[k], t.Elem()) {
				delete(m, k)
			}
		}
	case reflect.Slice:
		list, ok := node.([]any)
		if !ok {
			return bad("must be a list, not "+kindOf(node), "a list of "+plural(t.Elem()))
		}
		for i, el := range list {
			if t.Elem() == targetType {
				s.target(i, list)
				continue
			}
			if !s.value(at, path+"["+strconv.Itoa(i)+"]", el, t.Elem()) {
				list[i] = nil
			}
		}
	case reflect.String:
		if _, ok := node.(string); !ok {
			return bad("must be a string, not "+kindOf(node), "a string (quote values YAML would read as numbers or booleans)")
		}
	case reflect.Bool:
		if _, ok := node.(bool); !ok {
			return bad("must be a boolean, not "+kindOf(node), "true, false")
		}
	case reflect.Int, reflect.Int64:
		n, ok := node.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return bad("must be a whole number, not "+kindOf(node), "a whole number")
		}
	case reflect.Float64:
		n, ok := node.(json.Number)
		if _, err := n.Float64(); !ok || err != nil {
			return bad("must be a number, not "+kindOf(node), "a number")
		}
	}
	return true
}

// target checks targets[i], located by its name.
func (s *schemaCheck) target(i int, list []any) {
	at := loc{index: i}
	m, ok := list[i].(map[string]any)
	if !ok {
		problem := "must be a mapping (object), not " + kindOf(list[i])
		if list[i] == nil {
			problem = "is empty"
		}
		s.errs.add(at, "", problem, "a mapping with name, provider, region, credentials, ...")
		list[i] = map[string]any{}
		return
	}
	at.target, _ = m["name"].(string)
	s.object(at, "", m, targetType)
}

// object checks a mapping against struct type t, removing bad keys.
func (s *schemaCheck) object(at loc, path string, m map[string]any, t reflect.Type) {
	fields := s.structFields(t)
	var buf [24]keyValue
	for _, e := range sortedEntries(buf[:0], m) {
		k := e.k
		p := join(path, k)
		if ft, known := fields[k]; known {
			if !s.value(at, p, e.v, ft) {
				delete(m, k)
			}
			continue
		}
		switch alias, auth := authKeys[normalizeKey(k)]; {
		case s.refuseSecret(at, p, k):
		case auth:
			s.errs.add(at, p, "cloud credentials do not belong in the config document",
				"put "+alias+" in a Secrets Manager secret's JSON and name the secret in credentials: {secret: <id>}")
		default:
			s.errs.add(at, p, "unknown key", "keys "+strings.Join(jsonKeys(t), ", "))
			s.scanSecrets(at, p, m[k])
		}
		delete(m, k)
	}
}

// keyValue is an entry of a mapping.
type keyValue struct {
	k string
	v any
}

// sortedEntries appends m's entries to entries, sorted by key (into a
// buffer on the caller's stack when they fit: object runs for every
// target).
func sortedEntries(entries []keyValue, m map[string]any) []keyValue {
	for k, v := range m {
		entries = append(entries, keyValue{k, v})
	}
	slices.SortFunc(entries, func(a, b keyValue) int { return strings.Compare(a.k, b.k) })
	return entries
}

// structFields maps the keys of struct type t to its fields' types.
func (s *schemaCheck) structFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := s.fields[t]; ok {
		return f
	}
	f := map[string]reflect.Type{}
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			f[name] = t.Field(i).Type
		}
	}
	if s.fields == nil {
		s.fields = map[reflect.Type]map[string]reflect.Type{}
	}
	s.fields[t] = f
	return f
}

// scanSecrets refuses secret keys anywhere under node, a part of the
// document outside the schema.
func (s *schemaCheck) scanSecrets(at loc, path string, node any) {
	switch v := node.(type) {
	case map[string]any:
		for _, k := range sortedKeysOf(v) {
			p := join(path, k)
			if !s.refuseSecret(at, p, k) {
				s.scanSecrets(at, p, v[k])
			}
		}
	case []any:
		for i, el := range v {
			s.scanSecrets(at, path+"["+strconv.Itoa(i)+"]", el)
		}
	}
}

// refuseSecret reports (and records) whether key k looks like a secret.
func (s *schemaCheck) refuseSecret(at loc, path, k string) bool {
	if isSecretKey(k) {
		s.errs.add(at, path, "secrets are refused in the config document (the value is not shown)",
			"put it in a Secrets Manager secret whose JSON holds "+secretKeysHint+", and name that secret in credentials: {secret: <id>} or credential-sources")
		return true
	}
	return false
}

// secretKeysHint lists the keys a credentials secret holds.
const secretKeysHint = `access_key_id, access_key_secret (and security_token, project_id), or iam_user, iam_password, iam_domain`

// secretKeys are normalised key names (lowercase, without '-', '_', '.',
// ' ') that hold secrets.
var secretKeys = map[string]bool{
	"accesskeysecret": true, "secretkey": true, "secretaccesskey": true, "awssecretaccesskey": true,
	"sk": true, "securitytoken": true, "sessiontoken": true, "token": true, "authtoken": true,
	"accesstoken": true, "idtoken": true, "webidentitytoken": true, "password": true, "iampassword": true,
	"passwd": true, "pass": true, "privatekey": true, "apikey": true, "clientsecret": true, "auth": true,
	"tencentcloudsecretkey": true, "huaweicloudsdksk": true, "cloudsdksk": true,
}

// authKeys are normalised names of cloud auth fields that are not secret
// themselves but belong with the secret, mapped to the secret JSON key.
var authKeys = map[string]string{
	"accesskeyid": "access_key_id", "ak": "access_key_id", "secretid": "access_key_id",
	"projectid": "project_id", "iamuser": "iam_user", "iamdomain": "iam_domain",
	"username": "iam_user", "user": "iam_user", "domain": "iam_domain",
}

func normalizeKey(k string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(k))
}

func isSecretKey(k string) bool {
	n := normalizeKey(k)
	return secretKeys[n] || strings.Contains(n, "password") || strings.Contains(n, "secretkey") ||
		strings.HasSuffix(n, "keysecret")
}

// plural names the values of type t, for what a list or mapping of them
// accepts: "whole numbers", or "mappings with keys name, provider, ...".
func plural(t reflect.Type) string {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return "mappings with keys " + strings.Join(jsonKeys(t), ", ")
	case reflect.Int, reflect.Int64:
		return "whole numbers"
	case reflect.Float64:
		return "numbers"
	case reflect.Bool:
		return "booleans"
	}
	return "strings"
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	name, _, _ := strings.Cut(tag, ",")
	if name == "-" {
		return ""
	}
	return name
}

func jsonKeys(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		if name := jsonName(t.Field(i)); name != "" {
			keys = append(keys, name)
		}
	}
	return keys
}

// join appends key k to a key path. An empty key, or one with a quote or
// a character that does not print (a newline), is quoted, so that every
// error names its key, on one line.
func join(path, k string) string {
	if k == "" || !plainKey(k) && strings.ContainsFunc(k, func(r rune) bool { return r == '"' || !unicode.IsPrint(r) }) {
		k = strconv.Quote(k)
	}
	if path == "" {
		return k
	}
	return path + "." + k
}

// plainKey reports whether k is printable ASCII without a quote: what
// join leaves as it is without looking at its runes.
func plainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c >= 0x7f || c == '"' {
			return false
		}
	}
	return true
}

func kindOf(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return "null"
}
