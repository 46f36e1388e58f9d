package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/eddns/eddns/uci"
)

// Load reads and validates a configuration file. A file that cannot be
// read gives an error wrapping the *os.PathError; a bad file gives
// Problems listing everything wrong with it.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// Parse validates the UCI text of a configuration. filename is used in
// positions and as Config.File. On any problem, syntax or meaning, it
// returns a nil Config and Problems holding all of them, sorted by line.
func Parse(filename string, data []byte) (*Config, error) {
	cfg, c, err := check(filename, data)
	if err != nil {
		return nil, err
	}
	if len(c.probs) > 0 {
		c.probs.redact(c.secrets)
		return nil, c.probs
	}
	return cfg, nil
}

// check does the work of Parse short of redaction, so that tests can see
// that messages are built without secrets in the first place.
func check(filename string, data []byte) (*Config, *checker, error) {
	c := &checker{schema: Schema()}
	f, err := uci.Parse(filename, data)
	if err != nil {
		var syn uci.Errors
		if !errors.As(err, &syn) {
			return nil, nil, fmt.Errorf("config: %w", err)
		}
		for _, e := range syn {
			c.probs = append(c.probs, Problem{Pos: pos(e.Pos), Message: e.Msg})
		}
	}
	cfg := c.build(filename, f)
	c.probs.sort()
	return cfg, c, nil
}

func pos(p uci.Pos) Pos { return Pos{File: p.File, Line: p.Line} }

// checker collects problems while building a Config.
type checker struct {
	schema  SchemaDoc
	probs   Problems
	secrets []string // values that must not appear in any message
}

// value is one option read according to its spec.
type value struct {
	opt  *uci.Option
	ok   bool   // read without problems
	str  string // normalised scalar value
	b    bool
	n    int64
	ip   netip.Addr
	list []string
}

// section is a UCI section seen through its spec.
type section struct {
	s     *uci.Section
	spec  *SectionDoc
	label string // name, or @type[index] for anonymous sections
	vals  map[string]*value
	// meant holds options the user seemingly tried to set under another
	// name; their absence is not reported a second time.
	meant map[string]bool
}

func (c *checker) add(p uci.Pos, sec, opt, format string, args ...any) {
	c.probs = append(c.probs, Problem{Pos: pos(p), Section: sec, Option: opt, Message: fmt.Sprintf(format, args...)})
}

func (c *checker) build(filename string, f *uci.File) *Config {
	cfg := &Config{
		File:      filename,
		Global:    Global{Enabled: true, LogLevel: "info", StateDir: "/var/run/eddns", ResyncInterval: time.Hour},
		Providers: map[string]*Provider{},
		HTTPDNS:   map[string]*HTTPDNS{},
	}
	var secs []*section
	seen := map[string]int{}
	for _, s := range f.Sections {
		label := s.Name
		if s.Anonymous {
			label = fmt.Sprintf("@%s[%d]", s.Type, seen[s.Type])
		}
		seen[s.Type]++
		if sec := c.readSection(s, label); sec != nil {
			secs = append(secs, sec)
		}
	}
	// Providers and httpdns sections first: records refer to them.
	byName := map[string]string{} // section name -> type
	for _, sec := range secs {
		if !sec.s.Anonymous {
			byName[sec.s.Name] = sec.s.Type
		}
		switch sec.s.Type {
		case "global":
			g := cfg.Global
			c.global(sec, &g)
			if !sec.s.Anonymous && sec.s.Name == "global" {
				cfg.Global = g
			}
		case "provider":
			if p := c.provider(sec); p != nil {
				cfg.Providers[p.Name] = p
			}
		case "httpdns":
			if h := c.httpdns(sec); h != nil {
				cfg.HTTPDNS[h.Name] = h
			}
		}
	}
	dups := map[string]*section{}
	for _, sec := range secs {
		if sec.s.Type != "record" {
			continue
		}
		r := c.record(sec, byName)
		c.checkLine(sec, r, cfg.Providers[r.Provider])
		cfg.Records = append(cfg.Records, r)
		if !r.Enabled || !sec.allOK("provider", "zone", "name", "type") {
			continue
		}
		if first, ok := dups[r.Key()]; ok {
			c.add(sec.s.Pos, sec.label, "", "same provider, zone, name and type as record %s (line %d); only one may be enabled",
				first.label, first.s.Pos.Line)
			continue
		}
		dups[r.Key()] = sec
	}
	return cfg
}

