package config

import (
	"bytes"
	"fmt"

	yaml3 "go.yaml.in/yaml/v3"
)

// Bounds on the document. A YAML alias (*name) stands for the whole node
// its anchor (&name) names, so a small document can stand for a large one:
// a 60 KB string named a thousand times is 60 MB, and the YAML decoder
// builds all of it (its own guard counts aliased nodes, not bytes, and
// lets that through). So before the document is decoded, what it expands
// to is measured on its node tree, where an alias is still a pointer, and
// a document that stands for more than maxExpandedSize is refused.
const (
	maxDocumentSize = 1 << 20 // as written: about 5000 targets
	maxExpandedSize = 4 << 20 // with every alias expanded, as expansion.size counts
)

// nodeCost is what expansion.size counts for each node besides its text:
// about the quotes and separators it takes as JSON, so that a million
// one-letter nodes weigh as much as the long strings of the same size.
const nodeCost = 4

// errExpanded refuses a document that stands for more than the bound.
var errExpanded = fmt.Errorf("config expands to more than %d MiB once its YAML aliases (*name) are replaced by what they name; accepted: a document that expands to at most %d MiB",
	maxExpandedSize>>20, maxExpandedSize>>20)

// checkExpansion refuses a document whose aliases expand it past
// maxExpandedSize. A document without '*' has no alias and stands for
// itself; the others are parsed into a node tree (go.yaml.in/yaml/v3
// keeps aliases as pointers there) and measured. A document with '*' that
// this parser cannot read is refused with its error: it cannot be
// measured, and handing it to the decoder would be handing it an
// unmeasured document.
func checkExpansion(data []byte) error {
	if bytes.IndexByte(data, '*') < 0 {
		return nil
	}
	root, err := parseNodes(data)
	if err != nil {
		return fmt.Errorf("config is neither valid YAML nor JSON: %w", err)
	}
	m := expansion{sizes: map[*yaml3.Node]int64{}}
	if m.size(root) > maxExpandedSize {
		return errExpanded
	}
	return nil
}

// parseNodes parses the first document of data into its node tree, without
// decoding (which would expand the aliases). A panic of the parser is an
// error: Parse never panics.
func parseNodes(data []byte) (root *yaml3.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("yaml: %v", r)
		}
	}()
	var n yaml3.Node
	if err := yaml3.Unmarshal(data, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// expansion measures node trees. sizes memoizes the size of every anchored
// node (the only ones an alias can name), so that each node is visited
// once however often it is named, and aliases of aliases cost nothing
// more; -1 marks an anchored node being measured.
type expansion struct {
	sizes map[*yaml3.Node]int64
}

// size returns what n expands to: the length of every scalar's text plus
// nodeCost per node, with each alias counting the size of the node it
// names. Sums stop growing past maxExpandedSize, so they cannot overflow.
func (m *expansion) size(n *yaml3.Node) int64 {
	if n == nil {
		return 0
	}
	if n.Kind == yaml3.AliasNode {
		t := n.Alias
		if t == nil {
			return nodeCost
		}
		if s, ok := m.sizes[t]; ok {
			if s < 0 {
				// An alias inside the node it names: the decoder refuses
				// it ("value contains itself"), so it adds nothing here.
				return nodeCost
			}
			return s
		}
		// Not met yet, which document order rules out: measure it now.
		return m.size(t)
	}
	if n.Anchor != "" {
		if s, ok := m.sizes[n]; ok && s >= 0 {
			return s
		}
		m.sizes[n] = -1
	}
	s := int64(nodeCost + len(n.Value))
	for _, c := range n.Content {
		s = min(s+m.size(c), maxExpandedSize+1)
	}
	if n.Anchor != "" {
		m.sizes[n] = s
	}
	return s
}

// treeSize measures a decoded tree as size measures a node tree (numbers,
// booleans and nulls count nodeCost alone, so that a tree never measures
// more than the node tree it was decoded from). Parse checks it too, in
// case the YAML decoder reads aliases differently from the parser that
// measured them.
func treeSize(v any) int64 {
	switch x := v.(type) {
	case string:
		return int64(nodeCost + len(x))
	case []any:
		s := int64(nodeCost)
		for _, el := range x {
			s = min(s+treeSize(el), maxExpandedSize+1)
		}
		return s
	case map[string]any:
		s := int64(nodeCost)
		for k, el := range x {
			s = min(s+int64(nodeCost+len(k))+treeSize(el), maxExpandedSize+1)
		}
		return s
	}
	return nodeCost
}
