package uci

import (
	"bytes"
	"fmt"
)

// Parse reads a UCI file. filename is used only in positions and errors.
//
// When the file has syntax errors, Parse returns them all as Errors
// together with the sections it could read, so that callers may go on
// checking the rest; a line with an error contributes nothing.
//
// Parse follows libuci in strict mode (the uci command line default), with
// two deliberate differences: every physical line is counted, also a last
// line without a newline, and an unterminated quote is reported at the line
// where the quote was opened rather than at the end of the file. A NUL byte,
// which libuci mishandles, makes its line a syntax error.
func Parse(filename string, data []byte) (*File, error) {
	p := &parser{file: filename, data: data, f: &File{}}
	p.run()
	if len(p.errs) > 0 {
		return p.f, p.errs
	}
	return p.f, nil
}

// parser mirrors libuci's parse context: a mutable buffer holding one
// logical line (more than one physical line for multi-line values), which
// the argument parser rewrites in place exactly as libuci does. Keeping the
// in-place rewriting is what reproduces libuci's edge cases, such as an
// unquoted value directly followed by ';' swallowing the rest of the line.
type parser struct {
	file string
	data []byte
	off  int // next unread byte of data

	buf   []byte
	pos   int
	line  int         // physical lines read so far
	lines []lineStart // where each physical line starts in buf

	f        *File
	errs     Errors
	cur      *Section
	poisoned bool // the last config line failed: drop its options quietly
	nSection int  // sections allocated, for generated names
}

type lineStart struct{ off, line int }

// parseError aborts the current logical line; run recovers it.
type parseError struct{ err *SyntaxError }

func (p *parser) run() {
	for p.off < len(p.data) {
		p.parseLineSafe()
	}
}

// parseLineSafe reads and parses one logical line, recording its error.
func (p *parser) parseLineSafe() {
	defer func() {
		if r := recover(); r != nil {
			pe, ok := r.(parseError)
			if !ok {
				panic(r)
			}
			p.errs = append(p.errs, pe.err)
		}
	}()
	p.buf = p.buf[:0]
	p.lines = p.lines[:0]
	p.pos = 0
	p.getln(0)
	p.parseLine()
}

func (p *parser) fail(msg string) {
	p.failAt(p.line, msg)
}

func (p *parser) failAt(line int, msg string) {
	panic(parseError{&SyntaxError{Pos: Pos{File: p.file, Line: line}, Msg: msg}})
}

// getln appends the next physical line to buf at offset, replacing what
// was there (libuci uci_getln). At the end of input buf is cut at offset.
func (p *parser) getln(offset int) {
	p.buf = p.buf[:offset]
	for len(p.lines) > 0 && p.lines[len(p.lines)-1].off >= offset {
		p.lines = p.lines[:len(p.lines)-1]
	}
	if p.off >= len(p.data) {
		return
	}
	end := bytes.IndexByte(p.data[p.off:], '\n')
	if end < 0 {
		end = len(p.data)
	} else {
		end += p.off + 1
	}
	ln := p.data[p.off:end]
	p.off = end
	p.line++
	p.lines = append(p.lines, lineStart{off: offset, line: p.line})
	if bytes.IndexByte(ln, 0) >= 0 {
		// libuci's fgets/strlen loop silently splices lines around a NUL;
		// nothing sensible can be read from such a line.
		p.buf = append(p.buf, '\n')
		p.fail("invalid NUL character")
	}
	p.buf = append(p.buf, ln...)
}

// lineOf is the physical line that buf[off] came from.
func (p *parser) lineOf(off int) int {
	line := p.line
	for i := len(p.lines) - 1; i >= 0; i-- {
		if p.lines[i].off <= off {
			return p.lines[i].line
		}
	}
	return line
}

// ch is the byte at i, or 0 past the end (C string semantics).
func (p *parser) ch(i int) byte {
	if i < len(p.buf) {
		return p.buf[i]
	}
	return 0
}

func (p *parser) set0(i int) {
	if i < len(p.buf) {
		p.buf[i] = 0
	}
}

