#!/usr/bin/env bash
# Installs the system packages TradLyte needs to build and test, when they are missing.
# As root it uses apt-get; otherwise it prints the exact command to run and fails.
set -euo pipefail

packages=(libsqlite3-dev libncurses-dev libcurl4-openssl-dev pkg-config tmux faketime curl)

if ! command -v swift >/dev/null 2>&1; then
    echo "ensure-deps: the Swift toolchain (swift 6.0 or newer) is not on PATH — install it from swift.org first" >&2
    exit 1
fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for p in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [[ "$status" == "install ok installed" ]] || missing+=("$p")
    done
else
    # Not Debian: check the headers and tools directly and say what is missing.
    [[ -f /usr/include/sqlite3.h ]] || missing+=(sqlite3-headers)
    command -v tmux >/dev/null 2>&1 || missing+=(tmux)
    if [[ ${#missing[@]} -gt 0 ]]; then
        echo "ensure-deps: missing ${missing[*]} — install SQLite 3, ncurses, libcurl development files and tmux with your package manager" >&2
        exit 1
    fi
    exit 0
fi

[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
    echo "ensure-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
else
    echo "ensure-deps: missing system packages: ${missing[*]}" >&2
    echo "run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