// readSection checks a section against its spec and reads its options.
func (c *checker) readSection(s *uci.Section, label string) *section {
	spec := c.schema.section(s.Type)
	if spec == nil {
		var types []string
		for _, sd := range c.schema.Sections {
			types = append(types, sd.Type)
		}
		msg := fmt.Sprintf("unknown section type %s", quoteValue(s.Type))
		if hint := suggest(s.Type, types); hint != "" {
			msg += fmt.Sprintf("; did you mean %s?", hint)
		} else {
			msg += "; known types are " + orList(types)
		}
		c.add(s.Pos, label, "", "%s", msg)
		for _, o := range s.Options {
			c.maybeSecret(o)
		}
		return nil
	}
	if spec.Name != "" && (s.Anonymous || s.Name != spec.Name) {
		c.add(s.Pos, label, "", "a %s section must be named %q: config %s '%s'", spec.Type, spec.Name, spec.Type, spec.Name)
	}
	if !spec.Anonymous && spec.Name == "" && s.Anonymous {
		c.add(s.Pos, label, "", "%s sections need a name that records can refer to, e.g. config %s 'name'", spec.Type, spec.Type)
	}
	sec := &section{s: s, spec: spec, label: label, vals: map[string]*value{}, meant: map[string]bool{}}
	for _, o := range s.Options {
		od := spec.option(o.Name)
		if od == nil {
			c.maybeSecret(o)
			c.unknownOption(sec, o)
			continue
		}
		if od.Secret {
			c.secrets = append(c.secrets, o.Values...)
		}
		sec.vals[o.Name] = c.readValue(sec, od, o)
	}
	c.checkPresence(sec)
	return sec
}

// maybeSecret remembers the values of an option that is not in the schema
// but whose name looks like a credential, for redaction.
func (c *checker) maybeSecret(o *uci.Option) {
	name := strings.ToLower(o.Name)
	for _, w := range []string{"secret", "key", "token", "pass", "pwd"} {
		if strings.Contains(name, w) {
			c.secrets = append(c.secrets, o.Values...)
			return
		}
	}
	for _, sd := range c.schema.Sections {
		for _, od := range sd.Options {
			if od.Secret && suggest(o.Name, []string{od.Name}) != "" {
				c.secrets = append(c.secrets, o.Values...)
				return
			}
		}
	}
}

func (c *checker) unknownOption(sec *section, o *uci.Option) {
	if note, ok := sec.spec.notes[o.Name]; ok {
		c.add(o.Pos, sec.label, o.Name, "unknown option: %s", note)
		return
	}
	var names []string
	for _, od := range sec.spec.Options {
		names = append(names, od.Name)
	}
	if hint := suggest(o.Name, names); hint != "" {
		c.add(o.Pos, sec.label, o.Name, "unknown option; did you mean %s?", hint)
		sec.meant[hint] = true
		return
	}
	var owners []string
	for _, sd := range c.schema.Sections {
		if sd.option(o.Name) != nil {
			owners = append(owners, sd.Type)
		}
	}
	if len(owners) > 0 {
		c.add(o.Pos, sec.label, o.Name, "unknown option for %s sections (it belongs in %s sections)", sec.spec.Type, orList(owners))
		return
	}
	c.add(o.Pos, sec.label, o.Name, "unknown option for %s sections; known options are %s", sec.spec.Type, strings.Join(names, ", "))
}

