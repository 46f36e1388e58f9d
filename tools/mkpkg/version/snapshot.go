package version

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

var tagRE = regexp.MustCompile(`^v?([0-9]+(\.[0-9]+)*)$`)

// FromGit is the upstream version of a build (PKG_VERSION, without the
// release), valid and ordered the same way for apk and opkg:
//
//	on a release tag vX.Y.Z       X.Y.Z
//	N commits after vX.Y.Z        X.Y.Z_git<YYYYMMDD>_p<N>
//	no release tag yet            0.0.0_git<YYYYMMDD>_p<commits in history>
//
// date is the newest committer date in the history (UTC), which, unlike
// HEAD's own date, can only grow as commits are added; the count breaks
// ties within a day. "_git" sorts after the bare release in both
// managers (apk: a post-release suffix; opkg: '_' outranks the end of the
// string), so a snapshot sorts after its tag and before the next one.
func FromGit(tag string, sinceTag, commits int, date time.Time) (string, error) {
	day := date.UTC().Format("20060102")
	if tag == "" {
		return "0.0.0_git" + day + "_p" + strconv.Itoa(commits), nil
	}
	m := tagRE.FindStringSubmatch(tag)
	if m == nil {
		return "", fmt.Errorf("version: tag %q is not vX.Y.Z", tag)
	}
	if sinceTag == 0 {
		return m[1], nil
	}
	return m[1] + "_git" + day + "_p" + strconv.Itoa(sinceTag), nil
}

// ParseDescribe splits `git describe --tags --long` output
// ("v1.2.0-3-gabc1234") into the tag and the count since it.
func ParseDescribe(s string) (tag string, since int, err error) {
	s = strings.TrimSpace(s)
	i := strings.LastIndex(s, "-g")
	if i < 0 {
		return "", 0, fmt.Errorf("version: %q is not git describe --long output", s)
	}
	j := strings.LastIndex(s[:i], "-")
	if j < 0 {
		return "", 0, fmt.Errorf("version: %q is not git describe --long output", s)
	}
	since, err = strconv.Atoi(s[j+1 : i])
	if err != nil {
		return "", 0, fmt.Errorf("version: %q: %w", s, err)
	}
	return s[:j], since, nil
}
