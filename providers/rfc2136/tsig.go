package rfc2136

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strings"
	"time"

	"github.com/eddns/eddns/dnswire"
)

// TSIG (RFC 8945) constants.
const (
	typeTSIG  = 250
	classANY  = 255
	fudge     = 300 // seconds; RFC 8945 section 10 recommends 300
	maxMACLen = 64  // hmac-sha512
)

// TSIG error codes carried in the TSIG RR (RFC 8945 section 3, IANA DNS
// RCODEs registry).
const (
	tsigBADSIG   = 16
	tsigBADKEY   = 17
	tsigBADTIME  = 18
	tsigBADTRUNC = 22
)

// algorithms maps the names users write (BIND's key "algorithm" clause) to
// the algorithm names on the wire (RFC 8945 section 6, table 1).
var algorithms = map[string]struct {
	wire string
	hash func() hash.Hash
}{
	"hmac-md5":    {"hmac-md5.sig-alg.reg.int.", md5.New},
	"hmac-sha1":   {"hmac-sha1.", sha1.New},
	"hmac-sha224": {"hmac-sha224.", sha256.New224},
	"hmac-sha256": {"hmac-sha256.", sha256.New},
	"hmac-sha384": {"hmac-sha384.", sha512.New384},
	"hmac-sha512": {"hmac-sha512.", sha512.New},
}

// DefaultAlgorithm is used when key_algorithm is not set; it is what BIND's
// tsig-keygen generates by default.
const DefaultAlgorithm = "hmac-sha256"

// Key is a TSIG key: a name shared with the server, an HMAC algorithm and a
// secret. The secret never appears in errors.
type Key struct {
	name    string // canonical: lower case, trailing dot
	alg     string // algorithm name on the wire, canonical
	nameRaw []byte // name and alg in wire format, as RFC 8945 section
	algRaw  []byte // 4.3.3 hashes them (uncompressed)
	secret  []byte
	hash    func() hash.Hash
}

// String names the key without its secret, for any %v that meets it.
func (k *Key) String() string { return "TSIG key " + k.name + " (" + k.alg + ")" }

// GoString hides the secret from %#v.
func (k *Key) GoString() string { return k.String() }

// NewKey checks and builds a key. algorithm is e.g. "hmac-sha256" (empty
// means DefaultAlgorithm); secret is base64 as tsig-keygen prints it.
func NewKey(name, algorithm, secret string) (*Key, error) {
	if algorithm == "" {
		algorithm = DefaultAlgorithm
	}
	a, ok := algorithms[strings.TrimSuffix(strings.ToLower(algorithm), ".")]
	if !ok && strings.EqualFold(strings.TrimSuffix(algorithm, "."), "hmac-md5.sig-alg.reg.int") {
		a, ok = algorithms["hmac-md5"]
	}
	if !ok {
		return nil, fmt.Errorf("key_algorithm %q is not one of hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512", algorithm)
	}
	n, err := canonicalName(name)
	if err != nil || n == "." {
		return nil, fmt.Errorf("key_name %q is not a valid domain name", name)
	}
	raw, err := base64.StdEncoding.DecodeString(secret)
	if err != nil || len(raw) == 0 {
		// The decoder's error quotes the offending byte offset only, but
		// say nothing about the value anyway: it is the secret.
		return nil, errors.New("key_secret is not valid base64")
	}
	nameRaw, err := dnswire.AppendName(nil, n)
	if err != nil {
		return nil, fmt.Errorf("key_name %q is not a valid domain name", name)
	}
	algRaw, _ := dnswire.AppendName(nil, a.wire) // one of the names above
	return &Key{name: n, alg: a.wire, nameRaw: nameRaw, algRaw: algRaw, secret: raw, hash: a.hash}, nil
}

// canonicalName lower-cases a name and gives it its trailing dot; it checks
// the label and name lengths of RFC 1035 section 2.3.4.
func canonicalName(s string) (string, error) {
	s = strings.ToLower(strings.TrimSuffix(s, "."))
	if s == "" {
		return ".", nil
	}
	if len(s) > 253 {
		return "", errors.New("name too long")
	}
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 {
			return "", errors.New("empty or over-long label")
		}
	}
	return s + ".", nil
}

