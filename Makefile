# eddns: build, package and measure without an OpenWrt SDK.
#
#   make build           host binary in build/eddns
#   make ipk             static binaries + dist/eddns_<version>-<release>_<arch>.ipk for every arch,
#                        dist/luci-app-eddns_<version>-<release>_all.ipk and its Simplified Chinese
#                        translation dist/luci-i18n-eddns-zh-cn_<version>-<release>_all.ipk
#                        (po/zh_Hans/eddns.po compiled to LuCI's .lmo by tools/po2lmo)
#   make ipk ARCHES="mipsel_24kc x86_64"   only some
#   make size            binary and .ipk sizes per arch, and what each dependency costs
#   make test-packaging  the OpenWrt-side tests (init script, hotplug, ipk layout, qemu)
#   make reproducible    build the packages twice and compare them byte for byte
#
# Every binary is static: CGO_ENABLED=0 $(GOFLAGS_RELEASE) -ldflags "-s -w -X main.version=$(VERSION)".
# GOFLAGS_RELEASE is target.GoFlags() in tools/mkpkg/target (inlining off except in the runtime
# and crypto, for size; a test keeps the two equal); the per-arch GOARCH/GOMIPS/GOARM settings
# live there too (from OpenWrt's golang-values.mk).

GO ?= go

# Version: from the newest vX.Y.Z tag (v1.2.0-3-gabc1234 -> 1.2.0+3.gabc1234),
# else 0.0.0+git.<commit>. Release is the package revision.
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' 2>/dev/null | sed -e 's/^v//' -e 's/-\([0-9]*\)-g/+\1.g/' | grep . || echo "0.0.0+git.$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)")
RELEASE ?= 1
# Same commit + same SOURCE_DATE_EPOCH = byte-identical packages.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
ARCHES ?=
DIST ?= dist
BUILD ?= build

MKPKG = $(GO) run ./tools/mkpkg
GOFLAGS_RELEASE = -trimpath -buildvcs=false -gcflags=all=-l -gcflags=runtime= -gcflags=crypto/...= -gcflags=vendor/golang.org/x/crypto/...=

.PHONY: all build ipk size test-packaging reproducible clean

all: build

build:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_RELEASE) -ldflags "-s -w -X main.version=$(VERSION)" -o $(BUILD)/eddns .

# Each package is a description file; adding one is adding it here.
SPECS ?= openwrt/eddns.json $(wildcard luci-app-eddns/ipk.json luci-app-eddns/i18n-*.json)

ipk:
	@for spec in $(SPECS); do \
		echo "$(MKPKG) build -spec $$spec"; \
		$(MKPKG) build -spec "$$spec" -version '$(VERSION)' -release '$(RELEASE)' \
			-epoch '$(SOURCE_DATE_EPOCH)' -out '$(DIST)' -bindir '$(BUILD)' -arch '$(ARCHES)' || exit 1; \
	done

size: ipk
	$(MKPKG) size -out '$(DIST)' -bindir '$(BUILD)'

test-packaging:
	$(GO) test -count=1 ./tools/...

reproducible:
	rm -rf $(BUILD)/repro-a $(BUILD)/repro-b
	$(MAKE) ipk DIST=$(BUILD)/repro-a BUILD=$(BUILD)/repro-a/bin
	$(MAKE) ipk DIST=$(BUILD)/repro-b BUILD=$(BUILD)/repro-b/bin
	cd $(BUILD)/repro-a && for f in *.ipk; do cmp "$$f" "../repro-b/$$f" || exit 1; done
	@echo "packages are byte-identical"

clean:
	rm -rf $(BUILD) $(DIST)
