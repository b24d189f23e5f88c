#!/usr/bin/env bash
# Installs the Debian 12 packages hotline-sync builds with (`setup.sh test`: and tests with).
# Idempotent: runs apt-get only when a package is missing. Needs root (or sudo) only in that case.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libcurl4-openssl-dev rapidjson-dev libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev
  libcpp-httplib-dev libcli11-dev libtomlplusplus-dev libsystemd-dev libssl-dev libutf8proc-dev
  libphonenumber-dev libgtest-dev libgmock-dev libbenchmark-dev
  curl jq systemd
)
# `setup.sh test`: also what the tests need beyond the build: Chromium and ChromeDriver for the web
# page's browser test, a font with Chinese glyphs for its screenshots, openssl for the TLS tests'
# certificates, clang 14 and its runtime (libFuzzer) for the fuzz targets (scripts/fuzz.sh).
if [ "${1:-}" = "test" ]; then
  PACKAGES+=(chromium chromium-driver fonts-wqy-microhei openssl clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