// cstr is the NUL-terminated string starting at i.
func (p *parser) cstr(i int) string {
	if i >= len(p.buf) {
		return ""
	}
	s := p.buf[i:]
	if n := bytes.IndexByte(s, 0); n >= 0 {
		s = s[:n]
	}
	return string(s)
}

// isspace is C isspace in the "C" locale.
func isspace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func (p *parser) skipWhitespace() {
	for c := p.ch(p.pos); c != 0 && isspace(c); c = p.ch(p.pos) {
		p.pos++
	}
}

// increasePos skips the command word and the delimiter after it.
func (p *parser) increasePos(msg string) {
	add := len(p.cstr(p.pos)) + 1
	if p.pos+add > len(p.buf) {
		p.fail(msg)
	}
	p.pos += add
}

func (p *parser) parseLine() {
	p.skipWhitespace()
	for {
		// strtok(cur, " \t"): the word ends only at a space or tab, so a
		// word running into the newline ("config\n") is an invalid command.
		end := p.pos
		for end < len(p.buf) && p.buf[end] != 0 {
			end++
		}
		i := p.pos
		for i < end && (p.buf[i] == ' ' || p.buf[i] == '\t') {
			i++
		}
		if i == end {
			return
		}
		j := i
		for j < end && p.buf[j] != ' ' && p.buf[j] != '\t' {
			j++
		}
		word := string(p.buf[i:j])
		p.set0(j)
		cmdLine := p.lineOf(i)
		switch {
		case word[0] == '#':
			return
		case word == "p" || word == "package":
			p.parsePackage()
		case word == "c" || word == "config":
			p.parseConfig(cmdLine)
		case word == "o" || word == "option":
			p.parseOption(cmdLine, false)
		case word == "l" || word == "list":
			p.parseOption(cmdLine, true)
		default:
			p.fail("invalid command")
		}
	}
}

func (p *parser) parsePackage() {
	p.increasePos("package without name")
	name, _ := p.nextArg(true, true, true)
	p.assertEOL()
	if p.f.Package == "" {
		p.f.Package = name
	}
}

func (p *parser) parseConfig(line int) {
	// Until this line succeeds, options belong to no section.
	p.cur, p.poisoned = nil, true
	p.increasePos("config without name")
	typ, _ := p.nextArg(true, false, false)
	if !validateStr(typ, false, false) {
		p.fail("invalid character in type field")
	}
	name, _ := p.nextArg(false, true, false)
	p.assertEOL()

	pos := Pos{File: p.file, Line: line}
	if name == "" {
		p.nSection++
		p.cur = &Section{Type: typ, Name: anonName(p.nSection, typ), Anonymous: true, Pos: pos}
		p.f.Sections = append(p.f.Sections, p.cur)
		p.poisoned = false
		return
	}
	for _, s := range p.f.Sections {
		if s.Name == name {
			if s.Type != typ {
				p.fail("section of different type overwrites prior section with same name")
			}
			p.cur, p.poisoned = s, false
			return
		}
	}
	p.nSection++
	p.cur = &Section{Type: typ, Name: name, Pos: pos}
	p.f.Sections = append(p.f.Sections, p.cur)
	p.poisoned = false
}

func (p *parser) parseOption(line int, list bool) {
	if p.cur == nil && !p.poisoned {
		p.fail("option/list command found before the first section")
	}
	p.increasePos("option without name")
	name, _ := p.nextArg(true, true, false)
	value, vline := p.nextArg(false, false, false)
	p.assertEOL()
	if p.cur == nil {
		return
	}
	pos := Pos{File: p.file, Line: line}
	vpos := Pos{File: p.file, Line: vline}
	o := p.cur.Option(name)
	if !list {
		// libuci ignores `option x ''` when loading a file: it neither
		// creates nor clears the option.
		if value == "" {
			return
		}
		if o == nil {
			o = &Option{Name: name}
			p.cur.Options = append(p.cur.Options, o)
		}
		o.List, o.Pos = false, pos
		o.Values, o.ValuePos = []string{value}, []Pos{vpos}
		return
	}
	if o == nil {
		o = &Option{Name: name, Pos: pos}
		p.cur.Options = append(p.cur.Options, o)
	}
	o.List = true
	o.Values = append(o.Values, value)
	o.ValuePos = append(o.ValuePos, vpos)
}