// readValue checks one option against its spec. Secret values are never
// quoted back in a message.
func (c *checker) readValue(sec *section, od *OptionDoc, o *uci.Option) *value {
	v := &value{opt: o}
	bad := func(p uci.Pos, format string, args ...any) *value {
		c.add(p, sec.label, o.Name, format, args...)
		return v
	}
	if od.Kind != KindList && o.List {
		return bad(o.Pos, "takes a single value: write `option %s`, not `list %s`", o.Name, o.Name)
	}
	s, p := o.Values[0], o.ValuePos[0]
	switch od.Kind {
	case KindBool:
		b, ok := parseBool(s)
		if !ok {
			return bad(p, "%s is not a boolean; use 1 or 0", quoteValue(s))
		}
		v.b, v.str = b, strconv.FormatBool(b)
	case KindInt:
		n, ok := parseInt(s)
		if !ok {
			return bad(p, "%s is not a whole number", quoteValue(s))
		}
		if (od.Min != nil && n < *od.Min) || (od.Max != nil && n > *od.Max) {
			return bad(p, "%d is out of range %d..%d", n, *od.Min, *od.Max)
		}
		v.n, v.str = n, strconv.FormatInt(n, 10)
	case KindEnum:
		found := false
		for _, e := range od.Values {
			found = found || e == s
		}
		if !found {
			msg := fmt.Sprintf("%s is not one of %s", quoteValue(s), orList(od.Values))
			if hint := suggest(s, od.Values); hint != "" {
				msg += fmt.Sprintf("; did you mean %s?", hint)
			}
			return bad(p, "%s", msg)
		}
		v.str = s
	case KindString:
		if od.Format == "" && strings.TrimSpace(s) != s {
			return bad(p, "has leading or trailing white space")
		}
		norm, msg := checkFormat(od.Format, s)
		if msg != "" {
			return bad(p, "%s", msg)
		}
		v.str = norm
	case KindSecret:
		if hasControl(s) {
			return bad(p, "must not contain line breaks or control characters")
		}
		if strings.TrimSpace(s) != s {
			return bad(p, "has leading or trailing white space")
		}
		// A format check of a secret (base64) never quotes the value.
		if _, msg := checkFormat(od.Format, s); od.Format != "" && msg != "" {
			return bad(p, "%s", msg)
		}
		v.str = s
	case KindIP:
		a, msg := checkIP(od.Format, s)
		if msg != "" {
			return bad(p, "%s", msg)
		}
		v.ip, v.str = a, a.String()
	case KindURL:
		if msg := checkURL(s); msg != "" {
			return bad(p, "%s", msg)
		}
		v.str = s
	case KindList:
		ok := true
		for i, item := range o.Values {
			if msg := checkItem(od, item); msg != "" {
				c.add(o.ValuePos[i], sec.label, o.Name, "element %d %s", i+1, msg)
				ok = false
			}
		}
		if !ok {
			return v
		}
		v.list = append([]string(nil), o.Values...)
	}
	v.ok = true
	return v
}

// effective is an option's value for dependency checks: the value set,
// or the default; known is false when the value set is invalid or there
// is neither a value nor a default.
func (sec *section) effective(name string) (val string, known bool) {
	if v, ok := sec.vals[name]; ok {
		return v.str, v.ok
	}
	if od := sec.spec.option(name); od != nil && od.Default != "" {
		return od.Default, true
	}
	// Unset without a default: its absence is reported on its own.
	return "", false
}

// applies tells whether an option's depends_on holds; known is false
// when that cannot be told because an option it depends on is invalid.
func (sec *section) applies(od *OptionDoc) (applies, known bool) {
	applies = true
	for key, allowed := range od.DependsOn {
		val, ok := sec.effective(key)
		if !ok {
			return false, false
		}
		match := false
		for _, a := range allowed {
			match = match || a == val
		}
		applies = applies && match
	}
	return applies, true
}

func (sec *section) enabled() bool {
	if sec.spec.EnabledBy == "" {
		return true
	}
	v, ok := sec.vals[sec.spec.EnabledBy]
	return !ok || !v.ok || v.b
}

// allOK tells whether none of the named options was set to a bad value.
func (sec *section) allOK(names ...string) bool {
	for _, n := range names {
		if v, ok := sec.vals[n]; ok && !v.ok {
			return false
		}
	}
	return true
}

// when describes a depends_on condition: "type is alidns".
func when(dep map[string][]string) string {
	keys := make([]string, 0, len(dep))
	for k := range dep {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " is " + orList(dep[k])
	}
	return strings.Join(parts, " and ")
}

