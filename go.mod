module github.com/eddns/eddns

go 1.26.8

require (
	github.com/jessevdk/go-flags v1.6.1
	github.com/mdlayher/ndp v1.1.0
	github.com/vishvananda/netlink v1.3.1
	github.com/vishvananda/netns v0.0.5
	golang.org/x/net v0.22.0
	golang.org/x/sys v0.21.0
)

require golang.org/x/text v0.14.0 // indirect
