// Package pdnstest runs a real PowerDNS Authoritative Server for tests:
// pdns_server with the gsqlite3 backend (database made from the schema the
// Debian package ships), the HTTP API on a free loopback port, DNS on
// another, everything in a temporary directory, stopped when the test ends.
//
// The tests skip when pdns_server is not installed, except under CI=true,
// where they fail: CI installs pdns-server and pdns-backend-sqlite3.
package pdnstest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/bindtest"
)

// schemas are where Debian's pdns-backend-sqlite3 puts the schema.
var schemas = []string{
	"/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql",
	"/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql",
}

// Server is a running pdns_server.
type Server struct {
	URL     string // API base URL, http://127.0.0.1:port
	DNSAddr string // 127.0.0.1:port
	APIKey  string
	Dir     string
	log     *bindtest.Output
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Start runs pdns_server with the given zones, each created by pdnsutil
// with an NS record ns1.<zone> and then the records given as
// "name type content" lines (names relative to the zone, "@" the apex).
func Start(t testing.TB, zones map[string][]string) *Server {
	t.Helper()
	return StartIn(t, zones, bindtest.Where{})
}

// StartIn is Start with the server placed by where (another namespace).
func StartIn(t testing.TB, zones map[string][]string, where bindtest.Where) *Server {
	t.Helper()
	pdns := bindtest.Find(t, "pdns_server", "pdns-server")
	pdnsutil := bindtest.Find(t, "pdnsutil", "pdns-server")
	sqlite := bindtest.Find(t, "sqlite3", "sqlite3")
	schema := ""
	for _, s := range schemas {
		if fileExists(s) {
			schema = s
			break
		}
	}
	if schema == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("the gsqlite3 schema is missing: apt-get install pdns-backend-sqlite3")
		}
		t.Skip("pdns-backend-sqlite3 not installed")
	}
	key := make([]byte, 16)
	rand.Read(key)
	s := &Server{Dir: t.TempDir(), APIKey: hex.EncodeToString(key), log: &bindtest.Output{}}
	db := filepath.Join(s.Dir, "pdns.sqlite3")
	sql, err := os.ReadFile(schema)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sqlite, db)
	cmd.Stdin = bytes.NewReader(sql)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sqlite3 < %s: %v\n%s", schema, err, out)
	}
	webPort := bindtest.FreePort(t, "127.0.0.1")
	dnsPort := bindtest.FreePort(t, "127.0.0.1")
	s.URL = fmt.Sprintf("http://127.0.0.1:%d", webPort)
	s.DNSAddr = fmt.Sprintf("127.0.0.1:%d", dnsPort)
	conf := fmt.Sprintf(`launch=gsqlite3
gsqlite3-database=%[1]s
api=yes
api-key=%[2]s
webserver=yes
webserver-address=127.0.0.1
webserver-port=%[3]d
webserver-allow-from=127.0.0.0/8
local-address=127.0.0.1
local-port=%[4]d
guardian=no
daemon=no
disable-syslog=yes
socket-dir=%[5]s
loglevel=5
`, db, s.APIKey, webPort, dnsPort, s.Dir)
	if err := os.WriteFile(filepath.Join(s.Dir, "pdns.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	for zone, recs := range zones {
		s.pdnsutil(t, pdnsutil, "create-zone", zone, "ns1."+zone)
		for _, r := range recs {
			f := strings.Fields(r)
			if len(f) < 3 {
				t.Fatalf("bad record line %q", r)
			}
			s.pdnsutil(t, pdnsutil, append([]string{"add-record", zone, f[0], f[1]}, strings.Join(f[2:], " "))...)
		}
	}
	proc := where.Command(pdns, "--config-dir="+s.Dir)
	proc.Stdout, proc.Stderr = s.log, s.log
	exited, err := bindtest.Spawn(proc)
	if err != nil {
		t.Fatalf("start pdns_server: %v", err)
	}
	t.Cleanup(func() {
		proc.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			proc.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("pdns_server output:\n%s", s.log.String())
		}
	})
	// Up when DNS answers for every zone and the webserver takes
	// connections.
	ready := func() error {
		for zone := range zones {
			if err := bindtest.SOA(s.DNSAddr, zone); err != nil {
				return err
			}
		}
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", webPort), time.Second)
		if err != nil {
			return err
		}
		return c.Close()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		if where.Run(ready) == nil {
			return s
		}
		select {
		case <-exited:
			t.Fatalf("pdns_server exited:\n%s", s.log.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("pdns_server not up within 20s:\n%s", s.log.String())
		}
	}
}

func (s *Server) pdnsutil(t testing.TB, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"--config-dir=" + s.Dir}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdnsutil %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Get fetches path from the API with the key, for tests to see the truth.
func (s *Server) Get(path string) (int, []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+path, nil)
	req.Header.Set("X-API-Key", s.APIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// Log returns what pdns_server wrote so far.
func (s *Server) Log() string { return s.log.String() }
