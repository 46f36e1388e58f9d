// Package planner decides, for each configured record, the value it should
// publish right now, from the detect model and the other sources. It is pure:
// no I/O, so it runs on every kernel event without cost.
package planner

import (
	"fmt"
	"net/netip"

	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/detect"
)

// Desired is the value a record should hold, or why there is none yet.
type Desired struct {
	Value  netip.Addr // invalid when there is nothing to publish
	Reason string     // set when Value is invalid
}

// OK reports whether there is a value to publish.
func (d Desired) OK() bool { return d.Value.IsValid() }

func (d Desired) String() string {
	if d.OK() {
		return d.Value.String()
	}
	return "none (" + d.Reason + ")"
}

// Inputs is everything the planner reads.
type Inputs struct {
	Snapshot detect.Snapshot
	// Networks maps UCI logical interface names to their L3 devices.
	Networks map[string]string
	// NetworkErrs holds why a network could not be resolved.
	NetworkErrs map[string]string
	// PublicIP holds the echo-service answer per record key (source=url).
	PublicIP map[string]netip.Addr
	// PublicIPErrs holds why the echo services failed, per record key.
	PublicIPErrs map[string]string
	// Leases holds odhcpd's DHCPv6 leases: device -> host MAC -> addresses.
	Leases detect.Leases
	// Leases4 holds the DHCPv4 leases (dnsmasq, odhcpd): host MAC ->
	// addresses.
	Leases4 detect.Leases4
}

// Device returns the Linux device a record reads, resolving option network.
func Device(rec *config.Record, in Inputs) (string, string) {
	if rec.Device != "" {
		return rec.Device, ""
	}
	if rec.Network == "" {
		return "", "no device or network configured"
	}
	if dev, ok := in.Networks[rec.Network]; ok && dev != "" {
		return dev, ""
	}
	if why, ok := in.NetworkErrs[rec.Network]; ok {
		return "", fmt.Sprintf("network %s: %s", rec.Network, why)
	}
	return "", fmt.Sprintf("network %s not resolved yet", rec.Network)
}

// Plan returns what rec should publish given in.
func Plan(rec *config.Record, in Inputs) Desired {
	switch rec.Source {
	case "static":
		return Desired{Value: rec.Value}
	case "url":
		if a, ok := in.PublicIP[rec.Key()]; ok && a.IsValid() {
			return Desired{Value: a}
		}
		if why := in.PublicIPErrs[rec.Key()]; why != "" {
			return Desired{Reason: why}
		}
		return Desired{Reason: "public address not fetched yet"}
	case "host":
		return planHost(rec, in)
	case "interface", "prefix", "":
	default:
		return Desired{Reason: "unknown source " + rec.Source}
	}
	name, why := Device(rec, in)
	if name == "" {
		return Desired{Reason: why}
	}
	dev, ok := in.Snapshot[name]
	if !ok {
		return Desired{Reason: "device " + name + " does not exist"}
	}
	if rec.Source == "prefix" {
		p, ok := detect.LivePrefix(dev)
		if !ok {
			return Desired{Reason: "no usable IPv6 prefix on " + name}
		}
		return Desired{Value: detect.JoinSuffix(p, rec.Suffix)}
	}
	a, ok := detect.Select(dev.Addrs, rec.Type, rec.Prefer)
	if !ok {
		return Desired{Reason: fmt.Sprintf("no usable %s address on %s", family(rec.Type), name)}
	}
	return Desired{Value: a}
}

func family(typ string) string {
	if typ == "A" {
		return "IPv4"
	}
	return "IPv6"
}

// planHost follows a LAN host by MAC (source=host).
func planHost(rec *config.Record, in Inputs) Desired {
	mac, ok := detect.ParseMAC(rec.MAC)
	if !ok {
		return Desired{Reason: "invalid mac " + rec.MAC}
	}
	dev, ok := in.Snapshot[rec.Device]
	if !ok {
		return Desired{Reason: "device " + rec.Device + " does not exist"}
	}
	leased := in.Leases[rec.Device][mac]
	if rec.Type == "A" {
		leased = in.Leases4[mac]
	}
	c := detect.SelectHost(dev, mac, leased, rec.Type, rec.Prefer)
	if !c.Addr.IsValid() {
		return Desired{Reason: c.Why}
	}
	return Desired{Value: c.Addr}
}
