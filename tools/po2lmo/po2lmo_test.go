package po2lmo

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGolden compares with files LuCI's own po2lmo wrote (testdata/README.md).
func TestGolden(t *testing.T) {
	for _, name := range []string{"sample", "eddns.zh_Hans"} {
		t.Run(name, func(t *testing.T) {
			got, err := Compile(readFile(t, "testdata/"+name+".po"))
			if err != nil {
				t.Fatal(err)
			}
			want := readFile(t, "testdata/"+name+".lmo")
			if !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Fatalf("output differs from LuCI's at byte %d (got %d bytes, want %d)", i, len(got), len(want))
			}
		})
	}
}

// TestEddnsTranslations reads LuCI's own output back and finds real strings
// of the eddns catalog the way LuCI looks them up.
func TestEddnsTranslations(t *testing.T) {
	c, err := Open(readFile(t, "testdata/eddns.zh_Hans.lmo"))
	if err != nil {
		t.Fatal(err)
	}
	for msgid, want := range map[string]string{
		"empty label":                     "空标签",
		"Global settings":                 "全局设置",
		"Device":                          "设备",
		"Not running":                     "未运行",
		"%d failures in a row":            "连续失败 %d 次",
		"label starts or ends with \"-\"": "标签以“-”开头或结尾",
		// LuCI squeezes white space in the looked-up key.
		"  Global \t settings\n": "全局设置",
	} {
		if got, ok := c.Translate(msgid); !ok || got != want {
			t.Errorf("Translate(%q) = %q, %v; want %q", msgid, got, ok, want)
		}
	}
	// "eddns" translates to itself, which po2lmo does not store.
	if got, ok := c.Translate("eddns"); ok {
		t.Errorf("Translate(eddns) = %q, want no entry", got)
	}
	if got, ok := c.PluralForms(); !ok || got != "nplurals=1; plural=0;" {
		t.Errorf("PluralForms() = %q, %v", got, ok)
	}
}

func TestSampleLookups(t *testing.T) {
	c, err := Open(readFile(t, "testdata/sample.lmo"))
	if err != nil {
		t.Fatal(err)
	}
	type q struct {
		ctx, id string
		form    int // -1: singular lookup
	}
	for k, want := range map[q]string{
		{"", "Save", -1}:                                "Speichern",
		{"", "Fuzzy entry", -1}:                         "Unscharfer Eintrag", // po2lmo keeps fuzzy entries
		{"", "Multi-line message id", -1}:               "Mehrzeilige Nachricht",
		{"button", "Open", -1}:                          "Öffnen",
		{"state", "Open", -1}:                           "Offen",
		{"", "%d record", 0}:                            "%d Eintrag",
		{"", "%d record", 1}:                            "%d Einträge",
		{"status", "%d error", 1}:                       "%d Fehler!",
		{"", "%d file", 0}:                              "%d Datei",
		{"", "Odd lengths: a", -1}:                      "ä",
		{"", "Last entry without trailing newline", -1}: "Letzter Eintrag",
		// Only \" and \\ are unescaped; \t and \n stay two characters.
		{"", `Escapes: "quoted", back\slash, tab\t and newline\n`, -1}: `Maskiert: "zitiert", Rück\strich, Tab\t und Zeilenumbruch\n`,
	} {
		var got string
		var ok bool
		switch {
		case k.form >= 0:
			got, ok = c.TranslatePlural(k.ctx, k.id, k.form)
		case k.ctx != "":
			got, ok = c.TranslateCtxt(k.ctx, k.id)
		default:
			got, ok = c.Translate(k.id)
		}
		if !ok || got != want {
			t.Errorf("%+v = %q, %v; want %q", k, got, ok, want)
		}
	}
	for _, id := range []string{"Untranslated", "Same text", "Obsolete", "Open"} {
		if got, ok := c.Translate(id); ok {
			t.Errorf("Translate(%q) = %q, want no entry", id, got)
		}
	}
	if got, ok := c.TranslatePlural("", "%d file", 1); ok {
		t.Errorf("empty msgstr[1] stored as %q", got)
	}
	if got, _ := c.PluralForms(); got != "nplurals=2; plural=(n != 1);" {
		t.Errorf("PluralForms() = %q", got)
	}
}

