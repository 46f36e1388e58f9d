package detect

import (
	"fmt"
	"runtime"

	"github.com/vishvananda/netns"
)

// inNetNS runs fn with the calling thread in the network namespace at path,
// so that the sockets fn opens belong to that namespace (a socket keeps the
// namespace it was created in). An empty path runs fn directly.
//
// fn runs on a fresh goroutine locked to its OS thread and never unlocked:
// when the goroutine ends the runtime discards the thread, so a thread left
// in another namespace can never be reused by unrelated code.
func inNetNS(path string, fn func() error) error {
	if path == "" {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		h, err := netns.GetFromPath(path)
		if err != nil {
			errc <- fmt.Errorf("open netns %s: %w", path, err)
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			errc <- fmt.Errorf("enter netns %s: %w", path, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
