#!/bin/sh
# Count the instructions of one kernel path per function: boot IMAGE
# halted under -icount, let FUNC be hit SKIP times, then single-step the
# next ENTRIES kernel entries in GDB (user code between them runs freely).
#   usage: trace-path.sh "QEMU COMMAND" IMAGE KERNEL FUNC SKIP ENTRIES
# Example (the kernel entry after the 100th copy: a delete):
#   make trace-path TRACE_FUNC=cnode_copy TRACE_SKIP=100 TRACE_ENTRIES=1
set -eu
qemu=$1 image=$2 kernel=$3
port=$((20000 + $$ % 20000))
$qemu -initrd "$image" -S -gdb tcp::$port </dev/null >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
TRACE_PORT=$port TRACE_FUNC=$4 TRACE_SKIP=$5 TRACE_ENTRIES=$6 \
    gdb-multiarch -q -batch -x tools/trace-path.py "$kernel" 2>&1 | sed -n 's/^TRACE //p'
