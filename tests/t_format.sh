#!/bin/sh
# The C sources follow .clang-format.
. tests/lib.sh
bad=""
for f in gen/*.c gen/*.h tests/unit/*.c tests/unit/*.h; do
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
[ -z "$bad" ] && pass "clang-format: sources formatted" || fail "clang-format: sources formatted" "run 'make format':$bad"
