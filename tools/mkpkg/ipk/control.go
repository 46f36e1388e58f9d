package ipk

import (
	"bufio"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Field is one control-file field; Value keeps continuation lines joined by
// "\n" with their single leading space removed.
type Field struct {
	Name  string
	Value string
}

// Control renders the control file. Fields are emitted in the order
// OpenWrt's include/package-pack.mk uses, and only when non-empty.
func (s *Spec) Control(installedSize int64, sourceDateEpoch int64) string {
	var b strings.Builder
	add := func(name, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s: %s\n", name, value)
		}
	}
	add("Package", s.Package)
	add("Version", s.FullVersion())
	// Every package but libc itself depends on libc (package-defaults.mk
	// DEPENDS, kept by package-pack.mk), as on the apk side.
	deps := s.Depends
	if s.Package != "libc" && !slices.Contains(deps, "libc") {
		deps = append([]string{"libc"}, deps...)
	}
	add("Depends", strings.Join(deps, ", "))
	add("Conflicts", strings.Join(s.Conflicts, ", "))
	add("Provides", strings.Join(s.Provides, ", "))
	add("Source", s.Source)
	add("SourceName", s.SourceName)
	add("License", s.License)
	add("LicenseFiles", s.LicenseFiles)
	add("Section", s.Section)
	add("Require-User", s.RequireUser)
	add("SourceDateEpoch", strconv.FormatInt(sourceDateEpoch, 10))
	add("URL", s.URL)
	add("Maintainer", s.Maintainer)
	add("Architecture", s.Architecture)
	add("Installed-Size", strconv.FormatInt(installedSize, 10))
	lines := strings.Split(strings.TrimSpace(s.Description), "\n")
	fmt.Fprintf(&b, "Description: %s\n", strings.TrimSpace(lines[0]))
	for _, l := range lines[1:] {
		l = strings.TrimSpace(l)
		if l == "" {
			// An empty line would end the record in opkg's parser.
			l = "."
		}
		fmt.Fprintf(&b, " %s\n", l)
	}
	return b.String()
}

// ParseControl splits a control file into its fields, in order. It follows
// opkg's rules: "Name: value" lines, continuation lines start with a space or
// tab, and a blank line ends the record.
func ParseControl(text string) ([]Field, error) {
	var fields []Field
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(fields) == 0 {
				return nil, fmt.Errorf("ipk: control line %d: continuation before any field", n)
			}
			f := &fields[len(fields)-1]
			f.Value += "\n" + line[1:]
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" || strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("ipk: control line %d: not a field: %q", n, line)
		}
		fields = append(fields, Field{Name: name, Value: strings.TrimSpace(value)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("ipk: control: %w", err)
	}
	return fields, nil
}

// Get returns the value of the first field called name.
func Get(fields []Field, name string) (string, bool) {
	for _, f := range fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}
