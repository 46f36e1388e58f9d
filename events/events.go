// Package events tells the rest of OpenWrt what eddns did to a record: a
// ubus event "eddns.record" and the scripts in /etc/hotplug.d/eddns/ with
// the facts in environment variables, run by procd (ubus hotplug.eddns) or,
// where procd does not offer that, the way /sbin/hotplug-call runs them. Emitting never blocks the caller: events queue for one
// goroutine, every command has a time limit, and a full queue drops events
// (and says so) rather than delay an update.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Record is what happened to one record.
type Record struct {
	Section  string `json:"section"`
	Name     string `json:"name"` // FQDN
	Type     string `json:"type"`
	Provider string `json:"provider"`
	Old      string `json:"old"`    // value published before ("" when unknown or new)
	New      string `json:"new"`    // value published now, or the one that failed
	Result   string `json:"result"` // created | updated | failed
	Error    string `json:"error,omitempty"`
}

// Defaults, overridable in Options.
const (
	DefaultUbus       = "/bin/ubus"
	DefaultHotplugDir = "/etc/hotplug.d/eddns"
	// UbusEvent is the ubus event type sent for every Record.
	UbusEvent = "eddns.record"

	queueLen      = 64
	drainLimit    = 3 * time.Second // for what is queued at Close
	ubusTimeout   = 5 * time.Second
	scriptTimeout = 30 * time.Second
)

// Options configures an Emitter.
type Options struct {
	Ubus       string // ubus CLI; "" = DefaultUbus. A missing file disables the ubus event.
	HotplugDir string // "" = DefaultHotplugDir. A missing directory disables scripts.
	Log        *slog.Logger
	// ScriptTimeout bounds each hotplug script; 0 = 30 s.
	ScriptTimeout time.Duration
}

// Emitter delivers Records in order on one goroutine.
type Emitter struct {
	o     Options
	log   *slog.Logger
	queue chan Record
	once  sync.Once
	wg    sync.WaitGroup
	stop  chan struct{}
}

// New returns an Emitter; its goroutine starts with the first Emit.
func New(o Options) *Emitter {
	if o.Ubus == "" {
		o.Ubus = DefaultUbus
	}
	if o.HotplugDir == "" {
		o.HotplugDir = DefaultHotplugDir
	}
	if o.ScriptTimeout <= 0 {
		o.ScriptTimeout = scriptTimeout
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Emitter{o: o, log: log, queue: make(chan Record, queueLen), stop: make(chan struct{})}
}

// Emit queues r and returns at once. When the queue is full (scripts that
// hang until their time limit while records keep changing) r is dropped.
func (e *Emitter) Emit(r Record) {
	e.once.Do(func() { e.wg.Go(e.run) })
	select {
	case e.queue <- r:
	default:
		e.log.Warn("event queue full; event dropped", "record", r.Name, "type", r.Type, "result", r.Result)
	}
}

// Close delivers what is queued, starting no new command after 3 s, and
// stops the goroutine.
func (e *Emitter) Close() {
	e.once.Do(func() {}) // never start after Close
	close(e.stop)
	e.wg.Wait()
}

func (e *Emitter) run() {
	for {
		select {
		case r := <-e.queue:
			e.deliver(r)
		case <-e.stop:
			// Shutting down: deliver what is queued, but do not hold up
			// the daemon's exit (procd kills it after its term timeout).
			deadline := time.Now().Add(drainLimit)
			for {
				select {
				case r := <-e.queue:
					if time.Now().After(deadline) {
						e.log.Warn("stopping: event dropped", "record", r.Name, "type", r.Type, "result", r.Result)
						continue
					}
					e.deliver(r)
				default:
					return
				}
			}
		}
	}
}

func (e *Emitter) deliver(r Record) {
	if _, err := os.Stat(e.o.Ubus); err == nil {
		if err := e.send(r); err != nil {
			e.log.Warn("ubus event not sent", "event", UbusEvent, "record", r.Name, "err", err)
		}
		// procd runs the scripts, as root and outside the daemon's jail.
		err := e.dispatch(r)
		if err == nil {
			return
		}
		if !errors.Is(err, errNoProcdObject) {
			// procd has the object but the call failed (a timeout, a
			// refusal): the scripts may have run, so not again here.
			e.log.Warn("hotplug call to procd failed", "object", HotplugObject, "record", r.Name, "err", err)
			return
		}
		e.log.Debug("procd has no hotplug object for eddns; running the scripts here")
	}
	if err := e.hotplug(r); err != nil {
		e.log.Warn("hotplug scripts", "dir", e.o.HotplugDir, "record", r.Name, "err", err)
	}
}

// HotplugObject is procd's ubus object for /etc/hotplug.d/eddns.
const HotplugObject = "hotplug.eddns"

// dispatch asks procd to run the hotplug scripts: `ubus call hotplug.eddns
// call {"env":[...]}`. procd's hotplug-dispatch.c registers hotplug.<dir>
// for every directory in /etc/hotplug.d (watching for new ones) and runs
// each script of it in glob order as `/bin/sh -c ". /lib/functions.sh\n.
// <script>\n"` with its own environment plus env (PATH and LD_* are
// refused). ubus answers "Not found" (exit 4) where procd has no such
// object: no /etc/hotplug.d/eddns, or a procd without hotplug-dispatch.
func (e *Emitter) dispatch(r Record) error {
	var env []string
	for _, kv := range Env(r) {
		if !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	msg, err := json.Marshal(map[string][]string{"env": env})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), ubusTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, e.o.Ubus, "call", HotplugObject, "call", string(msg)).CombinedOutput()
	if ee, ok := errors.AsType[*exec.ExitError](err); ok && ee.ExitCode() == ubusLookupNotFound {
		return errNoProcdObject
	}
	if err != nil && len(out) > 0 {
		return fmt.Errorf("%w: %s", err, firstLine(out))
	}
	return err
}

