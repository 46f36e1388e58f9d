package luciapp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/eddns/eddns/config"
)

// ProvidersFile is where the LuCI form reads its provider declarations.
const ProvidersFile = "htdocs/luci-static/resources/eddns/providers.js"

// ProvidersJS renders the provider section of schema as the LuCI module
// eddns.providers, which the configuration view builds its provider fields
// from. Titles and help texts are written as _('...') literals, so the
// translation template picks them up like any other string of the app.
// The file is generated (go generate ./luci-app-eddns) and kept current
// by TestProvidersJSIsCurrent; a new provider type needs no edit of the
// view.
func ProvidersJS(schema config.SchemaDoc) ([]byte, error) {
	var sec *config.SectionDoc
	for i := range schema.Sections {
		if schema.Sections[i].Type == "provider" {
			sec = &schema.Sections[i]
		}
	}
	if sec == nil || len(sec.Options) == 0 || sec.Options[0].Name != "type" {
		return nil, fmt.Errorf("luciapp: the schema has no provider section starting with type")
	}
	var b bytes.Buffer
	b.WriteString("'use strict';\n'require baseclass';\n\n")
	b.WriteString("/*\n * GENERATED from `eddns schema` by `go generate ./luci-app-eddns`; do not\n")
	b.WriteString(" * edit. The provider types eddns is built with and their options, as\n")
	b.WriteString(" * declared in each provider's package (providers.Spec). view/eddns/config.js\n")
	b.WriteString(" * builds the provider form from this.\n */\n\n")
	b.WriteString("return baseclass.extend({\n\ttypes: [\n")
	typ := sec.Options[0]
	for i, v := range typ.Values {
		fmt.Fprintf(&b, "\t\t{ type: %s, title: _(%s) }%s\n", jsString(v), jsString(typ.ValueLabels[v]), comma(i, len(typ.Values)))
	}
	b.WriteString("\t],\n\n\toptions: [\n")
	opts := sec.Options[1:]
	for i, o := range opts {
		label := o.Label
		if label == "" {
			label = o.Name
		}
		fields := []string{
			"name: " + jsString(o.Name),
			"kind: " + jsString(string(o.Kind)),
		}
		if o.Item != "" {
			fields = append(fields, "item: "+jsString(string(o.Item)))
		}
		if o.Format != "" {
			fields = append(fields, "format: "+jsString(o.Format))
		}
		fields = append(fields, "label: _("+jsString(label)+")", "help: _("+jsString(o.Help)+")")
		if o.Secret {
			fields = append(fields, "secret: true")
		}
		if o.Required {
			fields = append(fields, "required: true")
		}
		if len(o.RequiredFor) > 0 {
			fields = append(fields, "required_for: "+jsArray(o.RequiredFor))
		}
		if o.Default != "" {
			fields = append(fields, "default: "+jsString(o.Default))
		}
		if o.Min != nil {
			fields = append(fields, fmt.Sprintf("min: %d", *o.Min))
		}
		if o.Max != nil {
			fields = append(fields, fmt.Sprintf("max: %d", *o.Max))
		}
		if len(o.Values) > 0 {
			fields = append(fields, "values: "+jsArray(o.Values))
		}
		if types, ok := o.DependsOn["type"]; ok {
			fields = append(fields, "types: "+jsArray(types))
		}
		fmt.Fprintf(&b, "\t\t{\n\t\t\t%s\n\t\t}%s\n", strings.Join(fields, ",\n\t\t\t"), comma(i, len(opts)))
	}
	b.WriteString("\t]\n});\n")
	return b.Bytes(), nil
}

func comma(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}

// jsString writes s as a single-quoted JavaScript literal (the form the
// translation extractor reads).
func jsString(s string) string {
	j, _ := json.Marshal(s) // escapes control characters and "\"
	in := string(j[1 : len(j)-1])
	in = strings.ReplaceAll(in, `\"`, `"`)
	in = strings.ReplaceAll(in, `'`, `\'`)
	return "'" + in + "'"
}

func jsArray(vs []string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = jsString(v)
	}
	return "[ " + strings.Join(parts, ", ") + " ]"
}
