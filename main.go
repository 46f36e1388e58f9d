// Command eddns is an event-driven dynamic-DNS daemon for OpenWrt routers.
// This file only parses the command line and wires packages together.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/jessevdk/go-flags"
	"golang.org/x/sys/unix"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/daemon"
	"github.com/eddns/eddns/httpdns"
	"github.com/eddns/eddns/privdrop"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/state"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit statuses.
const (
	exitOK       = 0
	exitFailed   = 1 // some record is not correct, or a runtime failure
	exitBadInput = 2 // configuration or usage error
)

type globalOpts struct {
	Config   string `short:"c" long:"config" default:"/etc/config/eddns" value-name:"FILE" description:"UCI configuration file"`
	DryRun   bool   `long:"dry-run" description:"log the API calls run/once would make and make none"`
	LogLevel string `long:"log-level" choice:"debug" choice:"info" choice:"warn" choice:"error" description:"override global.log_level"`
	// The init script names dnsmasq's lease files: inside ujail the
	// daemon sees neither /etc/config/dhcp nor /tmp, only these.
	DHCPLeaseFiles []string `long:"dhcp-leasefile" value-name:"FILE" description:"dnsmasq lease file for source 'host' A records (repeatable; default: each leasefile of /etc/config/dhcp, else /tmp/dhcp.leases)"`
}

// cli holds the state shared by all subcommands.
type cli struct {
	opts   globalOpts
	level  *slog.LevelVar
	log    *slog.Logger
	stdout io.Writer
	stderr io.Writer
	code   int
}

func main() {
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

func runMain(args []string, stdout, stderr io.Writer) int {
	c := &cli{stdout: stdout, stderr: stderr, level: new(slog.LevelVar)}
	p := flags.NewNamedParser("eddns", flags.Default&^flags.PrintErrors)
	p.ShortDescription = "event-driven dynamic DNS for OpenWrt"
	p.LongDescription = "eddns watches the kernel's address events and IPv6 router adverts and " +
		"updates DNS records at Alibaba Cloud DNS or Tencent Cloud DNSPod within milliseconds.\n\n" +
		"Exit status: 0 all records correct, 1 some record failed, 2 configuration or usage error."
	if _, err := p.AddGroup("Global Options", "", &c.opts); err != nil {
		panic(err)
	}
	add := func(name, short, long string, cmd flags.Commander) {
		if _, err := p.AddCommand(name, short, long, cmd); err != nil {
			panic(err)
		}
	}
	add("run", "run the daemon", "Watch addresses and keep every enabled record current until SIGTERM. "+
		"SIGHUP reloads the configuration, SIGUSR1 forces a full check, SIGUSR2 says the clock is now trustworthy, SIGWINCH that interfaces changed.", &runCmd{c: c})
	add("once", "one detect and update pass", "Detect addresses once, bring every enabled record up to date, "+
		"and exit 0 only if every record now holds its value.", &onceCmd{c: c})
	add("check", "validate the configuration", "Report every problem in the configuration as file:line: section.option: message. "+
		"Exit 2 if there is any.", &checkCmd{c: c})
	add("detect", "show addresses and what each record would publish", "Read the kernel's addresses once and "+
		"show, for each enabled record, the value it would publish. Nothing is sent.", &detectCmd{c: c})
	add("status", "show the running daemon's status", "Render state_dir/status.json.", &statusCmd{c: c})
	add("resolve", "query an HTTPDNS service", "Ask a configured httpdns section what resolvers hand out for HOST.", &resolveCmd{c: c})
	add("schema", "print the configuration schema as JSON", "The UCI options eddns understands, for LuCI and tools.", &schemaCmd{c: c})
	add("version", "print the version", "", &versionCmd{c: c})

	p.CommandHandler = func(cmd flags.Commander, args []string) error {
		c.setupLog()
		return cmd.Execute(args)
	}
	if _, err := p.ParseArgs(args); err != nil {
		var fe *flags.Error
		if errors.As(err, &fe) && fe.Type == flags.ErrHelp {
			fmt.Fprintln(stdout, fe.Message)
			return exitOK
		}
		if errors.As(err, &fe) {
			fmt.Fprintf(stderr, "eddns: %s\n", fe.Message)
			return exitBadInput
		}
		fmt.Fprintf(stderr, "eddns: %v\n", err)
		if c.code == exitOK {
			c.code = exitFailed
		}
	}
	return c.code
}

func (c *cli) setupLog() {
	if c.opts.LogLevel != "" {
		_ = c.level.UnmarshalText([]byte(c.opts.LogLevel))
	}
	c.log = slog.New(slog.NewTextHandler(c.stderr, &slog.HandlerOptions{Level: c.level}))
}

func (c *cli) daemonOpts() daemon.Options {
	return daemon.Options{ConfigPath: c.opts.Config, DryRun: c.opts.DryRun, Version: version,
		Log: c.log, Level: c.level, LevelFixed: c.opts.LogLevel != "", DHCPLeaseFiles: c.opts.DHCPLeaseFiles}
}

// configError prints a configuration problem list and sets exit status 2.
func (c *cli) configError(err error) error {
	fmt.Fprintln(c.stderr, err)
	c.code = exitBadInput
	return nil
}

// isConfigError tells configuration problems (exit 2) from runtime failures.
// A state-directory problem is a runtime failure (exit 1), whatever its
// cause: the configuration may be fine while the directory is not.
func isConfigError(err error) bool {
	var se *state.Error
	if errors.As(err, &se) {
		return false
	}
	var p config.Problems
	var pe *os.PathError
	return errors.As(err, &p) || errors.As(err, &pe)
}

type runCmd struct {
	c          *cli
	User       string `long:"user" value-name:"NAME" description:"started as root: become NAME, keeping only CAP_NET_RAW (for router adverts), before doing anything else"`
	StatusCopy string `long:"status-copy" value-name:"FILE" description:"also write the status into FILE, an existing root-owned file, in place (LuCI reads it)"`
}

func (r *runCmd) Execute([]string) error {
	if r.User != "" {
		if err := dropPrivileges(r.User); err != nil {
			return err
		}
		r.c.log.Info("switched user, keeping only CAP_NET_RAW", "user", r.User)
	}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, daemon.SignalInterfaces, syscall.SIGTERM, os.Interrupt)
	o := r.c.daemonOpts()
	o.Signals = sigs
	o.StatusCopy = r.StatusCopy
	err := daemon.Run(context.Background(), o)
	if err != nil && isConfigError(err) {
		return r.c.configError(err)
	}
	return err
}