func appendUint48(b []byte, v uint64) []byte {
	return append(b, byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// tsigFields is the RDATA of a TSIG RR (RFC 8945 section 4.2).
type tsigFields struct {
	alg        string
	timeSigned uint64
	fudge      uint16
	mac        []byte
	origID     uint16
	errCode    uint16
	other      []byte
}

// variables are the TSIG variables hashed after the message (RFC 8945
// section 4.3.3).
func (k *Key) variables(t *tsigFields) []byte {
	b := append([]byte(nil), k.nameRaw...)
	b = binary.BigEndian.AppendUint16(b, classANY)
	b = binary.BigEndian.AppendUint32(b, 0) // TTL
	b = append(b, k.algRaw...)
	b = appendUint48(b, t.timeSigned)
	b = binary.BigEndian.AppendUint16(b, t.fudge)
	b = binary.BigEndian.AppendUint16(b, t.errCode)
	b = binary.BigEndian.AppendUint16(b, uint16(len(t.other)))
	return append(b, t.other...)
}

// digest is the MAC of msg (a message without its TSIG RR, ARCOUNT not
// counting it). A response's MAC also covers the request's MAC, prefixed
// with its length (RFC 8945 section 4.3.1).
func (k *Key) digest(requestMAC, msg []byte, t *tsigFields) []byte {
	h := hmac.New(k.hash, k.secret)
	if requestMAC != nil {
		h.Write(binary.BigEndian.AppendUint16(nil, uint16(len(requestMAC))))
		h.Write(requestMAC)
	}
	h.Write(msg)
	h.Write(k.variables(t))
	return h.Sum(nil)
}

// sign appends a TSIG RR to msg, a complete message whose ARCOUNT does not
// count it yet, and returns the signed message and its MAC (needed to check
// the response).
func (k *Key) sign(msg []byte, now time.Time) (signed, mac []byte) {
	t := &tsigFields{
		alg:        k.alg,
		timeSigned: uint64(now.Unix()),
		fudge:      fudge,
		origID:     binary.BigEndian.Uint16(msg),
	}
	t.mac = k.digest(nil, msg, t)
	rdata := append([]byte(nil), k.algRaw...)
	rdata = appendUint48(rdata, t.timeSigned)
	rdata = binary.BigEndian.AppendUint16(rdata, t.fudge)
	rdata = binary.BigEndian.AppendUint16(rdata, uint16(len(t.mac)))
	rdata = append(rdata, t.mac...)
	rdata = binary.BigEndian.AppendUint16(rdata, t.origID)
	rdata = binary.BigEndian.AppendUint16(rdata, 0) // error
	rdata = binary.BigEndian.AppendUint16(rdata, 0) // other len

	signed = append(make([]byte, 0, len(msg)+len(k.nameRaw)+len(rdata)+10), msg...)
	binary.BigEndian.PutUint16(signed[10:], binary.BigEndian.Uint16(msg[10:])+1)
	signed = append(signed, k.nameRaw...)
	signed = binary.BigEndian.AppendUint16(signed, typeTSIG)
	signed = binary.BigEndian.AppendUint16(signed, classANY)
	signed = binary.BigEndian.AppendUint32(signed, 0)
	signed = binary.BigEndian.AppendUint16(signed, uint16(len(rdata)))
	signed = append(signed, rdata...)
	return signed, t.mac
}

// tsigError is a TSIG error the server reported (RFC 8945 section 5.2).
type tsigError uint16

func (e tsigError) Error() string {
	switch e {
	case tsigBADSIG:
		return "BADSIG"
	case tsigBADKEY:
		return "BADKEY"
	case tsigBADTIME:
		return "BADTIME"
	case tsigBADTRUNC:
		return "BADTRUNC"
	}
	return fmt.Sprintf("TSIG error %d", uint16(e))
}

var (
	errUnsigned = errors.New("response carries no TSIG signature")
	errBadMAC   = errors.New("response signature does not verify with our key")
)

// verified is what a checked response's TSIG says.
type verified struct {
	errCode    uint16
	serverTime time.Time // from a signed BADTIME response's other data
}

// verify checks the TSIG of a response to a request whose MAC was
// requestMAC (RFC 8945 section 5.3). An error response the server could not
// sign (BADKEY, BADSIG: MAC empty) comes back as a tsigError. now is the
// corrected time the response's time stamp is held against.
func (k *Key) verify(resp, requestMAC []byte, now time.Time) (verified, error) {
	start, err := lastRecordOffset(resp)
	if err != nil {
		return verified{}, err
	}
	owner, off, err := readName(resp, start)
	if err != nil {
		return verified{}, err
	}
	if off+10 > len(resp) || binary.BigEndian.Uint16(resp[off:]) != typeTSIG {
		return verified{}, errUnsigned
	}
	rdlen := int(binary.BigEndian.Uint16(resp[off+8:]))
	rdStart := off + 10
	if rdStart+rdlen != len(resp) {
		return verified{}, errors.New("malformed TSIG record")
	}
	t, err := parseTSIG(resp, rdStart)
	if err != nil {
		return verified{}, err
	}
	if owner != k.name || t.alg != k.alg {
		return verified{}, fmt.Errorf("response signed with key %s (%s), not ours", owner, t.alg)
	}
	if len(t.mac) == 0 {
		if t.errCode != 0 {
			return verified{}, tsigError(t.errCode)
		}
		return verified{}, errBadMAC
	}
	// The MAC covers the message as it was before the TSIG RR was added:
	// ARCOUNT one less and the original id.
	stripped := append([]byte(nil), resp[:start]...)
	binary.BigEndian.PutUint16(stripped, t.origID)
	binary.BigEndian.PutUint16(stripped[10:], binary.BigEndian.Uint16(stripped[10:])-1)
	if !hmac.Equal(t.mac, k.digest(requestMAC, stripped, t)) {
		return verified{}, errBadMAC
	}
	v := verified{errCode: t.errCode}
	if t.errCode == tsigBADTIME && len(t.other) == 6 {
		var st uint64
		for _, b := range t.other {
			st = st<<8 | uint64(b)
		}
		v.serverTime = time.Unix(int64(st), 0)
		return v, nil
	}
	// Checked after the MAC: a replayed old response must not pass
	// (RFC 8945 section 5.4.2, done by the client on responses too).
	signed := time.Unix(int64(t.timeSigned), 0)
	if d := now.Sub(signed); d > time.Duration(t.fudge)*time.Second || d < -time.Duration(t.fudge)*time.Second {
		return v, fmt.Errorf("response signed at %s, outside the %ds fudge of our clock", signed.UTC().Format(time.RFC3339), t.fudge)
	}
	return v, nil
}

func parseTSIG(msg []byte, off int) (*tsigFields, error) {
	bad := errors.New("malformed TSIG record")
	alg, off, err := readName(msg, off)
	if err != nil {
		return nil, bad
	}
	t := &tsigFields{alg: alg}
	if off+10 > len(msg) {
		return nil, bad
	}
	for _, b := range msg[off : off+6] {
		t.timeSigned = t.timeSigned<<8 | uint64(b)
	}
	t.fudge = binary.BigEndian.Uint16(msg[off+6:])
	macLen := int(binary.BigEndian.Uint16(msg[off+8:]))
	off += 10
	if macLen > maxMACLen || off+macLen+6 > len(msg) {
		return nil, bad
	}
	t.mac = msg[off : off+macLen]
	off += macLen
	t.origID = binary.BigEndian.Uint16(msg[off:])
	t.errCode = binary.BigEndian.Uint16(msg[off+2:])
	otherLen := int(binary.BigEndian.Uint16(msg[off+4:]))
	off += 6
	if off+otherLen != len(msg) {
		return nil, bad
	}
	t.other = msg[off:]
	return t, nil
}
