#!/bin/sh
# Host benchmarks of the capability core (bench/host/bench_cdt.c): run the
# program natively for nanoseconds per operation and under callgrind for
# instructions per operation, then print one Markdown table (operation,
# live capabilities, instructions/op, ns/op) and the ratio of the largest
# to the smallest population per operation (docs/benchmarks.md).
#
#   usage: run-host-bench.sh [BINARY]
#
# Without BINARY, builds $BUILD/host/bench_cdt (BUILD defaults to build)
# with the host compiler at -O2, without sanitizers, from the kernel core
# sources the Makefile lists for the host tests (HOST_CORE_SRCS).
# Environment:
#   BENCH_HOST_DIR     logs and callgrind dumps (default $BUILD/host/bench)
#   BENCH_NATIVE_ARGS  extra arguments for the native run (e.g. --reps=9)
#   BENCH_CG_ARGS      extra arguments for the callgrind run (e.g. --ops=2000)
#   BENCH_SIZES        population sizes (default 100,10000,1000000)
#   HOSTCC             compiler for the build (default gcc)
set -u
build=${BUILD:-build}
out=${BENCH_HOST_DIR:-$build/host/bench}
sizes=${BENCH_SIZES:-100,10000,1000000}
mkdir -p "$out" || exit 1

if [ $# -ge 1 ]; then
    bin=$1
else
    bin=$build/host-bench/bench_cdt
    make -s --no-print-directory BUILD="$build" "$bin" || exit 1
fi
[ -x "$bin" ] || { echo "run-host-bench: $bin is not an executable" >&2; exit 1; }

native_log=$out/native.log
cg_log=$out/callgrind.log
echo "native run: $bin --sizes=$sizes ${BENCH_NATIVE_ARGS:-}" >&2
# shellcheck disable=SC2086
if ! "$bin" --sizes="$sizes" ${BENCH_NATIVE_ARGS:-} >"$native_log" 2>&1 ||
    ! grep -q '^bench done' "$native_log"; then
    cat "$native_log" >&2
    echo "run-host-bench: the native run failed; see $native_log" >&2
    exit 1
fi

rm -f "$out"/callgrind.out*
if command -v valgrind >/dev/null 2>&1; then
    echo "callgrind run (instrumentation only around the measurements)" >&2
    # shellcheck disable=SC2086
    if ! valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no \
        --callgrind-out-file="$out/callgrind.out" "$bin" --sizes="$sizes" ${BENCH_CG_ARGS:-} \
        >"$cg_log" 2>&1 || ! grep -q '^bench done' "$cg_log"; then
        cat "$cg_log" >&2
        echo "run-host-bench: the callgrind run failed; see $cg_log" >&2
        exit 1
    fi
else
    echo "run-host-bench: valgrind not found: no instruction counts" >&2
    : >"$cg_log"
fi

# One line per callgrind dump: op live ops batches instructions.
dumps=$out/dumps.txt
: >"$dumps"
for f in "$out"/callgrind.out.*; do
    [ -f "$f" ] || continue
    sed -n 's/^desc: Trigger: Client Request: bench op=\([a-z_]*\) live=\([0-9]*\) ops=\([0-9]*\) batches=\([0-9]*\)$/\1 \2 \3 \4/p; s/^totals: \([0-9]*\)$/T \1/p' "$f" |
        awk '$1 == "T" { t = $2; next } { k = $0 } END { if (k != "") print k, t + 0 }' >>"$dumps"
done

echo "Host: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null | head -1);" \
    "$(${HOSTCC:-gcc} --version 2>/dev/null | head -1) -O2;" \
    "$(valgrind --version 2>/dev/null || echo 'no valgrind')"
sed -n 's/^bench mode=native \(.*\)$/Native run: \1/p' "$native_log"
sed -n 's/^bench mode=callgrind \(.*\)$/Callgrind run: \1/p' "$cg_log"
echo

awk -v sizes="$sizes" '
function fmt_live(n) {
    if (n == 100) return "10^2"
    if (n == 10000) return "10^4"
    if (n == 1000000) return "10^6"
    return n
}
function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.2f", b / a) : "–" }
BEGIN {
    nsz = split(sizes, sz, ",")
    nops = split("identify copy delete mint retype retype_busy revoke", ops, " ")
    label["identify"] = "identify (baseline: sys_CALL and slot lookup, no tree access)"
    label["copy"] = "copy (endpoint)"
    label["delete"] = "delete, non-final copy"
    label["mint"] = "mint (fewer rights: a child)"
    label["retype"] = "retype one endpoint at an offset, into a hole"
    label["retype_busy"] = "retype at an offset in use (rejected by the range check)"
    label["revoke"] = "revoke untyped with 1000 endpoints, per descendant"
}
FNR == 1 { file++ }
file == 1 && $1 == "bench" && $2 ~ /^op=/ {   # native: bench op= live= ops= ns= ...
    split($2, o, "="); split($3, l, "="); split($5, v, "=")
    ns[o[2], l[2]] = v[2]
}
file == 2 {                                    # dumps: op live ops batches instructions
    if ($1 == "calibration") { cal = $5 / $4; next }
    cgops[$1, $2] = $3; cgbatches[$1, $2] = $4; cgtotal[$1, $2] = $5; have_cg = 1
}
END {
    print "| operation | live caps | instructions/op | ns/op |"
    print "|---|---:|---:|---:|"
    for (i = 1; i <= nops; i++) {
        op = ops[i]
        for (j = 1; j <= nsz; j++) {
            n = sz[j]
            ins = "–"
            if ((op, n) in cgtotal) {
                ir[op, n] = (cgtotal[op, n] - cgbatches[op, n] * cal) / cgops[op, n]
                ins = sprintf("%.0f", ir[op, n])
            }
            t = ((op, n) in ns) ? sprintf("%.0f", ns[op, n]) : "–"
            printf "| %s | %s | %s | %s |\n", label[op], fmt_live(n), ins, t
        }
    }
    lo = sz[1]; hi = sz[nsz]
    printf "\n| operation | instructions %s / %s | ns %s / %s |\n", fmt_live(hi), fmt_live(lo), fmt_live(hi), fmt_live(lo)
    print "|---|---:|---:|"
    for (i = 1; i <= nops; i++) {
        op = ops[i]
        printf "| %s | %s | %s |\n", label[op], ratio(ir[op, lo], ir[op, hi]), ratio(ns[op, lo], ns[op, hi])
    }
    if (have_cg)
        printf "\nCallgrind collection toggles: %.1f instructions per measured batch (subtracted).\n", cal
}' "$native_log" "$dumps"