// dropPrivileges makes the whole process user name with CAP_NET_RAW only
// (see package privdrop for why procd cannot do this without ujail).
func dropPrivileges(name string) error {
	c, err := privdrop.Lookup(name)
	if err != nil {
		return err
	}
	return privdrop.Drop(c, unix.CAP_NET_RAW)
}

type onceCmd struct {
	c        *cli
	NoVerify bool `long:"no-verify" description:"do not wait for the verification (HTTPDNS or authoritative servers) of records with option verify"`
}

func (o *onceCmd) Execute([]string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	opts := o.c.daemonOpts()
	opts.NoVerify = o.NoVerify
	ok, err := daemon.Once(ctx, opts, o.c.stdout)
	if err != nil {
		if isConfigError(err) {
			return o.c.configError(err)
		}
		return err
	}
	if !ok {
		o.c.code = exitFailed
	}
	return nil
}

type checkCmd struct{ c *cli }

func (k *checkCmd) Execute([]string) error {
	cfg, err := config.Load(k.c.opts.Config)
	if err != nil {
		return k.c.configError(err)
	}
	if w := config.CheckPermissions(cfg.File); w != "" {
		fmt.Fprintln(k.c.stderr, "warning:", w)
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(k.c.stderr, "warning:", w)
	}
	n := 0
	for _, r := range cfg.Records {
		if r.Enabled {
			n++
		}
	}
	state := "enabled"
	if !cfg.Global.Enabled {
		state = "disabled (global.enabled is 0)"
	}
	fmt.Fprintf(k.c.stdout, "%s: OK: %d provider(s), %d record(s) of which %d enabled, %d httpdns section(s); eddns is %s\n",
		cfg.File, len(cfg.Providers), len(cfg.Records), n, len(cfg.HTTPDNS), state)
	return nil
}

