# Sportello Mixitè — build, run and test on a fresh Debian 12 / Ubuntu machine.
# `make run` builds and launches the app; `make test` runs every test. Both install what they need.

SHELL := /bin/bash
APT_BUILD := libwebkit2gtk-4.1-dev build-essential pkg-config libxdo-dev libssl-dev \
             libayatana-appindicator3-dev librsvg2-dev
APT_TEST := xvfb xauth webkit2gtk-driver poppler-utils imagemagick dosfstools fusefat fuse3 zbar-tools \
            strace iproute2 util-linux desktop-file-utils xdotool cups cups-client printer-driver-cups-pdf
TAURI_DRIVER_VERSION := 2.1.0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ARTIFACTS ?= $(CURDIR)/artifacts
# Where cargo builds (the environment's CARGO_TARGET_DIR, else target/).
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
FUZZ_SECONDS ?= 60
# cargo-fuzz's build and working corpus live under target/ (the fuzz crate has its own lock file and
# workspace); only the seeds are committed (tests/fuzz/seeds/).
FUZZ_TARGET_DIR := $(CURDIR)/target/fuzz
FUZZ_CORPUS := $(FUZZ_TARGET_DIR)/corpus/archive_reader

.PHONY: run test test-long deps-build deps-test deps-e2e-node deps-package apt-nodejs deb lint test-rust test-e2e test-offline test-package \
        fuzz fuzz-seeds bench clean

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
	$(MAKE) --no-print-directory deps-e2e-node
# openpyxl reads the reports' XLSX back in the core tests: pip for the python3 on PATH, else Debian's package.
	@python3 -c 'import openpyxl' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check openpyxl==3.1.5 || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-openpyxl; }

# The end-to-end tests' own npm packages (axe-core, injected into the webview by tests/e2e/src/a11y.rs; never
# part of ui/ or the app), at the versions of tests/e2e/package-lock.json. Node.js comes from Debian when
# there is none (a NodeSource install already has npm).
deps-e2e-node:
	@command -v npm >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	@[ tests/e2e/node_modules/.package-lock.json -nt tests/e2e/package-lock.json ] || \
	  (cd tests/e2e && npm ci --no-audit --no-fund)

# Node and npm run Tauri's bundler (src-tauri/packaging/bundle, pinned in its package-lock.json); any node >= 18 will do,
# Debian's or another vendor's: only a missing one is installed.
deps-package: deps-build
	@command -v node >/dev/null && command -v npm >/dev/null || $(MAKE) --no-print-directory apt-nodejs

apt-nodejs:
	$(call apt_install,nodejs npm)

# Build in release mode and launch on the platform's default data folder.
run: deps-build
	cargo run --release --bin sportello-mixite

test: deps-test lint test-rust test-e2e test-offline test-package

