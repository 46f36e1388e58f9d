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
	if len(args) == 4 && args[0] == "call" && args[1] == HotplugObject && args[2] == "call" {
		// procd's hotplug-dispatch: present only when the test says so;
		// otherwise ubus's answer for a missing object.
		switch os.Getenv("UBUS_STUB_PROCD") {
		case "":
			fmt.Fprintln(os.Stderr, "Command failed: Not found")
			return 4
		case "timeout":
			// The object exists but procd did not answer in time: the
			// invoke fails through ubus_cli_error, exit -UBUS_STATUS_TIMEOUT.
			fmt.Fprintln(os.Stderr, "Command failed: ubus call hotplug.eddns call (Request timed out)")
			return 256 - 7
		}
		var msg struct {
			Env []string `json:"env"`
		}
		if err := json.Unmarshal([]byte(args[3]), &msg); err != nil || len(msg.Env) == 0 {
			fmt.Fprintln(os.Stderr, "Command failed: Invalid argument") // hotplug_call without env
			return 2
		}
		line, _ := json.Marshal(map[string]any{"hotplug": msg.Env})
		return appendLine(log, line)
	}
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
	return appendLine(log, line)
}

func appendLine(log string, line []byte) int {
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
	// Without procd's hotplug.eddns the only ubus line is the event.
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

// TestScriptsThroughProcd: where procd offers hotplug.eddns, the scripts
// are left to it (one ubus call with the facts, no PATH), not run here.
func TestScriptsThroughProcd(t *testing.T) {
	ubus, log := stubUbus(t)
	t.Setenv("UBUS_STUB_PROCD", "1")
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "out")
	write(t, filepath.Join(dir, "10-script"), `echo ran >> "`+out+`"`+"\n", 0o644)
	e := New(Options{Ubus: ubus, HotplugDir: dir})
	e.Emit(Record{Name: "nas.example.com", Type: "AAAA", Old: "2001:db8::1", New: "2001:db8::2", Result: "updated"})
	e.Close()
	if _, err := os.Stat(out); err == nil {
		t.Error("the script ran in the daemon although procd took the call")
	}
	raw, _ := os.ReadFile(log)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 2 {
		t.Fatalf("ubus saw %q, want the event and the hotplug call", raw)
	}
	var call struct {
		Hotplug []string `json:"hotplug"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &call); err != nil {
		t.Fatal(err)
	}
	env := strings.Join(call.Hotplug, " ")
	for _, want := range []string{"ACTION=updated", "NAME=nas.example.com", "OLD=2001:db8::1", "NEW=2001:db8::2", "HOTPLUG_TYPE=eddns"} {
		if !strings.Contains(env, want) {
			t.Errorf("hotplug env %q lacks %s", env, want)
		}
	}
	if strings.Contains(env, "PATH=") {
		t.Errorf("hotplug env %q carries PATH, which procd refuses", env)
	}
}

// TestScriptsNotRunTwice: when procd has hotplug.eddns but the call fails
// (here a timeout), procd may have run the scripts: the daemon does not run
// them again; only a missing object makes it run them itself.
func TestScriptsNotRunTwice(t *testing.T) {
	ubus, _ := stubUbus(t)
	t.Setenv("UBUS_STUB_PROCD", "timeout")
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "out")
	write(t, filepath.Join(dir, "10-script"), `echo ran >> "`+out+`"`+"\n", 0o644)
	e := New(Options{Ubus: ubus, HotplugDir: dir})
	e.Emit(Record{Name: "nas.example.com", Type: "AAAA", Old: "2001:db8::1", New: "2001:db8::2", Result: "updated"})
	e.Close()
	if _, err := os.Stat(out); err == nil {
		t.Error("the script ran in the daemon after procd's hotplug call failed")
	}
}
