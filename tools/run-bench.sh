#!/bin/sh
# Boot the benchmark root task under QEMU with -icount shift=0 and print its
# results as a Markdown table (paste into docs/benchmarks.md).
#   usage: run-bench.sh "QEMU COMMAND" BOOT_IMAGE TIMEOUT
set -u
qemu=$1
image=$2
limit=$3
log=${BENCH_LOG:-build/bench.log}
timeout -s KILL "$limit" $qemu -initrd "$image" </dev/null >"$log" 2>&1
status=$?
grep '^bench:' "$log" | sed 's/\r$//'
if [ $status -ne 0 ] || ! grep -q '^bench: done' "$log"; then
    echo "bench: FAILED (QEMU status $status); see $log" >&2
    exit 1
fi
echo
echo "| operation | median | min | max | calibration |"
echo "|---|---:|---:|---:|---:|"
sed -n 's/\r$//; s/^bench: \(.*\) runs=[0-9]* median=\([0-9]*\) min=\([0-9]*\) max=\([0-9]*\) calibration=\([0-9]*\)$/| \1 | \2 | \3 | \4 | \5 |/p' "$log"
