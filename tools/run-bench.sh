#!/bin/sh
# Boot the benchmark root task under QEMU with -icount shift=0 and print its
# results as a Markdown table (paste into docs/benchmarks.md).
#   usage: run-bench.sh "QEMU COMMAND" BOOT_IMAGE TIMEOUT [FAULT_IMAGE]
# With FAULT_IMAGE (a fault test's boot image), also boots it once and
# reports the kernel's "fault to report" count: deterministic, one run.
set -u
qemu=$1
image=$2
limit=$3
fault_image=${4:-}
log=${BENCH_LOG:-build/bench.log}
timeout -s KILL "$limit" $qemu -initrd "$image" </dev/null >"$log" 2>&1
status=$?
grep '^bench:' "$log" | sed 's/\r$//'
if [ $status -ne 0 ] || ! grep -q '^bench: done' "$log"; then
    echo "bench: FAILED (QEMU status $status); see $log" >&2
    exit 1
fi
if [ -n "$fault_image" ]; then
    flog=${log%.log}-fault.log
    # The kernel prints the cost line only when its command line asks.
    timeout -s KILL 30 $qemu -initrd "$fault_image" -append coffer.fault_cost </dev/null >"$flog" 2>&1
    n=$(sed -n 's/\r$//; s/^coffer: fault to report took \([0-9]*\) cycles$/\1/p' "$flog" | head -1)
    if [ -n "$n" ]; then
        echo "bench: page fault to console report (kernel, from the C trap handler) runs=1 median=$n min=$n max=$n calibration=0" >>"$log"
        echo "bench: page fault to console report (kernel, from the C trap handler) runs=1 median=$n min=$n max=$n calibration=0"
    else
        echo "bench: FAILED to read the fault report count; see $flog" >&2
        exit 1
    fi
fi
echo
echo "| operation | median | min | max | calibration |"
echo "|---|---:|---:|---:|---:|"
sed -n 's/\r$//; s/^bench: \(.*\) runs=[0-9]* median=\([0-9]*\) min=\([0-9]*\) max=\([0-9]*\) calibration=\([0-9]*\)$/| \1 | \2 | \3 | \4 | \5 |/p' "$log"
