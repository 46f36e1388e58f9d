package events

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain doubles as a stand-in for the ubus CLI when UBUS_STUB_LOG is
// set: it models `ubus send` from ubus cli.c (ubus_cli_send): one or two
// arguments after "send" or the usage error (exit -2), the message must be
// a JSON object (blobmsg_add_json_from_string) or UBUS_STATUS_PARSE_ERROR
// (12, "Command failed: Parsing message data failed"). An event that
// passes is appended to the log as {"type":..., "data":...}, which is what
// `ubus listen` would print for it.
func TestMain(m *testing.M) {
	if log := os.Getenv("UBUS_STUB_LOG"); log != "" {
		os.Exit(ubusStub(log, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func ubusStub(log string, args []string) int {
	if len(args) < 2 || args[0] != "send" || len(args) > 3 {
		fmt.Fprintln(os.Stderr, "Usage: ubus [<options>] <command> [arguments...]")
		return 254 // -2 as an exit status
	}
	data := map[string]any{}
	if len(args) == 3 {
		if err := json.Unmarshal([]byte(args[2]), &data); err != nil {
			fmt.Fprintln(os.Stderr, "Command failed: Parsing message data failed")
			return 12
		}
	}
	line, _ := json.Marshal(map[string]any{"type": args[1], "data": data})
	f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 13
	}
	defer f.Close()
	_, _ = f.Write(append(line, '\n'))
	return 0
}

// stubUbus returns the path of this test binary acting as ubus, and the
// log of events it received.
func stubUbus(t *testing.T) (path, log string) {
	t.Helper()
	log = filepath.Join(t.TempDir(), "ubus.log")
	t.Setenv("UBUS_STUB_LOG", log)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe, log
}

func write(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
}

// TestEventReachesUbusAndScripts: one record change gives one ubus event
// with the facts and runs every hotplug script in sorted order, sourced
// (the second is not executable), with the facts in the environment; a
// subdirectory is skipped.
func TestEventReachesUbusAndScripts(t *testing.T) {
	ubus, log := stubUbus(t)
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "out")
	write(t, filepath.Join(dir, "20-second"), `echo "second $ACTION" >> "`+out+`"`+"\n", 0o644)
	write(t, filepath.Join(dir, "10-first"), `echo "first $HOTPLUG_TYPE $ACTION $NAME $TYPE $OLD $NEW $RESULT $SECTION" >> "`+out+`"`+"\n", 0o755)
	if err := os.Mkdir(filepath.Join(dir, "30-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	e := New(Options{Ubus: ubus, HotplugDir: dir})
	r := Record{Section: "nas6", Name: "nas.example.com", Type: "AAAA", Provider: "ali",
		Old: "2001:db8:1::1", New: "2001:db8:2::1", Result: "updated"}
	e.Emit(r)
	e.Close()

	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := "first eddns updated nas.example.com AAAA 2001:db8:1::1 2001:db8:2::1 updated nas6\nsecond updated\n"
	if string(got) != want {
		t.Errorf("scripts wrote %q, want %q", got, want)
	}
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatalf("no ubus event: %v", err)
	}
	var ev struct {
		Type string `json:"type"`
		Data Record `json:"data"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil || ev.Type != UbusEvent || ev.Data != r {
		t.Errorf("ubus got %s (%v), want %s with %+v", raw, err, UbusEvent, r)
	}
}

// TestEmitNeverBlocks: with a script that hangs, Emit still returns at
// once for far more events than the queue holds (the excess is dropped),
// and the hanging script is killed at its time limit with what it started.
func TestEmitNeverBlocks(t *testing.T) {
	dir := t.TempDir()
	started := filepath.Join(t.TempDir(), "started")
	write(t, filepath.Join(dir, "hang"), `echo $$ >> "`+started+`"; sleep 600 & wait`+"\n", 0o755)
	e := New(Options{Ubus: filepath.Join(dir, "no-ubus"), HotplugDir: dir, ScriptTimeout: 300 * time.Millisecond})
	done := make(chan struct{})
	go func() {
		for i := range 10 * queueLen {
			e.Emit(Record{Name: fmt.Sprint(i), Result: "updated"})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Emit blocked behind a hanging script")
	}
	// Close waits for the queued events, each killed at its time limit:
	// bounded, about queueLen * 300 ms. Drop the queue to keep this short.
	for len(e.queue) > 1 {
		<-e.queue
	}
	e.Close()
	b, _ := os.ReadFile(started)
	runs := strings.Count(string(b), "\n")
	if runs < 1 || runs > 3 {
		t.Errorf("the hanging script ran %d times, want 1 to 3 (the rest dropped or drained)", runs)
	}
	// The script is gone (its process group was killed).
	for _, pid := range strings.Fields(string(b)) {
		if _, err := os.Stat("/proc/" + pid); err == nil {
			if cmd, _ := os.ReadFile("/proc/" + pid + "/cmdline"); strings.Contains(string(cmd), "hang") {
				t.Errorf("script %s still running after its time limit", pid)
			}
		}
	}
}
