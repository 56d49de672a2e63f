#!/usr/bin/env bash
# Installs everything dpo needs to build, run and test on Debian 12, from
# Debian's packages only. Idempotent; needs root (or sudo).
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libsqlitecpp-dev libsqlite3-dev
  doctest-dev libpq-dev libhyperscan-dev libre2-dev libssl-dev libzip-dev
  sqlite3 postgresql ripgrep util-linux
  git  # dpo detect --staged runs it; its tests make repositories
  clang libclang-rt-dev  # scripts/fuzz.sh: clang and its libFuzzer runtime
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
