package ipk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// maxUnpacked bounds how much a Read may decompress in total, so a hostile
// or corrupt archive cannot exhaust memory.
const maxUnpacked = 256 << 20

// Member is one tar member as read back, with its header facts.
type Member struct {
	Name     string
	Typeflag byte
	Format   tar.Format
	Mode     int64
	UID, GID int
	Uname    string
	Gname    string
	ModTime  time.Time
	Body     []byte
}

// Package is an .ipk read back: the outer members, the members of the two
// inner archives, the parsed control file and conffiles.
type Package struct {
	Outer     []Member
	Data      []Member
	Control   []Member
	Fields    []Field
	Conffiles []string
	// DataTarSize is the size of the uncompressed data.tar, which
	// Installed-Size must equal.
	DataTarSize int64
}

// Read parses an .ipk the way opkg-lede does (gunzip, then tar, then each
// inner member is gunzipped and read as a tar), and rejects anything opkg
// would choke on: PAX headers, typeflags it does not handle, or a missing
// control.tar.gz / data.tar.gz.
func Read(ipk []byte) (*Package, error) {
	budget := int64(maxUnpacked)
	outer, _, err := readTarGz(ipk, &budget)
	if err != nil {
		return nil, fmt.Errorf("ipk: outer: %w", err)
	}
	p := &Package{Outer: outer}
	var data, ctl []byte
	for _, m := range outer {
		switch strings.TrimPrefix(m.Name, "./") {
		case "data.tar.gz":
			data = m.Body
		case "control.tar.gz":
			ctl = m.Body
		}
	}
	if data == nil || ctl == nil {
		return nil, errors.New("ipk: data.tar.gz or control.tar.gz missing")
	}
	if p.Data, p.DataTarSize, err = readTarGz(data, &budget); err != nil {
		return nil, fmt.Errorf("ipk: data.tar.gz: %w", err)
	}
	if p.Control, _, err = readTarGz(ctl, &budget); err != nil {
		return nil, fmt.Errorf("ipk: control.tar.gz: %w", err)
	}
	for _, m := range p.Control {
		switch strings.TrimPrefix(m.Name, "./") {
		case "control":
			if p.Fields, err = ParseControl(string(m.Body)); err != nil {
				return nil, err
			}
		case "conffiles":
			for _, l := range strings.Split(string(m.Body), "\n") {
				if l = strings.TrimSpace(l); l != "" {
					p.Conffiles = append(p.Conffiles, l)
				}
			}
		}
	}
	if p.Fields == nil {
		return nil, errors.New("ipk: control.tar.gz has no control file")
	}
	return p, nil
}

// readTarGz returns the members and the uncompressed tar size.
func readTarGz(b []byte, budget *int64) ([]Member, int64, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, 0, err
	}
	raw, err := io.ReadAll(io.LimitReader(zr, *budget+1))
	if err != nil {
		return nil, 0, err
	}
	if int64(len(raw)) > *budget {
		return nil, 0, errors.New("archive too large")
	}
	*budget -= int64(len(raw))
	tr := tar.NewReader(bytes.NewReader(raw))
	var out []Member
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, err
		}
		if h.Format&tar.FormatPAX != 0 || len(h.PAXRecords) > 0 {
			return nil, 0, fmt.Errorf("%s: PAX header (opkg-lede rejects typeflag x/g)", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		default:
			return nil, 0, fmt.Errorf("%s: typeflag %q not handled by opkg-lede", h.Name, h.Typeflag)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, Member{
			Name: h.Name, Typeflag: h.Typeflag, Format: h.Format, Mode: h.Mode,
			UID: h.Uid, GID: h.Gid, Uname: h.Uname, Gname: h.Gname,
			ModTime: h.ModTime, Body: body,
		})
	}
	return out, int64(len(raw)), nil
}

// Find returns the member with the given name ("./etc/config/eddns").
func Find(ms []Member, name string) (Member, bool) {
	for _, m := range ms {
		if m.Name == name {
			return m, true
		}
	}
	return Member{}, false
}
