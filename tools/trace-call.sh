#!/bin/sh
# Count the instructions of one benchmark sample, user and kernel code
# together, per innermost (inlined) function: boot IMAGE halted under
# -icount, let the NTH cycle-counter read in the user function FUNC pass
# SKIP times, single-step from the next time to the program's next read
# in GDB, and name each address with addr2line.
#   usage: trace-call.sh "QEMU COMMAND" IMAGE KERNEL USER FUNC NTH SKIP
# Example (the 101st purchase of the bank benchmark; NTH=3, its free):
#   make trace-call TRACE_FUNC=buy_free TRACE_NTH=2 TRACE_SKIP=100
set -eu
qemu=$1 image=$2 kernel=$3 user=$4
port=$((20000 + $$ % 20000))
out=$(mktemp)
$qemu -initrd "$image" -S -gdb tcp::$port </dev/null >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$out" "$out".*' EXIT
TRACE_PORT=$port TRACE_FUNC=$5 TRACE_NTH=$6 TRACE_SKIP=$7 TRACE_USER=$user \
    gdb-multiarch -q -batch -x tools/trace-call.py "$kernel" >"$out" 2>&1 || true
[ -z "${TRACE_DEBUG:-}" ] || cat "$out" >&2
sed -n 's/^TRACE //p' "$out"
# Name each address by the innermost function it was inlined from; kernel
# addresses (the top half) from the kernel, the rest from the user image.
name() {
    awk -v k="$2" '$1 == "PC" { top = substr($2, 1, 1) == "f"; if (top == k) print $2, $3 }' "$out" \
        >"$out.pcs"
    cut -d' ' -f1 "$out.pcs" | sed 's/^/0x/' | riscv64-unknown-elf-addr2line -f -i -a -e "$1" |
        awk '/^0x/ { a = $1; first = 1; next } first { f[a] = $0; first = 0; next } END { for (a in f) print a, f[a] }' \
        >"$out.names"
    awk 'NR == FNR { n["0x" $1] = $2; next } { c[$2] += n[$1] } END { for (f in c) printf "%7d %s\n", c[f], f }' \
        "$out.pcs" "$out.names"
}
{ name "$kernel" 1 | sed 's/$/ (kernel)/'; name "$user" 0; } | sort -rn
