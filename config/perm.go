package config

import (
	"fmt"
	"os"
)

// CheckPermissions returns a warning when the configuration file, which
// holds API secrets, can be read by its group or by everyone, and "" when
// it cannot (or cannot be examined at all: Load reports that).
func CheckPermissions(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	mode := fi.Mode().Perm()
	if mode&0o044 == 0 {
		return ""
	}
	who := "its group and everyone"
	switch {
	case mode&0o040 == 0:
		who = "everyone"
	case mode&0o004 == 0:
		who = "its group"
	}
	return fmt.Sprintf("%s holds API secrets but has mode %04o, readable by %s; fix with: chmod 600 %s", path, mode, who, path)
}
