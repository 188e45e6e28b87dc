package main

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// row is one line of a section's table.
type row struct {
	what, median, p90, goal, met string
}

// section is one titled table.
type section struct {
	title string
	rows  []row
	notes []string
}

func (s *section) add(r row) { s.rows = append(s.rows, r) }

func (s *section) note(format string, args ...any) {
	s.notes = append(s.notes, fmt.Sprintf(format, args...))
}

// print writes the section as an aligned table.
func (s *section) print(w io.Writer) {
	fmt.Fprintf(w, "\n%s\n", s.title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  measure\tmedian (or value)\tp90\tgoal\t")
	for _, r := range s.rows {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", r.what, r.median, r.p90, r.goal, r.met)
	}
	tw.Flush()
	for _, n := range s.notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}
