package config

import (
	"fmt"
	"strings"

	"github.com/eddns/eddns/providers"
)

// providerSection derives the `config provider` section from the provider
// types registered with providers.Register (providers/registry does it for
// every type eddns is built with). An option several types declare becomes
// one UCI option that applies to those types; one every type declares
// applies to all and has no depends_on.
func providerSection() SectionDoc {
	specs := providers.Specs()
	typ := OptionDoc{Name: "type", Kind: KindEnum, Required: true, Label: "API", ValueLabels: map[string]string{}}
	var helps []string
	var merged []*OptionDoc
	byName := map[string]*OptionDoc{}
	requiredBy := map[string][]string{}
	for _, s := range specs {
		typ.Values = append(typ.Values, s.Type)
		typ.ValueLabels[s.Type] = s.Title
		helps = append(helps, s.Type+": "+s.Title)
		for _, o := range s.Options {
			od := byName[o.Name]
			if od == nil {
				od = optionDoc(o)
				od.DependsOn = map[string][]string{"type": nil}
				byName[o.Name] = od
				merged = append(merged, od)
			} else if msg := agree(od, o); msg != "" {
				panic(fmt.Sprintf("config: provider option %s of %s disagrees with the other types: %s", o.Name, s.Type, msg))
			} else if !strings.Contains(od.Help, o.Help) {
				od.Help += " " + o.Help
			}
			od.DependsOn["type"] = append(od.DependsOn["type"], s.Type)
			if o.Required {
				requiredBy[o.Name] = append(requiredBy[o.Name], s.Type)
			}
		}
	}
	typ.Help = strings.Join(helps, "; ") + "."
	sec := SectionDoc{
		Type:    "provider",
		Help:    "A DNS provider account. Records name it by its section name.",
		Options: []OptionDoc{typ},
		notes:   map[string]string{"enabled": "providers cannot be disabled; disable the records that use this provider instead"},
	}
	// Options shared by all HTTP providers (endpoint, timeout) come last,
	// after each type's own credentials.
	var tail []OptionDoc
	for _, od := range merged {
		types := od.DependsOn["type"]
		if len(types) == len(specs) {
			od.DependsOn = nil
		} else {
			od.Exclusive = true
		}
		switch req := requiredBy[od.Name]; {
		case len(req) == len(types):
			od.Required = true
		case len(req) > 0:
			od.RequiredFor = req
		}
		if od.Name == providers.EndpointOption.Name || od.Name == providers.TimeoutOption.Name {
			tail = append(tail, *od)
			continue
		}
		sec.Options = append(sec.Options, *od)
	}
	sec.Options = append(sec.Options, tail...)
	return sec
}

func optionDoc(o providers.Option) *OptionDoc {
	od := &OptionDoc{Name: o.Name, Kind: Kind(o.Kind), Item: Kind(o.Item), Default: o.Default,
		Secret: o.Secret || o.Kind == providers.OptSecret, Unit: o.Unit, Format: o.Format, Label: o.Label, Help: o.Help}
	od.Values = append(od.Values, o.Values...)
	if o.Min != nil {
		od.Min = i64(*o.Min)
	}
	if o.Max != nil {
		od.Max = i64(*o.Max)
	}
	return od
}

// agree tells what differs between a merged option and another type's
// declaration of the same name, "" when they can be one UCI option.
func agree(od *OptionDoc, o providers.Option) string {
	other := optionDoc(o)
	switch {
	case od.Kind != other.Kind || od.Item != other.Item || od.Format != other.Format:
		return "kind or format"
	case od.Secret != other.Secret:
		return "secret"
	case od.Default != other.Default:
		return "default"
	case strings.Join(od.Values, ",") != strings.Join(other.Values, ","):
		return "values"
	case fmt.Sprint(od.Min, od.Max) != fmt.Sprint(other.Min, other.Max) && !(eqPtr(od.Min, other.Min) && eqPtr(od.Max, other.Max)):
		return "limits"
	}
	return ""
}

func eqPtr(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// providerSettings collects what the provider type typ reads: every option
// that applies to it, set or defaulted.
func providerSettings(sec *section, typ string) providers.Settings {
	vals := map[string][]string{}
	for i := range sec.spec.Options {
		od := &sec.spec.Options[i]
		if od.Name == "type" {
			continue
		}
		if types, ok := od.DependsOn["type"]; ok && !contains(types, typ) {
			continue
		}
		if v, ok := sec.get(od.Name); ok {
			if od.Kind == KindList {
				vals[od.Name] = v.list
			} else {
				vals[od.Name] = []string{v.str}
			}
		} else if od.Default != "" {
			vals[od.Name] = []string{od.Default}
		}
	}
	return providers.NewSettings(vals)
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}
