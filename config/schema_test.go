package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/eddns/eddns/uci"
)

var update = flag.Bool("update", false, "rewrite testdata/schema.json")

// TestSchemaJSON pins the JSON the LuCI app is built from; run with
// -update after an intended schema change.
func TestSchemaJSON(t *testing.T) {
	got, err := json.MarshalIndent(Schema(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile("testdata/schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Schema() JSON differs from testdata/schema.json (run go test -update if intended):\n%s", got)
	}
}

// TestSchemaConsistent checks the schema against itself: every default
// passes its own validation, dependencies and references name things that
// exist, and secrets are marked as such.
func TestSchemaConsistent(t *testing.T) {
	s := Schema()
	kinds := map[Kind]bool{KindBool: true, KindInt: true, KindEnum: true, KindString: true, KindIP: true, KindURL: true, KindList: true, KindSecret: true}
	for _, sd := range s.Sections {
		if sd.Help == "" {
			t.Errorf("%s: no help", sd.Type)
		}
		if sd.EnabledBy != "" {
			if od := sd.option(sd.EnabledBy); od == nil || od.Kind != KindBool {
				t.Errorf("%s: enabled_by %q is not a bool option", sd.Type, sd.EnabledBy)
			}
		}
		for _, g := range sd.OneOf {
			for _, n := range g {
				if sd.option(n) == nil {
					t.Errorf("%s: one_of names unknown option %s", sd.Type, n)
				}
			}
		}
		for _, od := range sd.Options {
			where := sd.Type + "." + od.Name
			if !kinds[od.Kind] || od.Help == "" {
				t.Errorf("%s: kind %q, help %q", where, od.Kind, od.Help)
			}
			// A list may hold secrets (webhook headers); a scalar is secret
			// exactly when its kind is.
			if (od.Kind == KindSecret) != od.Secret && !(od.Kind == KindList && od.Secret) {
				t.Errorf("%s: kind %s but secret %v", where, od.Kind, od.Secret)
			}
			if (od.Kind == KindEnum) != (len(od.Values) > 0 && od.References == "") || (od.Kind == KindList) != (od.Item != "") {
				t.Errorf("%s: values/item do not fit kind %s", where, od.Kind)
			}
			if od.Required && od.Default != "" {
				t.Errorf("%s: required options need no default", where)
			}
			if od.References != "" && s.section(od.References) == nil {
				t.Errorf("%s: references unknown type %s", where, od.References)
			}
			for key, vals := range od.DependsOn {
				dep := sd.option(key)
				if dep == nil {
					t.Errorf("%s: depends on unknown option %s", where, key)
					continue
				}
				for _, v := range vals {
					if dep.Kind == KindEnum && !contains(dep.Values, v) {
						t.Errorf("%s: depends on %s=%s, not one of %v", where, key, v, dep.Values)
					}
				}
			}
			if od.Default != "" {
				c := &checker{schema: s}
				sec := &section{spec: &sd, label: "x", vals: map[string]*value{}, meant: map[string]bool{}}
				o := &uci.Option{Name: od.Name, Values: []string{od.Default}, ValuePos: []uci.Pos{{File: "f", Line: 1}}}
				if v := c.readValue(sec, &od, o); !v.ok {
					t.Errorf("%s: default %q fails validation: %v", where, od.Default, c.probs)
				}
			}
		}
	}
}

func TestSchemaIsACopy(t *testing.T) {
	a := Schema()
	a.Sections[0].Options[0].Name = "changed"
	a.Sections[2].Options[7].DependsOn["source"][0] = "changed"
	b := Schema()
	if b.Sections[0].Options[0].Name == "changed" || b.Sections[2].Options[7].DependsOn["source"][0] == "changed" {
		t.Error("Schema() hands out shared state")
	}
}
