#!/usr/bin/env bash
# Install Debian's Chromium (and its ChromeDriver) for the console's browser tests in
# tests/e2e. Idempotent: does nothing when /usr/bin/chromium is already there. Never
# fails the build: without apt (or without root) it says so and exits 0, and the browser
# tests then skip with a message.
set -uo pipefail

CHROMIUM="${MITRA_CHROMIUM:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
    echo "install-chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM") already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: apt-get not available; browser tests will be skipped"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install-chromium: not root and no passwordless sudo; browser tests will be skipped"
        exit 0
    fi
fi

echo "install-chromium: installing Debian's chromium and chromium-driver"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq; then
    echo "install-chromium: apt-get update failed; browser tests will be skipped"
    exit 0
fi
if ! $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; then
    echo "install-chromium: apt-get install failed; browser tests will be skipped"
    exit 0
fi
echo "install-chromium: $("$CHROMIUM" --version 2>/dev/null || echo "installed, but $CHROMIUM not found")"
exit 0
