package uci

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// strictOnly are errors libuci raises only in strict mode (its default),
// so they are missing from the non-strict golden error lists.
var strictOnly = map[string]bool{
	"too many arguments": true,
	"section of different type overwrites prior section with same name": true,
}

// TestLibuciGoldens compares Parse and WriteTo with what a real libuci
// build made of the same files (see testdata/libuci/gen.sh).
func TestLibuciGoldens(t *testing.T) {
	inputs, err := filepath.Glob("testdata/libuci/*.uci")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".uci")
		t.Run(name, func(t *testing.T) {
			data := readFile(t, in)
			f, perr := Parse(name, data)
			if f == nil {
				t.Fatal("Parse returned a nil File")
			}
			var got Errors
			if perr != nil && !errors.As(perr, &got) {
				t.Fatalf("Parse error is %T, want Errors", perr)
			}
			base := strings.TrimSuffix(in, ".uci")
			wantAll := lines(readFile(t, base+".errors"))
			wantStrict := lines(readFile(t, base+".strict"))

			var nonStrict []string
			for _, e := range got {
				if !strictOnly[e.Msg] {
					nonStrict = append(nonStrict, fmt.Sprintf("%d: %s", e.Pos.Line, e.Msg))
				}
			}
			compareErrors(t, "non-strict errors", nonStrict, wantAll)
			if len(wantStrict) > 0 {
				if len(got) == 0 {
					t.Fatalf("no errors, libuci strict mode stops with %q", wantStrict[0])
				}
				compareErrors(t, "first strict error", []string{fmt.Sprintf("%d: %s", got[0].Pos.Line, got[0].Msg)}, wantStrict[:1])
			}
			if len(got) > 0 {
				// libuci and Parse recover from errors differently, so the
				// contents of a broken file are not compared.
				return
			}

			f.Package = name // libuci names the package after the file
			var out bytes.Buffer
			if _, err := f.WriteTo(&out); err != nil {
				t.Fatal(err)
			}
			if want := readFile(t, base+".export"); out.String() != string(want) {
				t.Errorf("WriteTo differs from `uci export`:\n--- got\n%s\n--- want\n%s", out.String(), want)
			}
			named := *f
			named.Sections = nil
			for _, s := range f.Sections {
				c := *s
				c.Anonymous = false
				named.Sections = append(named.Sections, &c)
			}
			out.Reset()
			if _, err := named.WriteTo(&out); err != nil {
				t.Fatal(err)
			}
			if want := readFile(t, base+".named"); out.String() != string(want) {
				t.Errorf("generated section names differ from libuci's:\n--- got\n%s\n--- want\n%s", out.String(), want)
			}
		})
	}
}

// compareErrors compares "line: message" lists. libuci reports an
// unterminated quote at the end of the file, Parse where the quote opened,
// so for those only the message is compared.
func compareErrors(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: got %d %q, want %d %q", what, len(got), got, len(want), want)
		return
	}
	for i := range got {
		g, w := got[i], want[i]
		if strings.Contains(w, "EOF with unterminated") {
			_, g, _ = strings.Cut(g, ": ")
			_, w, _ = strings.Cut(w, ": ")
		}
		if g != w {
			t.Errorf("%s #%d: got %q, want %q", what, i, got[i], want[i])
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func lines(b []byte) []string {
	s := strings.TrimRight(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// FuzzLibuciDifferential compares Parse with a real libuci `uci` binary on
// arbitrary input. It runs only when EDDNS_LIBUCI names such a binary (see
// testdata/libuci/gen.sh); the goldens above carry its findings into
// ordinary test runs.
func FuzzLibuciDifferential(f *testing.F) {
	bin := os.Getenv("EDDNS_LIBUCI")
	inputs, _ := filepath.Glob("testdata/libuci/*.uci")
	for _, in := range inputs {
		if b, err := os.ReadFile(in); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if bin == "" {
			t.Skip("EDDNS_LIBUCI not set")
		}
		// Parse counts lines differently from libuci only for a last line
		// without a newline, and rejects NUL bytes libuci splices over.
		if bytes.IndexByte(data, 0) >= 0 {
			return
		}
		if len(data) == 0 || data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "conf"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "conf", "t"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, "-c", filepath.Join(dir, "conf"), "-t", dir, "-n", "export", "t")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		runErr := cmd.Run()
		if ctx.Err() != nil {
			t.Skipf("libuci did not finish on %q", data)
		}

		file, err := Parse("t", data)
		var errs Errors
		errors.As(err, &errs)
		if runErr != nil {
			m := libuciErr.FindStringSubmatch(stderr.String())
			if m == nil {
				t.Skipf("libuci failed without a parse error: %s", stderr.String())
			}
			if len(errs) == 0 {
				t.Fatalf("libuci: line %s: %s; Parse found nothing", m[2], m[1])
			}
			got := errs[0]
			if got.Msg != m[1] || (!strings.HasPrefix(m[1], "EOF with") && strconv.Itoa(got.Pos.Line) != m[2]) {
				t.Fatalf("first error %v, libuci: line %s: %s", got, m[2], m[1])
			}
			return
		}
		if err != nil {
			t.Fatalf("libuci accepts the file, Parse says: %v", err)
		}
		file.Package = "t"
		for _, s := range file.Sections {
			s.Anonymous = false
		}
		var out bytes.Buffer
		if _, err := file.write(&out, true); err != nil {
			t.Fatal(err)
		}
		if out.String() != stdout.String() {
			t.Fatalf("content differs:\n--- Parse\n%s\n--- libuci\n%s", out.String(), stdout.String())
		}
	})
}

var libuciErr = regexp.MustCompile(`Parse error \((.*)\) at line (\d+), byte`)
