// Package uci reads and writes OpenWrt UCI configuration files the way
// libuci does (openwrt/uci file.c), keeping the file and line of every
// section, option and value so that callers can report problems precisely.
//
// The parser follows libuci's quoting, escaping, comment, ';' and
// abbreviation rules, including its quirks, and it reports every syntax
// error of a file at once instead of stopping at the first.
package uci

import (
	"fmt"
	"strconv"
	"strings"
)

// Pos is a place in a configuration file.
type Pos struct {
	File string
	Line int // 1-based
}

// String formats the position as file:line.
func (p Pos) String() string {
	return p.File + ":" + strconv.Itoa(p.Line)
}

// File is one parsed UCI configuration file.
type File struct {
	// Package is the name from a `package` statement, or "" when the file
	// has none (libuci then names the package after the file).
	Package  string
	Sections []*Section // in file order; repeated named sections are merged
}

// Section is one `config <type> ['<name>']` section.
type Section struct {
	Type string
	// Name is the section name; for anonymous sections it is the name
	// libuci generates (cfgNNHHHH), which scripts may also use.
	Name      string
	Anonymous bool
	Pos       Pos // where the section was first opened
	Options   []*Option
}

// Option is an `option` (one value) or a `list` (any number of values).
type Option struct {
	Name   string
	List   bool
	Values []string // exactly one value unless List is set
	// Pos is the statement that set the option: the last `option` line for
	// a repeated option, the first line for a list.
	Pos      Pos
	ValuePos []Pos // where each value starts, parallel to Values
}

// Value returns the value of a plain option, or the last element of a
// list, or "" when there is none.
func (o *Option) Value() string {
	if o == nil || len(o.Values) == 0 {
		return ""
	}
	return o.Values[len(o.Values)-1]
}

// Option returns the option with the given name, or nil.
func (s *Section) Option(name string) *Option {
	for _, o := range s.Options {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// SectionsOfType returns the sections of one type in file order.
func (f *File) SectionsOfType(typ string) []*Section {
	var out []*Section
	for _, s := range f.Sections {
		if s.Type == typ {
			out = append(out, s)
		}
	}
	return out
}

// Section finds a section by name or by libuci's positional reference
// @type[index], where a negative index counts from the end. It returns nil
// when there is no such section.
func (f *File) Section(ref string) *Section {
	if typ, idx, ok := parseRef(ref); ok {
		all := f.SectionsOfType(typ)
		if idx < 0 {
			idx += len(all)
		}
		if idx < 0 || idx >= len(all) {
			return nil
		}
		return all[idx]
	}
	for _, s := range f.Sections {
		if s.Name == ref {
			return s
		}
	}
	return nil
}

// parseRef splits "@type[index]".
func parseRef(ref string) (typ string, idx int, ok bool) {
	rest, found := strings.CutPrefix(ref, "@")
	if !found {
		return "", 0, false
	}
	open := strings.IndexByte(rest, '[')
	if open <= 0 || !strings.HasSuffix(rest, "]") {
		return "", 0, false
	}
	n, err := strconv.Atoi(rest[open+1 : len(rest)-1])
	if err != nil {
		return "", 0, false
	}
	return rest[:open], n, true
}

// SyntaxError is one problem libuci would refuse a file for.
type SyntaxError struct {
	Pos Pos
	Msg string
}

// Error formats the problem as file:line: message.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
}

// Errors is every syntax error found in one file, in line order.
type Errors []*SyntaxError

// Error lists the problems, one per line.
func (e Errors) Error() string {
	var b strings.Builder
	for i, err := range e {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(err.Error())
	}
	return b.String()
}
