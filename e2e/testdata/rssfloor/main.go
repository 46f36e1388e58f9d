// Command rssfloor is the memory floor BenchmarkRSSFloor compares eddns
// with: the least a Go DDNS client can be. It links what any such client
// needs from the standard library (crypto/tls for https endpoints,
// encoding/json for the answers, log/slog) and nothing of eddns. It listens
// for kernel IPv6 address events on a plain rtnetlink socket and POSTs each
// new global address to -endpoint at once (no planning, signing or state),
// decodes the JSON answer, logs one line, and once it has been quiet for
// -quiet hands free memory back to the kernel, as eddns does.
//
// It is built and run only by the e2e benchmarks.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	endpoint := flag.String("endpoint", "", "http:// or https:// URL to POST each new address to")
	caFile := flag.String("ca", "", "PEM file of the CA for an https endpoint")
	quiet := flag.Duration("quiet", 5*time.Second, "quiet time before freeing memory")
	flag.Parse()
	u, err := url.Parse(*endpoint)
	if err != nil || u.Host == "" {
		fmt.Fprintln(os.Stderr, "rssfloor: -endpoint: need a URL")
		os.Exit(2)
	}
	var tlsConf *tls.Config
	if u.Scheme == "https" {
		pool := x509.NewCertPool()
		if pem, err := os.ReadFile(*caFile); err == nil {
			pool.AppendCertsFromPEM(pem)
		}
		tlsConf = &tls.Config{RootCAs: pool, ServerName: u.Hostname()}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_ROUTE)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rssfloor: netlink:", err)
		os.Exit(1)
	}
	// RTMGRP_IPV6_IFADDR, <linux/rtnetlink.h>.
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK, Groups: 0x100}); err != nil {
		fmt.Fprintln(os.Stderr, "rssfloor: netlink bind:", err)
		os.Exit(1)
	}
	addrs := make(chan netip.Addr, 64)
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, _, err := syscall.Recvfrom(fd, buf, 0)
			if err != nil {
				if err == syscall.EINTR {
					continue
				}
				fmt.Fprintln(os.Stderr, "rssfloor: netlink read:", err)
				os.Exit(1)
			}
			for _, a := range newAddrs(buf[:n]) {
				addrs <- a
			}
		}
	}()
	fmt.Println("rssfloor ready")

	quietTimer := time.NewTimer(*quiet)
	for {
		select {
		case a := <-addrs:
			if err := post(u, tlsConf, a); err != nil {
				log.Error("update failed", "addr", a, "err", err)
			} else {
				log.Info("updated", "addr", a)
			}
			quietTimer.Reset(*quiet)
		case <-quietTimer.C:
			debug.FreeOSMemory()
		}
	}
}

// newAddrs returns the global IPv6 addresses announced by the RTM_NEWADDR
// messages in a netlink datagram (<linux/if_addr.h>: ifaddrmsg, IFA_ADDRESS).
func newAddrs(b []byte) []netip.Addr {
	var out []netip.Addr
	for len(b) >= 16 {
		l := int(binary.NativeEndian.Uint32(b[0:4]))
		typ := binary.NativeEndian.Uint16(b[4:6])
		if l < 16 || l > len(b) {
			return out
		}
		msg := b[16:l]
		if typ == syscall.RTM_NEWADDR && len(msg) >= 8 && msg[0] == syscall.AF_INET6 {
			attrs := msg[8:]
			for len(attrs) >= 4 {
				al := int(binary.NativeEndian.Uint16(attrs[0:2]))
				at := binary.NativeEndian.Uint16(attrs[2:4])
				if al < 4 || al > len(attrs) {
					break
				}
				if at == syscall.IFA_ADDRESS && al == 20 {
					if a := netip.AddrFrom16([16]byte(attrs[4:20])); a.IsGlobalUnicast() {
						out = append(out, a)
					}
				}
				attrs = attrs[(al+3)&^3:]
			}
		}
		b = b[(l+3)&^3:]
	}
	return out
}

// post sends a in one HTTP/1.1 request on a fresh connection and decodes
// the JSON answer.
func post(u *url.URL, tlsConf *tls.Config, a netip.Addr) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), map[bool]string{true: "443", false: "80"}[tlsConf != nil])
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if tlsConf != nil {
		tc := tls.Client(conn, tlsConf)
		if err := tc.HandshakeContext(ctx); err != nil {
			return err
		}
		conn = tc
	}
	body := `{"Value":"` + a.String() + `"}`
	if _, err := io.WriteString(conn, "POST "+u.RequestURI()+" HTTP/1.1\r\nHost: "+u.Host+
		"\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"+body); err != nil {
		return err
	}
	r := bufio.NewReader(conn)
	status, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	length := -1
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		line = strings.TrimSpace(line)
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Content-Length") {
			length, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	var resp io.Reader = r
	if length >= 0 {
		resp = io.LimitReader(r, int64(length))
	}
	var answer map[string]any
	if err := json.NewDecoder(resp).Decode(&answer); err != nil && err != io.EOF {
		return fmt.Errorf("%s: %w", strings.TrimSpace(status), err)
	}
	return nil
}
