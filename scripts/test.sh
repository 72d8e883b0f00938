#!/usr/bin/env bash
# The README's test command: provisions libtorch (and Debian -dev packages) when needed, builds and runs
# every test. Tests that need ../shared/data or ../shared/fixtures skip with a message when it is absent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/provision.sh
# Two build jobs fit the 2-core CI machine's memory and time best.
swift build --build-tests -j "${VOXELFM_BUILD_JOBS:-2}"
# All tests use Swift Testing; skipping the empty XCTest pass keeps its "Executed 0 tests" line out of the log.
swift test --skip-build --disable-xctest
