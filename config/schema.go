package config

// Kind is how an option's value is read.
type Kind string

// The kinds of option values.
const (
	KindBool   Kind = "bool"   // 1/0, on/off, true/false, yes/no, enabled/disabled
	KindInt    Kind = "int"    // a whole number within Min..Max
	KindEnum   Kind = "enum"   // one of Values
	KindString Kind = "string" // free text, checked against Format when set
	KindIP     Kind = "ip"     // an IPv4 or IPv6 literal
	KindURL    Kind = "url"    // an http or https URL
	KindList   Kind = "list"   // any number of values of kind Item (`list` lines)
	KindSecret Kind = "secret" // a credential: never shown, never logged
)

// SchemaDoc describes every section and option of /etc/config/eddns. It is
// the single source of truth: validation is driven by it, and `eddns
// schema` prints it as JSON for the LuCI app.
type SchemaDoc struct {
	Package  string       `json:"package"` // the UCI config name
	Sections []SectionDoc `json:"sections"`
}

// SectionDoc describes one section type.
type SectionDoc struct {
	Type string `json:"type"`
	// Name, when set, is the only name a section of this type may have,
	// which also means there is at most one.
	Name string `json:"name,omitempty"`
	// Anonymous tells whether unnamed sections of this type are allowed.
	// Sections that others refer to by name must be named.
	Anonymous bool `json:"anonymous"`
	// EnabledBy names the bool option that disables a section. In a
	// disabled section missing required options are not errors.
	EnabledBy string `json:"enabled_by,omitempty"`
	// OneOf lists groups of options of which exactly one must be set
	// whenever the options' depends_on holds.
	OneOf   [][]string  `json:"one_of,omitempty"`
	Help    string      `json:"help"`
	Options []OptionDoc `json:"options"`

	notes map[string]string // extra words for options that do not exist
}

// OptionDoc describes one option.
type OptionDoc struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Item is the kind of each element of a list.
	Item Kind `json:"item,omitempty"`
	// Values are the allowed values of an enum; for a reference, the
	// fixed values accepted besides section names.
	Values []string `json:"values,omitempty"`
	// Default is the value used when the option is not set.
	Default string `json:"default,omitempty"`
	// Required options must be set whenever DependsOn holds (and the
	// section is enabled).
	Required bool `json:"required"`
	// DependsOn maps other options of the same section to the values
	// that make this option apply; all entries must match. An option
	// that does not apply is ignored, or rejected when Exclusive is set.
	DependsOn map[string][]string `json:"depends_on,omitempty"`
	// Exclusive options are errors when set while DependsOn does not hold.
	Exclusive bool `json:"exclusive,omitempty"`
	// Secret options hold credentials; their values are never displayed.
	Secret bool   `json:"secret"`
	Min    *int64 `json:"min,omitempty"`
	Max    *int64 `json:"max,omitempty"`
	Unit   string `json:"unit,omitempty"`
	// Format narrows a string or ip: domain, hostname, path, device,
	// uci_name, hex32, mac or ipv6_suffix.
	Format string `json:"format,omitempty"`
	// References names the section type whose section name this option
	// holds.
	References string `json:"references,omitempty"`
	Help       string `json:"help"`
	// Label is the field's title in the LuCI form; set for the options the
	// form builds from the schema (provider options).
	Label string `json:"label,omitempty"`
	// ValueLabels name the values of an enum in the LuCI form.
	ValueLabels map[string]string `json:"value_labels,omitempty"`
	// RequiredFor lists the values of the provider type for which an
	// option that applies to several types is required.
	RequiredFor []string `json:"required_for,omitempty"`
}

func i64(v int64) *int64 { return &v }