// ubusLookupNotFound is the exit status of `ubus call` when the object does
// not exist: the failed lookup's UBUS_STATUS_NOT_FOUND as is (ubus cli.c
// ubus_cli_call, ubusmsg.h).
const ubusLookupNotFound = 4

// errNoProcdObject: procd offers no hotplug.eddns (no /etc/hotplug.d/eddns,
// or a procd without hotplug-dispatch), so the daemon runs the scripts.
var errNoProcdObject = errors.New("procd has no " + HotplugObject + " object")

// send runs `ubus send eddns.record <json>` (ubus cli.c: "send <type>
// [<message>]" broadcasts an event; listeners see it with `ubus listen`).
func (e *Emitter) send(r Record) error {
	msg, err := json.Marshal(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), ubusTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, e.o.Ubus, "send", UbusEvent, string(msg)).CombinedOutput()
	if err != nil {
		if len(out) > 0 {
			return fmt.Errorf("%w: %s", err, firstLine(out))
		}
		return err
	}
	return nil
}

// Env is the environment a hotplug script sees for r, after the daemon's
// own: what hotplug-call exports (HOTPLUG_TYPE, a fixed PATH) and ACTION
// (the result), plus the record's facts.
func Env(r Record) []string {
	return []string{
		"HOTPLUG_TYPE=eddns",
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		"ACTION=" + r.Result,
		"SECTION=" + r.Section,
		"NAME=" + r.Name,
		"TYPE=" + r.Type,
		"PROVIDER=" + r.Provider,
		"OLD=" + r.Old,
		"NEW=" + r.New,
		"RESULT=" + r.Result,
		"ERROR=" + r.Error,
	}
}

// hotplug runs every regular file in the hotplug directory, in sorted
// order and one at a time, the way OpenWrt does: /sbin/hotplug-call
// (package/base-files) sources each `ls /etc/hotplug.d/$1/*` entry in a
// subshell after /lib/functions.sh, and procd's hotplug-dispatch.c runs
// `/bin/sh -c ". /lib/functions.sh\n. <script>\n"` with stdio on /dev/null.
// So a script need not be executable, and may use the OpenWrt shell
// functions.
func (e *Emitter) hotplug(r Record) error {
	ents, err := os.ReadDir(e.o.HotplugDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	names := make([]string, 0, len(ents))
	for _, ent := range ents {
		p := filepath.Join(e.o.HotplugDir, ent.Name())
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() { // [ -f $script ]
			names = append(names, p)
		}
	}
	sort.Strings(names)
	env := append(os.Environ(), Env(r)...)
	var errs []error
	for _, script := range names {
		if err := runScript(script, env, e.o.ScriptTimeout); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", script, err))
		}
	}
	return errors.Join(errs...)
}

// functionsSh is sourced first when present (it is on OpenWrt).
const functionsSh = "/lib/functions.sh"

func runScript(script string, env []string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	// The script's path is passed as $1, never spliced into the command.
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", `[ -f `+functionsSh+` ] && . `+functionsSh+`; . "$1"`, "sh", script)
	cmd.Env = env
	// Its own process group, so that a time-out kills what it started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("killed after %v", limit)
		}
		return err
	}
	return nil
}

func firstLine(b []byte) string {
	for i, c := range b {
		if c == '\n' {
			return string(b[:i])
		}
	}
	return string(b)
}