// checkPresence reports required options that are missing, exclusive
// options set where they do not apply, and one_of groups.
func (c *checker) checkPresence(sec *section) {
	enabled := sec.enabled()
	for i := range sec.spec.Options {
		od := &sec.spec.Options[i]
		v, set := sec.vals[od.Name]
		if !set || !od.Exclusive {
			continue
		}
		if applies, known := sec.applies(od); known && !applies {
			msg := "does not apply when " + describeActual(sec, od.DependsOn)
			if alt := sec.alternative(od); alt != "" {
				msg += "; use " + alt
				sec.meant[alt] = true
			}
			c.add(v.opt.Pos, sec.label, od.Name, "%s", msg)
		}
	}
	for i := range sec.spec.Options {
		od := &sec.spec.Options[i]
		if _, set := sec.vals[od.Name]; set || !(od.Required || len(od.RequiredFor) > 0) || !enabled || sec.meant[od.Name] {
			continue
		}
		if typ, ok := sec.effective("type"); ok && contains(od.RequiredFor, typ) {
			c.add(sec.s.Pos, sec.label, od.Name, "is required when type is %s", typ)
			continue
		}
		if applies, known := sec.applies(od); known && applies && od.Required {
			msg := "is required"
			if len(od.DependsOn) > 0 {
				msg += " when " + when(od.DependsOn)
			}
			c.add(sec.s.Pos, sec.label, od.Name, "%s", msg)
		}
	}
	for _, group := range sec.spec.OneOf {
		var set []*value
		allApply := true
		for _, name := range group {
			od := sec.spec.option(name)
			applies, known := sec.applies(od)
			allApply = allApply && applies && known
			if v, ok := sec.vals[name]; ok {
				set = append(set, v)
			}
		}
		switch {
		case !allApply:
		case len(set) == 0 && enabled:
			c.add(sec.s.Pos, sec.label, "", "one of %s is required when %s", orList(group), when(narrowestDeps(sec.spec, group)))
		case len(set) > 1:
			c.add(set[1].opt.Pos, sec.label, set[1].opt.Name, "cannot be used together with %s; set only one of %s", set[0].opt.Name, orList(group))
		}
	}
}

// describeActual says what the options an option depends on are set to.
func describeActual(sec *section, dep map[string][]string) string {
	keys := make([]string, 0, len(dep))
	for k := range dep {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		val, _ := sec.effective(k)
		parts[i] = k + " is " + val
	}
	return strings.Join(parts, " and ")
}

// alternative names the option of the same kind that does apply, e.g.
// access_key_id for an alidns provider given secret_id.
func (sec *section) alternative(od *OptionDoc) string {
	for i := range sec.spec.Options {
		o := &sec.spec.Options[i]
		if o.Name == od.Name || o.Kind != od.Kind || !o.Exclusive {
			continue
		}
		if applies, known := sec.applies(o); applies && known {
			return o.Name
		}
	}
	return ""
}

// get returns the value of an option if it was set correctly.
func (sec *section) get(name string) (*value, bool) {
	v, ok := sec.vals[name]
	if !ok || !v.ok {
		return nil, false
	}
	return v, true
}

func (sec *section) str(name string) string {
	if v, ok := sec.get(name); ok {
		return v.str
	}
	if od := sec.spec.option(name); od != nil {
		return od.Default
	}
	return "" // an option no registered provider type declares
}

func (sec *section) boolean(name string) bool {
	if v, ok := sec.get(name); ok {
		return v.b
	}
	b, _ := parseBool(sec.spec.option(name).Default)
	return b
}

func (sec *section) seconds(name string) time.Duration {
	if v, ok := sec.get(name); ok {
		return time.Duration(v.n) * time.Second
	}
	n, _ := parseInt(sec.str(name))
	return time.Duration(n) * time.Second
}

func (c *checker) global(sec *section, g *Global) {
	g.Enabled = sec.boolean("enabled")
	g.LogLevel = sec.str("log_level")
	g.StateDir = sec.str("state_dir")
	g.ResyncInterval = sec.seconds("resync_interval")
	if v, ok := sec.get("resync_interval"); ok && v.n > 0 && v.n < 60 {
		c.add(v.opt.ValuePos[0], sec.label, "resync_interval", "%d seconds is too aggressive; use 0 (off) or at least 60", v.n)
	}
}

func (c *checker) provider(sec *section) *Provider {
	if sec.s.Anonymous {
		return nil
	}
	p := &Provider{
		Name:     sec.s.Name,
		Type:     sec.str("type"),
		Endpoint: sec.str("endpoint"),
		Timeout:  sec.seconds("timeout"),
		Pos:      pos(sec.s.Pos),
	}
	if sec.allOK("type") && p.Type != "" {
		p.Settings = providerSettings(sec, p.Type)
	}
	return p
}

func (c *checker) httpdns(sec *section) *HTTPDNS {
	if sec.s.Anonymous {
		return nil
	}
	if sec.s.Name == VerifyAuthoritative {
		c.add(sec.s.Pos, sec.label, "", "the name %s is reserved for option verify '%s' (ask the zone's authoritative servers); rename this section", VerifyAuthoritative, VerifyAuthoritative)
	}
	return &HTTPDNS{
		Name:      sec.s.Name,
		URL:       sec.str("url"),
		AccountID: sec.str("account_id"),
		Secret:    NewSecret(sec.str("secret")),
		Encrypt:   sec.boolean("encrypt"),
		Timeout:   sec.seconds("timeout"),
		Window:    sec.seconds("verify_window"),
		Pos:       pos(sec.s.Pos),
	}
}