// Schema returns the configuration schema. Every call builds a fresh
// copy, so callers may change it freely.
func Schema() SchemaDoc {
	iface := map[string][]string{"source": {"interface", "prefix"}}
	return SchemaDoc{
		Package: "eddns",
		Sections: []SectionDoc{
			{
				Type: "global",
				Name: "global",
				Help: "Daemon-wide settings.",
				Options: []OptionDoc{
					{Name: "enabled", Kind: KindBool, Default: "1", Help: "Run the daemon at all; 0 keeps it idle."},
					{Name: "log_level", Kind: KindEnum, Values: []string{"debug", "info", "warn", "error"}, Default: "info", Help: "Least severe log messages written."},
					{Name: "state_dir", Kind: KindString, Format: "path", Default: "/var/run/eddns", Help: "Directory for the state cache and status.json; tmpfs is fine."},
					{Name: "resync_interval", Kind: KindInt, Min: i64(0), Max: i64(7 * 24 * 3600), Unit: "seconds", Default: "3600",
						Help: "Period of a full check of every record as a safety net; 0 turns it off, values below 60 are refused."},
				},
			},
			providerSection(),
			{
				Type:      "record",
				Anonymous: true,
				EnabledBy: "enabled",
				OneOf:     [][]string{{"device", "network"}},
				Help:      "One DNS name and type kept pointing at an address of this router or network.",
				Options: []OptionDoc{
					{Name: "enabled", Kind: KindBool, Default: "1", Help: "Keep this record updated; 0 skips it (and its missing options are not errors)."},
					{Name: "provider", Kind: KindString, Required: true, References: "provider", Help: "Name of the provider section holding the zone."},
					{Name: "zone", Kind: KindString, Format: "domain", Required: true, Help: "The zone as the provider knows it, e.g. example.com."},
					{Name: "name", Kind: KindString, Format: "hostname", Default: "@", Help: "Host label(s) within the zone; @ is the zone apex."},
					{Name: "type", Kind: KindEnum, Values: []string{"A", "AAAA"}, Required: true, Help: "A for IPv4, AAAA for IPv6."},
					{Name: "ttl", Kind: KindInt, Min: i64(1), Max: i64(604800), Unit: "seconds", Default: "600", Help: "Time to live of the record. Free plans of alidns and DNSPod refuse less than 600; alidns allows at most 86400."},
					{Name: "source", Kind: KindEnum, Values: []string{"interface", "prefix", "url", "static", "host"}, Default: "interface",
						Help: "interface: an address of a device; prefix: the delegated IPv6 prefix plus suffix (AAAA only); url: echo services; static: a fixed value; host: a LAN host found by its MAC address."},
					{Name: "device", Kind: KindString, Format: "device", DependsOn: map[string][]string{"source": {"interface", "prefix", "host"}},
						Help: "Linux network device, e.g. pppoe-wan or br-lan; for source host the LAN device the host is on (default br-lan)."},
					{Name: "mac", Kind: KindString, Format: "mac", Required: true, DependsOn: map[string][]string{"source": {"host"}},
						Help: "MAC address of the LAN host whose address the record follows, e.g. aa:bb:cc:dd:ee:ff."},
					{Name: "network", Kind: KindString, Format: "uci_name", DependsOn: iface, Help: "UCI logical interface, e.g. wan6; resolved to its device."},
					{Name: "prefer", Kind: KindEnum, Values: []string{"stable", "temporary", "any"}, Default: "stable",
						DependsOn: map[string][]string{"source": {"interface", "host"}, "type": {"AAAA"}},
						Help:      "Which IPv6 address of the device (or host) to publish: stable (not privacy; for a host EUI-64 or DHCPv6 first), temporary (privacy) or any."},
					{Name: "suffix", Kind: KindIP, Format: "ipv6_suffix", Required: true, DependsOn: map[string][]string{"source": {"prefix"}},
						Help: "IPv6 host part (upper 64 bits zero) joined to the live prefix, e.g. ::211:32ff:fe12:3456."},
					{Name: "url", Kind: KindList, Item: KindURL, Required: true, DependsOn: map[string][]string{"source": {"url"}},
						Help: "Echo services returning the public address as text, tried in order."},
					{Name: "value", Kind: KindIP, Required: true, DependsOn: map[string][]string{"source": {"static"}},
						Help: "The address to publish; its family must match type."},
					{Name: "verify", Kind: KindString, References: "httpdns", Values: []string{VerifyAuthoritative}, Help: "Optional check of the published value: the name of an httpdns section, or authoritative to ask the zone's authoritative name servers directly."},
					{Name: "line", Kind: KindString, Help: "Resolution line the record manages; empty means the default line. alidns: a line code such as telecom or unicom (default: default); tencentcloud: a RecordLineId such as 10=0 (default: 0); qcloud_cns: a line name such as 电信 (default: 默认). Records on other lines are left alone."},
				},
			},
			{
				Type: "httpdns",
				Help: "An HTTPDNS account used to check that published records resolve.",
				Options: []OptionDoc{
					{Name: "url", Kind: KindURL, Required: true, Help: "Query endpoint of the HTTPDNS service."},
					{Name: "account_id", Kind: KindString, Format: "hex32", Required: true, Help: "Account ID: 32 hexadecimal characters."},
					{Name: "secret", Kind: KindSecret, Secret: true, Required: true, Help: "Signing secret of the account."},
					{Name: "encrypt", Kind: KindBool, Default: "0", Help: "Ask for AES-encrypted response bodies."},
					{Name: "timeout", Kind: KindInt, Min: i64(1), Max: i64(60), Unit: "seconds", Default: "5", Help: "Time limit of one query."},
					{Name: "verify_window", Kind: KindInt, Min: i64(1), Max: i64(3600), Unit: "seconds", Help: "How long to wait for a written value to become visible. Empty means the record's TTL plus 150 s: resolvers keep the old answer for the TTL and the service caches answers for up to 2 minutes."},
				},
			},
		},
	}
}

// section returns the spec of a section type, or nil.
func (s *SchemaDoc) section(typ string) *SectionDoc {
	for i := range s.Sections {
		if s.Sections[i].Type == typ {
			return &s.Sections[i]
		}
	}
	return nil
}

// option returns the spec of an option, or nil.
func (d *SectionDoc) option(name string) *OptionDoc {
	for i := range d.Options {
		if d.Options[i].Name == name {
			return &d.Options[i]
		}
	}
	return nil
}
