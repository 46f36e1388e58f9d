package config

import (
	"sort"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a configuration file. Messages never
// contain the value of a secret option.
type Problem struct {
	Pos     Pos
	Section string // section name, @type[index] for anonymous ones; "" for syntax errors
	Option  string // "" when the problem is about the whole section
	Message string
}

// String formats the problem as file:line: section.option: message.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Pos.File)
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(p.Pos.Line))
	b.WriteString(": ")
	if p.Section != "" {
		b.WriteString(p.Section)
		if p.Option != "" {
			b.WriteByte('.')
			b.WriteString(p.Option)
		}
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in a configuration, sorted by line.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

func (ps Problems) sort() {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Pos.Line < ps[j].Pos.Line })
}

// redact replaces any of the given values in the messages. Messages are
// built not to quote secrets at all; this is the second line of defence,
// for values long enough not to garble ordinary words.
func (ps Problems) redact(secrets []string) {
	for i := range ps {
		for _, s := range secrets {
			if len(s) >= 4 && strings.Contains(ps[i].Message, s) {
				ps[i].Message = strings.ReplaceAll(ps[i].Message, s, redacted)
			}
		}
	}
}