func (c *checker) record(sec *section, byName map[string]string) *Record {
	r := &Record{
		Section:  sec.s.Name,
		Enabled:  sec.boolean("enabled"),
		Provider: sec.str("provider"),
		Zone:     sec.str("zone"),
		Name:     sec.str("name"),
		Type:     sec.str("type"),
		Source:   sec.str("source"),
		Device:   sec.str("device"),
		Network:  sec.str("network"),
		Prefer:   sec.str("prefer"),
		MAC:      sec.str("mac"),
		Verify:   sec.str("verify"),
		Line:     sec.str("line"),
		Pos:      pos(sec.s.Pos),
	}
	if r.Source == "host" && r.Device == "" {
		r.Device = DefaultHostDevice
	}
	ttl, _ := parseInt(sec.str("ttl"))
	r.TTL = int(ttl)
	if v, ok := sec.get("suffix"); ok {
		r.Suffix = v.ip
	}
	if v, ok := sec.get("value"); ok {
		r.Value = v.ip
	}
	if v, ok := sec.get("url"); ok {
		r.URLs = v.list
	}

	typeKnown := sec.allOK("type") && r.Type != ""
	if typeKnown && r.Type == "A" {
		if v, ok := sec.get("source"); ok && v.str == "prefix" {
			c.add(v.opt.ValuePos[0], sec.label, "source", "prefix works only for AAAA records: an IPv4 address has no delegated prefix")
		}
		if v, ok := sec.get("suffix"); ok {
			c.add(v.opt.ValuePos[0], sec.label, "suffix", "an IPv6 suffix cannot be used in an A record")
		}
	}
	if v, ok := sec.get("value"); ok && typeKnown {
		if r.Type == "A" && !v.ip.Is4() {
			c.add(v.opt.ValuePos[0], sec.label, "value", "%s is not an IPv4 address, but type is A", v.str)
		}
		if r.Type == "AAAA" && v.ip.Is4() {
			c.add(v.opt.ValuePos[0], sec.label, "value", "%s is an IPv4 address, but type is AAAA", v.str)
		}
	}
	if v, ok := sec.get("name"); ok && r.Zone != "" && sec.allOK("zone") {
		if rel, found := strings.CutSuffix(v.str, "."+r.Zone); found || v.str == r.Zone {
			if !found {
				rel = "@"
			}
			c.add(v.opt.ValuePos[0], sec.label, "name", "is relative to the zone %s: write %s", r.Zone, quoteValue(rel))
		}
	}
	c.reference(sec, "provider", "provider", byName)
	c.reference(sec, "verify", "httpdns", byName)
	return r
}

// reference checks that an option names a section of the wanted type.
func (c *checker) reference(sec *section, opt, typ string, byName map[string]string) {
	v, ok := sec.get(opt)
	if !ok {
		return
	}
	for _, lit := range sec.spec.option(opt).Values {
		if v.str == lit {
			return // a fixed value accepted besides section names
		}
	}
	got, exists := byName[v.str]
	switch {
	case exists && got == typ:
		return
	case exists:
		c.add(v.opt.ValuePos[0], sec.label, opt, "%s is a section of type %s; %s must name a section of type %s", quoteValue(v.str), got, opt, typ)
	default:
		var names []string
		for n, t := range byName {
			if t == typ {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		msg := fmt.Sprintf("there is no %s section named %s", typ, quoteValue(v.str))
		if hint := suggest(v.str, names); hint != "" {
			msg += fmt.Sprintf("; did you mean %s?", hint)
		}
		c.add(v.opt.ValuePos[0], sec.label, opt, "%s", msg)
	}
}

// narrowestDeps returns the depends_on of the group member that applies in
// the fewest cases: the group is required only where all members apply.
func narrowestDeps(spec *SectionDoc, group []string) map[string][]string {
	var best map[string][]string
	n := -1
	for _, name := range group {
		deps, c := spec.option(name).DependsOn, 0
		for _, vals := range deps {
			c += len(vals)
		}
		if n < 0 || c < n {
			best, n = deps, c
		}
	}
	return best
}
