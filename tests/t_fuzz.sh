#!/bin/sh
# The libFuzzer targets (tests/fuzz/run.sh): each replays its seed corpus (every crash
# ever found is a seed) and then fuzzes briefly, two targets at a time. One PASS/FAIL
# line per target. FUZZ_TEST_SECONDS (default 8) sets the fuzzing time of each;
# `make fuzz FUZZ_SECONDS=N` fuzzes longer.
. tests/lib.sh
secs=${FUZZ_TEST_SECONDS:-8}
FUZZ_SECONDS=$secs FUZZ_JOBS=${FUZZ_JOBS:-2} sh tests/fuzz/run.sh >"$TEST_OUT/fuzz.log" 2>&1
while IFS= read -r line; do
	case "$line" in
	"PASS "*) pass "${line#PASS }" ;;
	"FAIL "*) fail "${line#FAIL }" ;;
	*) echo "$line" ;;
	esac
done <"$TEST_OUT/fuzz.log"
grep -q '^PASS\|^FAIL' "$TEST_OUT/fuzz.log" || fail "fuzz: no target ran" "$(tail -n 5 "$TEST_OUT/fuzz.log")"
