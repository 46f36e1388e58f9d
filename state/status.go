package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"
)

// StatusFileName is the human- and LuCI-facing status inside the state dir.
const StatusFileName = "status.json"

// Status is the content of status.json.
type Status struct {
	Schema      string         `json:"schema"`
	Version     string         `json:"version"`
	PID         int            `json:"pid"`
	StartedAt   time.Time      `json:"started_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
	ClockOffset string         `json:"clock_offset,omitempty"` // learned from provider Date headers
	DryRun      bool           `json:"dry_run,omitempty"`
	Records     []RecordStatus `json:"records"`
}

// RecordStatus is one record's line in status.json.
type RecordStatus struct {
	Key           string     `json:"key"`
	Section       string     `json:"section"`
	FQDN          string     `json:"fqdn"`
	Type          string     `json:"type"`
	Provider      string     `json:"provider"`
	Source        string     `json:"source"`
	Desired       string     `json:"desired,omitempty"`
	DesiredReason string     `json:"desired_reason,omitempty"` // why there is no desired value
	Published     string     `json:"published,omitempty"`
	RecordID      string     `json:"record_id,omitempty"`
	LastSuccess   *time.Time `json:"last_success,omitempty"`
	LastChange    *time.Time `json:"last_change,omitempty"` // last write that changed the record
	LastError     string     `json:"last_error,omitempty"`
	LastErrorCode string     `json:"last_error_code,omitempty"`
	LastErrorKind string     `json:"last_error_kind,omitempty"`
	LastErrorAt   *time.Time `json:"last_error_at,omitempty"`
	Failures      int        `json:"failures,omitempty"` // consecutive
	NextRetry     *time.Time `json:"next_retry,omitempty"`
	// Warning is a problem beside a published value that needs the user,
	// e.g. "record 123 still publishes the old value ... beside record 456".
	Warning    string     `json:"warning,omitempty"`
	Verify     string     `json:"verify,omitempty"` // "verified", "pending", "not visible after 150s", ...
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	Calls      Calls      `json:"calls"`
}

// KindWaitingForClock is the last_error_kind of a record whose update is
// held back because the provider's certificate is not yet valid at the
// trusted time: the system clock is not set yet. NTP's hotplug (SIGUSR2)
// retries it.
const KindWaitingForClock = "waiting for clock"

// Calls counts API calls made for a record since start.
type Calls struct {
	List   int `json:"list"`
	Create int `json:"create"`
	Update int `json:"update"`
	Failed int `json:"failed"`
}

const statusSchema = "eddns-status/1"

// WriteStatus writes dir/status.json atomically, world-readable (it holds no
// secrets, and LuCI reads it as another user). It does not fsync: the file
// is rebuilt at every start, so only atomicity matters, and a status write
// must never make an update wait for the disk.
func WriteStatus(dir string, st Status) error {
	st.Schema = statusSchema
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	path := filepath.Join(dir, StatusFileName)
	if err := writeAtomic(path, append(data, '\n'), 0o644, ownerOf(dir), false); err != nil {
		return fsErr("write", path, err)
	}
	return nil
}

// ReadStatus reads dir/status.json; raw is the file as written.
func ReadStatus(dir string) (st Status, raw []byte, err error) {
	path := filepath.Join(dir, StatusFileName)
	raw, err = readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil, fmt.Errorf("status: %s: %w", path, err)
	}
	if err != nil {
		return st, nil, err
	}
	st, err = DecodeStatus(raw)
	return st, raw, err
}

// DecodeStatus parses status.json strictly.
func DecodeStatus(raw []byte) (Status, error) {
	var st Status
	if err := decodeStrict(raw, &st); err != nil {
		return st, fmt.Errorf("status: %w", err)
	}
	if st.Schema != statusSchema {
		return st, fmt.Errorf("status: not an eddns status file (schema %q)", st.Schema)
	}
	return st, nil
}