func (p *parser) assertEOL() {
	p.skipWhitespace()
	if v, _ := p.nextArg(false, false, false); v != "" {
		p.fail("too many arguments")
	}
}

// nextArg parses one argument and returns it with the line it starts on.
func (p *parser) nextArg(required, name, pkg bool) (string, int) {
	p.skipWhitespace()
	val := p.pos
	line := p.lineOf(val)
	if p.ch(p.pos) == ';' {
		p.set0(p.pos)
		p.pos++
	} else {
		target := p.pos
		p.parseStr(&target)
	}
	s := p.cstr(val)
	if s == "" {
		if required {
			p.fail("insufficient arguments")
		}
		return "", line
	}
	if name && !validateStr(s, name, pkg) {
		p.fail("invalid character in name field")
	}
	return s, line
}

func (p *parser) addc(target *int) {
	p.buf[*target] = p.buf[p.pos]
	*target++
	p.pos++
}

// parseStr decodes one argument made of unquoted, 'single' and "double"
// quoted pieces, writing the result over the input at target.
func (p *parser) parseStr(target *int) {
	next := true
loop:
	for {
		switch p.ch(p.pos) {
		case '\'':
			p.singleQuote(target)
		case '"':
			p.doubleQuote(target)
		case '#':
			p.set0(p.pos)
			break loop
		case 0:
			break loop
		case ';':
			next = false
			break loop
		case '\\':
			if p.backslash() {
				p.addc(target)
			}
		default:
			p.addc(target)
		}
		if c := p.ch(p.pos); c == 0 || isspace(c) {
			break
		}
	}
	if p.ch(p.pos) != 0 && next {
		p.pos++
	}
	p.set0(*target)
}

// backslash skips a backslash; at the end of a line it joins the next line
// and reports false, otherwise the escaped byte is to be taken literally.
func (p *parser) backslash() bool {
	p.pos++
	c := p.ch(p.pos)
	if c == 0 || c == '\n' || (c == '\r' && p.ch(p.pos+1) == '\n' && p.ch(p.pos+2) == 0) {
		p.getln(p.pos)
		return false
	}
	return true
}

func (p *parser) singleQuote(target *int) {
	open := p.lineOf(p.pos)
	p.pos++
	for {
		switch p.ch(p.pos) {
		case '\'':
			p.pos++
			return
		case 0:
			p.getln(p.pos)
			if p.ch(p.pos) == 0 {
				p.failAt(open, "EOF with unterminated '")
			}
		default:
			p.addc(target)
		}
	}
}

func (p *parser) doubleQuote(target *int) {
	open := p.lineOf(p.pos)
	p.pos++
	for {
		switch p.ch(p.pos) {
		case '"':
			p.pos++
			return
		case 0:
			p.getln(p.pos)
			if p.ch(p.pos) == 0 {
				p.failAt(open, "EOF with unterminated \"")
			}
		case '\\':
			if p.backslash() {
				p.addc(target)
			}
		default:
			p.addc(target)
		}
	}
}

// validateStr is libuci's uci_validate_str: names allow [A-Za-z0-9_],
// package names also '-', and types any printable ASCII but space.
func validateStr(s string, name, pkg bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case c == '-' && pkg:
		case name || c < 33 || c > 126:
			return false
		}
	}
	return true
}

// anonName is the name libuci gives the n-th section of a file when it is
// anonymous: a counter and a djb hash of the type (the hash also covers the
// options, but there are none yet when libuci names a section it parses).
func anonName(n int, typ string) string {
	var h uint32 = 5381
	for i := 0; i < len(typ); i++ {
		h = h<<5 + h + uint32(int8(typ[i]))
	}
	h &= 0x7fffffff
	return fmt.Sprintf("cfg%02x%04x", n, h%(1<<16))
}
