package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"
)

// maxStatusCopy bounds the LuCI copy; the status of hundreds of records is
// a few hundred KiB, and rpcd's file.read refuses bigger files anyway.
const maxStatusCopy = 4 << 20

// WriteStatusCopy writes st into path, the copy of status.json that LuCI
// reads through rpcd as root. The file and its directory belong to root
// (the init script creates them); the daemon may only change the file's
// contents, so it cannot turn the path into a symlink to another file.
// It never creates the file, refuses a symlink (O_NOFOLLOW) or anything
// but a regular file, and rewrites it in place with one write at offset
// 0, padded with spaces to at least the old size instead of truncating:
// a reader never sees an empty or cut-off file, and JSON allows trailing
// white space.
func WriteStatusCopy(path string, st Status) error {
	st.Schema = statusSchema
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("status copy: %w", err)
	}
	data = append(data, '\n')
	if len(data) > maxStatusCopy {
		return fmt.Errorf("status copy: %d bytes is more than %d", len(data), maxStatusCopy)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return fmt.Errorf("status copy: %s is a symbolic link; not writing through it", path)
		}
		return fmt.Errorf("status copy: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("status copy: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("status copy: %s is not a regular file", path)
	}
	if fi.Size() > maxStatusCopy {
		if err := f.Truncate(0); err != nil {
			return fmt.Errorf("status copy: %w", err)
		}
		fi = nil
	}
	if fi != nil && int64(len(data)) < fi.Size() {
		old := fi.Size()
		// Keep the newline last: body, spaces, "\n", old bytes in all.
		padded := make([]byte, old)
		n := copy(padded, data[:len(data)-1])
		for i := n; i < len(padded)-1; i++ {
			padded[i] = ' '
		}
		padded[len(padded)-1] = '\n'
		data = padded
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		return fmt.Errorf("status copy: %w", err)
	}
	return nil
}