# The Debian package (Tauri's bundler: release build, fonts as resources, desktop entry, licences;
# tauri.conf.json's bundle section) in $(TARGET_DIR)/release/bundle/deb/. The bundler is a build tool only,
# installed from src-tauri/packaging/bundle/package-lock.json into src-tauri/packaging/bundle/node_modules (never shipped).
deb: deps-package
	cd src-tauri/packaging/bundle && npm ci --no-audit --no-fund --loglevel=error
	rm -f "$(TARGET_DIR)"/release/bundle/deb/*.deb
	src-tauri/packaging/bundle/node_modules/.bin/tauri build --bundles deb --ci
# The bundler compresses with gzip; dpkg-deb packs the same tree again with xz -9 (dpkg reads both), which
# brings the package under the 25 MB goal.
	deb=$$(ls "$(TARGET_DIR)"/release/bundle/deb/*.deb) && tmp=$$(mktemp -d) && \
	  dpkg-deb -R "$$deb" "$$tmp/pkg" && dpkg-deb --root-owner-group -Zxz -z9 -b "$$tmp/pkg" "$$deb" >/dev/null; \
	  status=$$?; rm -rf "$$tmp"; exit $$status
	@ls -l "$(TARGET_DIR)"/release/bundle/deb/*.deb

# The package installed on this machine (dpkg -i), the operator's smoke test against the installed
# binary, removed and reinstalled over the same data folder (tests/package/deb.sh).
test-package: deps-test deb
	ARTIFACTS="$(ARTIFACTS)" tests/package/deb.sh

# The end-to-end suite again inside a network namespace with only loopback, the app under strace: fails if
# it opens any IPv4/IPv6 socket but WebKit's automation channel (tests/offline/run.sh).
test-offline: deps-test
	cargo build --bin sportello-mixite
	PATH="$$HOME/.cargo/bin:$$PATH" ARTIFACTS="$(ARTIFACTS)" APP_EXE="$(TARGET_DIR)/debug/sportello-mixite" \
	  timeout --kill-after=20 1500 tests/offline/run.sh

# The whole suite, then the archive reader fuzzed for 20 minutes.
test-long:
	$(MAKE) test
	$(MAKE) fuzz FUZZ_SECONDS=1200

lint:
	python3 ui/vendor/check-css.py
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo fmt --manifest-path tests/e2e/Cargo.toml -- --check
	cargo fmt --manifest-path tests/fuzz/Cargo.toml -- --check
	CARGO_TARGET_DIR=tests/e2e/target cargo clippy --manifest-path tests/e2e/Cargo.toml --all-targets -- -D warnings

test-rust:
	cargo test --workspace

test-e2e: deps-e2e-node
# The real app in its real webview (tests/e2e, its own crate and target), under Xvfb; screenshots and driver
# logs go to $(ARTIFACTS)/e2e, the accessibility findings per screen to $(ARTIFACTS)/e2e/a11y. The harness
# stops every tauri-driver / WebKitWebDriver / app it started, also
# when a test fails; `timeout` (which signals its whole process group) and xvfb-run (which stops Xvfb) cover
# a hang. The app prints to real CUPS: tests/support/cups-printer.sh starts the scheduler (detached, only if
# none runs) with the cups-pdf queue MixiteTest before the suite, named as lp's default by LPDEST; after it,
# every job must have printed (the jobs, as submitted and as printed, go to $(ARTIFACTS)/e2e/printer/), and
# the queue is removed (and a scheduler it started stopped) whether the suite passed or not.
	cargo build --bin sportello-mixite
	@command -v tauri-driver >/dev/null || [ -x "$$HOME/.cargo/bin/tauri-driver" ] || \
	  cargo install tauri-driver --locked --version $(TAURI_DRIVER_VERSION)
	mkdir -p "$(ARTIFACTS)/e2e"
	tests/support/cups-printer.sh start
	cd tests/e2e && PATH="$$HOME/.cargo/bin:$$PATH" ARTIFACTS="$(ARTIFACTS)/e2e" \
	  APP_BINARY="$(TARGET_DIR)/debug/sportello-mixite" GSETTINGS_BACKEND=memory LPDEST=MixiteTest \
	  CARGO_TARGET_DIR="$(CURDIR)/tests/e2e/target" \
	  timeout --kill-after=20 1200 xvfb-run -a -s "-screen 0 1280x800x24" cargo test --no-fail-fast -- --test-threads=1; \
	  status=$$?; cd "$(CURDIR)"; \
	  tests/support/cups-printer.sh jobs "$(ARTIFACTS)/e2e/printer" >"$(ARTIFACTS)/e2e/printer.txt" || status=1; \
	  tests/support/cups-printer.sh stop; exit $$status

fuzz:
# The case archive reader (tests/fuzz, target archive_reader) under libFuzzer for $(FUZZ_SECONDS) s. It reads the
# committed seeds and keeps what it finds in $(FUZZ_CORPUS), so a later run starts from there; a
# crash, a broken invariant or an input slower than 30 s stops it with its input in tests/fuzz/artifacts/.
	@rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || [ -x "$$HOME/.cargo/bin/cargo-fuzz" ] || cargo install cargo-fuzz --locked
	mkdir -p "$(FUZZ_CORPUS)"
	PATH="$$HOME/.cargo/bin:$$PATH" CARGO_TARGET_DIR="$(FUZZ_TARGET_DIR)" \
	  cargo +nightly fuzz run archive_reader --fuzz-dir tests/fuzz "$(FUZZ_CORPUS)" tests/fuzz/seeds/archive_reader \
	  -- -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=30

# Rewrites the committed seeds (built with the app's own export code, each checked to open).
fuzz-seeds:
	CARGO_TARGET_DIR="$(FUZZ_TARGET_DIR)" cargo run --release --manifest-path tests/fuzz/Cargo.toml --bin make_seeds

clean:
	cargo clean