func TestHash(t *testing.T) {
	// Values from the index LuCI's po2lmo wrote for testdata/sample.po.
	for s, want := range map[string]uint32{
		"":                        0,
		"Save":                    0x219966c7,
		"Duplicate":               0xb19dedd5,
		"Odd lengths: a":          0xd5d77ab6,
		"button\x01Open":          0x277a21ff,
		"status\x01%d error\x021": 0x7c938c6b,
	} {
		if got := Hash(s); got != want {
			t.Errorf("Hash(%q) = %#08x, want %#08x", s, got, want)
		}
	}
	// Bytes >= 0x80 in a 1- or 3-byte tail count as negative (signed char).
	if Hash("\xff") == Hash("\x7f") || Hash("ab\x80") == Hash("ab\x00") {
		t.Error("tail bytes are not sign-extended")
	}
}

func TestParseErrors(t *testing.T) {
	for name, po := range map[string]string{
		"unterminated string": "msgid \"a\nmsgstr \"b\"\n",
		"plural 10":           "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[10] \"b\"\n",
		"negative plural":     "msgid \"a\"\nmsgstr[-1] \"b\"\n",
		"long line":           "msgid \"a\"\nmsgstr \"" + strings.Repeat("x", 4100) + "\"\n",
		"empty Plural-Forms":  "msgid \"\"\nmsgstr \"Plural-Forms: \\n\"\n",
	} {
		if _, err := Compile([]byte(po)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A quote-less stray line before any keyword is ignored, as in po2lmo.
	if _, err := Compile([]byte("junk \"unterminated\nmsgid \"a\"\nmsgstr \"b\"\n")); err != nil {
		t.Errorf("leading junk: %v", err)
	}
}

func TestEmptyCatalog(t *testing.T) {
	for _, po := range []string{"", "# nothing\n", "msgid \"a\"\nmsgstr \"\"\n", "msgid \"a\"\nmsgstr \"a\"\n"} {
		if _, err := Compile([]byte(po)); !errors.Is(err, ErrEmpty) {
			t.Errorf("%q: err = %v, want ErrEmpty", po, err)
		}
	}
}

func TestOpenRejectsBadFiles(t *testing.T) {
	good := readFile(t, "testdata/sample.lmo")
	for name, b := range map[string][]byte{
		"short":           {0, 0},
		"offset past end": {0, 0, 0, 9},
		"partial index":   append(append([]byte(nil), good[:len(good)-8]...), good[len(good)-4:]...),
		"string into index": func() []byte {
			b := append([]byte(nil), good...)
			off := len(b) - 4 - 16 // the last index entry's length field
			b[off+12], b[off+13] = 0x7f, 0xff
			return b
		}(),
	} {
		if _, err := Open(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// FuzzParse checks the parser on arbitrary input: no panics, and whatever
// it accepts writes an LMO that reads back with every entry findable.
func FuzzParse(f *testing.F) {
	f.Add(readFile(f, "testdata/sample.po"))
	f.Add([]byte("msgctxt \"c\"\nmsgid \"a\"\nmsgid_plural \"b\"\nmsgstr[1] \"x\"\nmsgstr[0] \"y\"\n"))
	f.Fuzz(func(t *testing.T, po []byte) {
		entries, err := Parse(po)
		if err != nil {
			return
		}
		b, err := Write(entries)
		if len(entries) == 0 {
			if !errors.Is(err, ErrEmpty) {
				t.Fatalf("no entries: err = %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(b)%4 != 0 {
			t.Fatalf("size %d is not a multiple of 4", len(b))
		}
		c, err := Open(b)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Entries()) != len(entries) {
			t.Fatalf("%d entries read back, %d written", len(c.Entries()), len(entries))
		}
		for _, e := range entries {
			if e.Value == "" || (e.KeyID != 0 && e.KeyID != Hash(e.Key)) {
				t.Fatalf("bad entry %+v", e)
			}
			got, ok := c.find(e.KeyID)
			if !ok {
				t.Fatalf("key %#x not found", e.KeyID)
			}
			same := false // duplicates: any entry with this hash may be found
			for _, o := range entries {
				same = same || (o.KeyID == e.KeyID && o.Value == got)
			}
			if !same {
				t.Fatalf("key %#x found %q", e.KeyID, got)
			}
		}
	})
}
