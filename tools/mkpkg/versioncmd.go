package main

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/eddns/eddns/tools/mkpkg/version"
)

// cmdVersion prints the package version of the checkout (see
// version.FromGit): what `make` uses unless VERSION is given.
func cmdVersion(args []string) error {
	if len(args) != 0 {
		return fmt.Errorf("usage: mkpkg version")
	}
	git := func(a ...string) (string, error) {
		out, err := exec.Command("git", a...).Output()
		return strings.TrimSpace(string(out)), err
	}
	count, err := git("rev-list", "--count", "HEAD")
	if err != nil {
		return fmt.Errorf("version: not a git checkout: %w", err)
	}
	commits, err := strconv.Atoi(count)
	if err != nil {
		return fmt.Errorf("version: rev-list --count: %w", err)
	}
	dates, err := git("log", "--format=%ct")
	if err != nil {
		return fmt.Errorf("version: git log: %w", err)
	}
	var newest int64
	for _, f := range strings.Fields(dates) {
		if v, err := strconv.ParseInt(f, 10, 64); err == nil && v > newest {
			newest = v
		}
	}
	tag, since := "", 0
	if d, err := git("describe", "--tags", "--long", "--match", "v[0-9]*"); err == nil {
		if tag, since, err = version.ParseDescribe(d); err != nil {
			return err
		}
	}
	v, err := version.FromGit(tag, since, commits, time.Unix(newest, 0))
	if err != nil {
		return err
	}
	fmt.Println(v)
	return nil
}