type detectCmd struct{ c *cli }

func (d *detectCmd) Execute([]string) error {
	err := daemon.Detect(context.Background(), d.c.daemonOpts(), d.c.stdout)
	if err != nil && isConfigError(err) {
		return d.c.configError(err)
	}
	return err
}

type schemaCmd struct{ c *cli }

func (s *schemaCmd) Execute([]string) error {
	enc := json.NewEncoder(s.c.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(config.Schema())
}

type versionCmd struct{ c *cli }

func (v *versionCmd) Execute([]string) error {
	fmt.Fprintf(v.c.stdout, "eddns %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

type statusCmd struct {
	c        *cli
	JSON     bool   `long:"json" description:"print status.json as written by the daemon"`
	StateDir string `long:"state-dir" value-name:"DIR" description:"read DIR/status.json instead of global.state_dir"`
}

func (s *statusCmd) Execute([]string) error {
	dir := s.StateDir
	if dir == "" {
		cfg, err := config.Load(s.c.opts.Config)
		if err != nil {
			return s.c.configError(err)
		}
		dir = cfg.Global.StateDir
	}
	st, raw, err := state.ReadStatus(dir)
	if err != nil {
		return fmt.Errorf("%w (is eddns running?)", err)
	}
	if s.JSON {
		_, err := s.c.stdout.Write(raw)
		return err
	}
	return state.Render(s.c.stdout, st, time.Now())
}

type resolveCmd struct {
	c        *cli
	Type     string `long:"type" choice:"A" choice:"AAAA" default:"A" description:"record type to ask for"`
	Via      string `long:"via" value-name:"SECTION" description:"httpdns section to use (default: the only one)"`
	ClientIP string `long:"client-ip" value-name:"IPv4" description:"answer as for a resolver near this IPv4 address (EDNS client subnet)"`
	TTL      bool   `long:"ttl" description:"also print the TTL"`
	Text     bool   `long:"text" description:"use the service's text format instead of JSON"`
	Args     struct {
		Host string `positional-arg-name:"HOST" required:"yes"`
	} `positional-args:"yes"`
}

func (r *resolveCmd) Execute([]string) error {
	cfg, err := config.Load(r.c.opts.Config)
	if err != nil {
		return r.c.configError(err)
	}
	h, err := pickHTTPDNS(cfg, r.Via)
	if err != nil {
		return r.c.configError(err)
	}
	q := httpdns.Query{Host: r.Args.Host, Type: r.Type, TTL: r.TTL, Text: r.Text}
	if r.ClientIP != "" {
		if q.ClientIP, err = netip.ParseAddr(r.ClientIP); err != nil {
			fmt.Fprintf(r.c.stderr, "eddns: --client-ip: %v\n", err)
			r.c.code = exitBadInput
			return nil
		}
	}
	client := daemon.NewHTTPDNSClient(h, providers.NewClock(nil), "eddns/"+version)
	ans, err := client.Resolve(context.Background(), q)
	if err != nil {
		fmt.Fprintln(r.c.stderr, err)
		r.c.code = exitFailed
		if errors.Is(err, httpdns.ErrInvalidQuery) || errors.Is(err, httpdns.ErrConfig) {
			r.c.code = exitBadInput
		}
		return nil
	}
	fmt.Fprint(r.c.stdout, ans)
	if len(ans.Addrs) == 0 {
		r.c.code = exitFailed
	}
	return nil
}

// pickHTTPDNS returns the httpdns section named via, or the only one.
func pickHTTPDNS(cfg *config.Config, via string) (*config.HTTPDNS, error) {
	if via != "" {
		if h := cfg.HTTPDNS[via]; h != nil {
			return h, nil
		}
		return nil, fmt.Errorf("%s: no httpdns section named %q", cfg.File, via)
	}
	if len(cfg.HTTPDNS) == 1 {
		for _, h := range cfg.HTTPDNS {
			return h, nil
		}
	}
	names := make([]string, 0, len(cfg.HTTPDNS))
	for n := range cfg.HTTPDNS {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no httpdns section configured", cfg.File)
	}
	return nil, fmt.Errorf("%s: several httpdns sections (%s): choose one with --via", cfg.File, strings.Join(names, ", "))
}
