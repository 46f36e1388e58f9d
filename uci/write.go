package uci

import (
	"bufio"
	"io"
	"strings"
)

// WriteTo writes the file in the format `uci export` uses: a `package`
// line when Package is set, then each section with its options, every
// value in single quotes; an embedded quote closes the quoted piece, adds
// an escaped \' and opens a new piece, as libuci writes it. Anonymous
// sections are written without a name, so libuci (and Parse) regenerate
// the same name when the file is read back.
//
// Unlike libuci, a section type holding a quote, '#', ';' or a backslash is
// quoted too, so that every File Parse can produce is written in a form that
// reads back the same.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	return f.write(w, false)
}

// write is WriteTo; rawTypes writes section types unquoted, exactly as
// libuci does, for comparing with its output.
func (f *File) write(w io.Writer, rawTypes bool) (int64, error) {
	cw := &countWriter{w: w}
	bw := bufio.NewWriter(cw)
	if f.Package != "" {
		bw.WriteString("package " + f.Package + "\n")
	}
	for _, s := range f.Sections {
		typ := s.Type
		if !rawTypes {
			typ = writeType(typ)
		}
		bw.WriteString("\nconfig " + typ)
		if !s.Anonymous {
			bw.WriteString(" " + quote(s.Name))
		}
		bw.WriteString("\n")
		for _, o := range s.Options {
			kw := "option"
			if o.List {
				kw = "list"
			}
			for _, v := range o.Values {
				bw.WriteString("\t" + kw + " " + o.Name + " " + quote(v) + "\n")
			}
		}
	}
	bw.WriteString("\n")
	err := bw.Flush()
	return cw.n, err
}

// quote puts a value in single quotes, which need no escaping inside.
func quote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

func writeType(t string) string {
	if strings.ContainsAny(t, "'\"#;\\") {
		return quote(t)
	}
	return t
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
