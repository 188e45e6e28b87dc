// Package runnerfile reads what a GitHub Actions step wrote to the runner's
// file commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV): the tests, the
// demo and the benchmark run the Action binary as the runner does and read
// its outputs back with it.
package runnerfile

import (
	"bufio"
	"fmt"
	"strings"
)

// Parse reads the multi-line file command format a step writes,
// name<<DELIMITER, the value's lines, DELIMITER, for each value, and returns
// the values by name (a later value wins, as on the runner). Blank lines
// between values are skipped; any other line outside a value, or a value
// whose delimiter never comes, is an error that names the line number but
// not the text, which may be a secret.
func Parse(s string) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" {
			continue
		}
		name, delim, ok := strings.Cut(line, "<<")
		if !ok || name == "" || delim == "" {
			return nil, fmt.Errorf("file command line %d is not name<<DELIMITER", n)
		}
		start, closed := n, false
		var val []string
		for sc.Scan() {
			n++
			if sc.Text() == delim {
				closed = true
				break
			}
			val = append(val, sc.Text())
		}
		if !closed {
			return nil, fmt.Errorf("file command %q from line %d has no closing delimiter", name, start)
		}
		out[name] = strings.Join(val, "\n")
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read file commands: %w", err)
	}
	return out, nil
}
