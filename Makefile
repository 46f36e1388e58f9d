# SPDX-License-Identifier: Apache-2.0
# eddns: build, package and measure without an OpenWrt SDK.
#
#   make build           host binary in build/eddns
#   make version         the version packages get (see Version below)
#   make ipk             static binaries + dist/eddns_<version>-<release>_<arch>.ipk for every arch,
#                        dist/luci-app-eddns_<version>-<release>_all.ipk and its Simplified Chinese
#                        translation dist/luci-i18n-eddns-zh-cn_<version>-<release>_all.ipk
#                        (po/zh_Hans/eddns.po compiled to LuCI's .lmo by tools/po2lmo)
#   make apk             the same packages for OpenWrt 25.12+ (apk v3): dist/apk/<arch>/eddns-<version>-r<release>.apk,
#                        dist/apk/noarch/luci-app-eddns-<version>-r<release>.apk and luci-i18n-eddns-zh-cn-...apk
#   make packages        both formats (each binary compiled once)
#   make feed KEY_APK=k.pem KEY_USIGN=k.sec
#                        packages + dist/feed/<arch>/: Packages(.gz, .sig) for opkg, signed packages.adb
#                        for apk, and dist/feed/keys/ with the public keys (each key is optional)
#   make ipk ARCHES="mipsel_24kc x86_64"   only some
#   make size            binary, .ipk and .apk sizes per arch, and what each dependency costs
#   make test-packaging  the OpenWrt-side tests (init script, hotplug, ipk/apk layout, qemu)
#   make reproducible    build packages and feeds twice and compare them byte for byte
#
# Every binary is static: CGO_ENABLED=0 $(GOFLAGS_RELEASE) -ldflags "-s -w -X main.version=$(VERSION)
# -X github.com/eddns/eddns/httpc.buildEpoch=$(SOURCE_DATE_EPOCH)" (the build time: TLS certificates
# are never checked at an earlier time, whatever the router's clock says).
# GOFLAGS_RELEASE is target.GoFlags() in tools/mkpkg/target (inlining off except in the runtime
# and crypto, for size; a test keeps the two equal); the per-arch GOARCH/GOMIPS/GOARM settings
# live there too (from OpenWrt's golang-values.mk).

GO ?= go

# Version (tools/mkpkg/version.FromGit): X.Y.Z on a vX.Y.Z tag, X.Y.Z_git<date>_p<n> n commits
# after it, 0.0.0_git<date>_p<commits> before the first tag (<date> = newest commit date, UTC).
# Valid for apk and ordered the same way by apk and opkg. Release is the package revision
# (-r<release> in .apk versions, -<release> in .ipk ones, as OpenWrt's build writes them).
ifeq ($(origin VERSION),undefined)
VERSION := $(shell $(GO) run ./tools/mkpkg version 2>/dev/null || echo 0.0.0)
endif
RELEASE ?= 1
# Same commit + same SOURCE_DATE_EPOCH = byte-identical packages.
ifeq ($(origin SOURCE_DATE_EPOCH),undefined)
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
endif
ARCHES ?=
DIST ?= dist
BUILD ?= build
KEY_APK ?=
KEY_USIGN ?=

MKPKG = $(GO) run ./tools/mkpkg
GOFLAGS_RELEASE = -trimpath -buildvcs=false -gcflags=all=-l -gcflags=runtime= -gcflags=crypto/...= -gcflags=vendor/golang.org/x/crypto/...=

.PHONY: all build version ipk apk packages feed size test-packaging reproducible clean

all: build

version:
	@echo '$(VERSION)'

build:
	CGO_ENABLED=0 $(GO) build $(GOFLAGS_RELEASE) -ldflags "-s -w -X main.version=$(VERSION) -X github.com/eddns/eddns/httpc.buildEpoch=$(SOURCE_DATE_EPOCH)" -o $(BUILD)/eddns .

# Each package is a description file; adding one is adding it here.
SPECS ?= openwrt/eddns.json $(wildcard luci-app-eddns/ipk.json luci-app-eddns/i18n-*.json)

# $(call pack,FORMATS)
define pack
	@for spec in $(SPECS); do \
		echo "$(MKPKG) build -spec $$spec -format $(1)"; \
		$(MKPKG) build -spec "$$spec" -format $(1) -version '$(VERSION)' -release '$(RELEASE)' \
			-epoch '$(SOURCE_DATE_EPOCH)' -out '$(DIST)' -bindir '$(BUILD)' -arch '$(ARCHES)' || exit 1; \
	done
endef

ipk:
	$(call pack,ipk)

apk:
	$(call pack,apk)

packages:
	$(call pack,ipk$(comma)apk)

comma := ,

feed: packages
	$(MKPKG) feed -in '$(DIST)' -out '$(DIST)/feed' -arch '$(ARCHES)' \
		$(if $(KEY_APK),-apk-key '$(KEY_APK)') $(if $(KEY_USIGN),-usign-key '$(KEY_USIGN)')

size: packages
	$(MKPKG) size -out '$(DIST)' -bindir '$(BUILD)'

test-packaging:
	$(GO) test -count=1 ./tools/...

# Throwaway keys (made once, outside dist) so the signed feed files are compared too;
# ECDSA signatures use RFC 6979 nonces and usign's Ed25519 is deterministic.
reproducible:
	rm -rf $(BUILD)/repro-a $(BUILD)/repro-b $(BUILD)/repro-keys
	mkdir -p $(BUILD)/repro-keys
	$(MKPKG) keygen -apk-key $(BUILD)/repro-keys/apk.pem -usign-key $(BUILD)/repro-keys/usign.sec
	$(MAKE) feed VERSION='$(VERSION)' SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' DIST=$(BUILD)/repro-a BUILD=$(BUILD)/repro-a/bin \
		KEY_APK=$(BUILD)/repro-keys/apk.pem KEY_USIGN=$(BUILD)/repro-keys/usign.sec
	$(MAKE) feed VERSION='$(VERSION)' SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' DIST=$(BUILD)/repro-b BUILD=$(BUILD)/repro-b/bin \
		KEY_APK=$(BUILD)/repro-keys/apk.pem KEY_USIGN=$(BUILD)/repro-keys/usign.sec
	cd $(BUILD)/repro-a && find . -path ./bin -prune -o -type f -print | sort > ../repro-a.list
	cd $(BUILD)/repro-b && find . -path ./bin -prune -o -type f -print | sort > ../repro-b.list
	cmp $(BUILD)/repro-a.list $(BUILD)/repro-b.list
	cd $(BUILD)/repro-a && while read -r f; do cmp "$$f" "../repro-b/$$f" || exit 1; done < ../repro-a.list
	@echo "packages (.ipk, .apk) and feeds are byte-identical: $$(wc -l < $(BUILD)/repro-a.list) files"

clean:
	rm -rf $(BUILD) $(DIST)
