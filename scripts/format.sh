#!/usr/bin/env bash
# Formats every Swift file with the checked-in .swift-format (120 columns, one statement per
# line). `scripts/format.sh --check` changes nothing and fails when a file is not formatted.
set -euo pipefail
cd "$(dirname "$0")/.."
fmt="$(command -v swift-format || true)"
if [[ -z "$fmt" ]]; then
    fmt="$(dirname "$(command -v swift)")/swift-format"
fi
if [[ ! -x "$fmt" ]]; then
    echo "format: swift-format not found (it ships with Swift 6 toolchains); skipped" >&2
    exit 0
fi
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.swift')
if [[ "${1:-}" != "--check" ]]; then
    "$fmt" format --in-place --parallel "${files[@]}"
    exit 0
fi
unformatted=()
for f in "${files[@]}"; do
    if ! "$fmt" format "$f" | cmp -s - "$f"; then
        unformatted+=("$f")
    fi
done
if (( ${#unformatted[@]} > 0 )); then
    printf 'format: not formatted (run scripts/format.sh or make format):\n' >&2
    printf '  %s\n' "${unformatted[@]}" >&2
    exit 1
fi
echo "format: ${#files[@]} Swift files formatted"
