#!/bin/sh
# Count the TAP results in a log and print the closing line
# "N passed, N failed".  Exits non-zero if anything failed or nothing ran.
set -eu
log=$1
passed=$(grep -cE '^ok( |$)' "$log" || true)
failed=$(grep -cE '^not ok( |$)' "$log" || true)
if [ "$failed" -ne 0 ]; then
    echo "failures:"
    grep -E '^not ok( |$)' "$log" | sed 's/^/  /'
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
