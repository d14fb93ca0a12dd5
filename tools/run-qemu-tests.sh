#!/bin/sh
# The in-QEMU tests, run from the host.
#
#  1. The test suite: boot build/boot-test.cpio, stream the serial console,
#     pass the guest's TAP lines through.  A guest that exits non-zero,
#     hangs past the timeout (it is killed), or prints fewer results than
#     its plan adds a "not ok" line.
#  2. The boot-failure tests: no boot image, a boot image that is not an
#     archive, a root task that is not an ELF file.  The kernel must panic
#     with its reason and a symbolized backtrace and exit with status 3.
#  3. The debugger: QEMU's GDB stub (as make qemu-gdb starts it) and
#     gdb-multiarch stop at a breakpoint in kernel_main with the right
#     arguments.
#  4. The fault tests: boot each build/boot-fault-KIND.cpio and expect the
#     kernel's fault report followed by its idle message; then the guest is
#     stopped (the kernel idles forever once its only thread has stopped).
#
#   usage: run-qemu-tests.sh BUILD_DIR "QEMU COMMAND" TIMEOUT FAULT_KIND...
set -u
build=$1
qemu=$2
limit=$3
shift 3

n=0
result() { # result ok|not-ok description
    n=$((n + 1))
    if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}

# ---- the suite
log=$build/qemu-suite.log
echo "# qemu: test suite (timeout ${limit}s)"
# 3 GiB of RAM (a later -m wins) so that a 1 GiB untyped exists for the
# gigapage tests; the other boots keep the default.
timeout -s KILL "$limit" $qemu -initrd "$build/boot-test.cpio" -m "${SUITE_MEM:-3G}" </dev/null >"$log" 2>&1
status=$?
# The guest's own TAP lines, renumbered by nothing: pass them through.
grep -E '^(ok|not ok|#|1\.\.)' "$log" | sed 's/\r$//' | grep -v '^1\.\.'
plan=$(sed -n 's/\r$//; s/^1\.\.\([0-9]*\)$/\1/p' "$log" | tail -1)
seen=$(grep -cE '^(ok|not ok) ' "$log")
if [ "$status" -eq 137 ]; then
    result not-ok "suite: guest hung and was killed after ${limit}s"
    tail -20 "$log" | sed 's/^/#   /'
elif [ "$status" -ne 0 ]; then
    result not-ok "suite: QEMU exited with status $status"
    tail -20 "$log" | sed 's/^/#   /'
else
    result ok "suite: QEMU exited with status 0"
fi
if [ -n "$plan" ] && [ "$plan" -eq "$seen" ]; then
    result ok "suite: all $plan planned results reported"
else
    result not-ok "suite: plan '${plan:-missing}' but $seen results"
fi

# ---- the suite again on a kernel without the IPC fast path (SLOW_QEMU):
# the general path alone must give the same results.
if [ -n "${SLOW_QEMU:-}" ]; then
    slog=$build/qemu-suite-slowpath.log
    timeout -s KILL "$limit" $SLOW_QEMU -initrd "$build/boot-test.cpio" -m "${SUITE_MEM:-3G}" </dev/null >"$slog" 2>&1
    status=$?
    splan=$(sed -n 's/\r$//; s/^1\.\.\([0-9]*\)$/\1/p' "$slog" | tail -1)
    sok=$(grep -cE '^ok ' "$slog")
    if [ "$status" -eq 0 ] && [ -n "$splan" ] && [ "$splan" -eq "$sok" ]; then
        result ok "suite without the IPC fast path: all $splan results pass"
    else
        result not-ok "suite without the IPC fast path: status $status, $sok of ${splan:-?} pass (see $slog)"
        grep -E '^not ok' "$slog" | sed 's/^/#   /'
    fi
fi

# ---- the demo, as make run shows it, and its derivation-tree picture
log=$build/qemu-demo.log
timeout -s KILL "$limit" $qemu -initrd "$build/boot-demo.cpio" </dev/null >"$log" 2>&1
status=$?
if [ $status -eq 0 ] && grep -q 'root: hello from user mode' "$log" &&
    grep -q 'untyped: .* KiB RAM' "$log" && grep -q 'ENDPOINT -w-- .* badge=0x2a' "$log" &&
    grep -q 'reads: "written through the frame"' "$log" &&
    grep -q 'answered my calls (proto/upper.def) with "COFFER!"' "$log" &&
    grep -q 'and "WHOEVER BENEFITS PAYS, THE SERVER AS WELL"' "$log" &&
    grep -q '"bell\\a" was refused: UPPER_NOT_TEXT at byte 4' "$log" &&
    grep -q 'root: revoked: free bytes of the untyped [0-9]* -> \([0-9]*\) (of \1)' "$log" &&
    [ "$(grep -c 'of RAM: every byte accounted' "$log")" -eq 2 ] &&
    grep -q 'gone from his CSpace too (empty slot)' "$log" &&
    grep -q '^hello: hello, world (2 arguments: "world", "two words")' "$log" &&
    grep -q '^ *[0-9]*  hello  *exited   status 0 ' "$log" &&
    grep -q '^ *[0-9]*  crash  *faulted  fault 1 at pc 0x[0-9a-f]* addr 0x0 ' "$log" &&
    grep -q '^hi: hi, world (0 arguments)' "$log" &&
    grep -q 'init: console sessions opened: [0-9]*, .*; [0-9]* bytes written through them' "$log" &&
    grep -q 'init: all reaped; .*: every byte back' "$log" &&
    grep -q 'root: done, shutting down' "$log"; then
    result ok "demo: untyped table, derivation dump, an alias reading through its mapping, a passive server called through its generated protocol (and an error it refuses with), revoke to the last byte, the bank tree and its audit adding up to all RAM before and after a destroy, boot.conf's processes spawned, run (hello's lines through the console server, on a session its bank paid for), faulted and reaped with every byte back, exit status 0"
else
    result not-ok "demo: expected output or exit status 0 missing (status $status)"
    tail -15 "$log" | sed 's/^/#   /'
fi
# The shell's scripted session (boot.conf's [shell]).
if grep -q '^coffer> spawn hello from the shell --limit 512K' "$log" &&
    grep -q '^hello: hello, world (3 arguments: "from", "the", "shell")' "$log" &&
    grep -q '^pid [0-9]*: hello exited with status 0, ' "$log" &&
    grep -q '^spin: spinning' "$log" &&
    grep -q '^ *[0-9]*  spin  *running  *256 KiB  *256 KiB ' "$log" &&
    grep -q '^pid [0-9]*: spin killed: its bank destroyed, 256 KiB back in the shell' "$log" &&
    grep -q '^pid [0-9]*: spin was killed, ' "$log" &&
    grep -q '^  prime  .* MiB .* MiB ' "$log" &&
    grep -q '^    together  .*= what it holds: every byte attributed' "$log" &&
    grep -q '^ *[0-9]*  shell  *exited   status 0 ' "$log"; then
    result ok "demo: the shell's scripted session: help, spawn on a bank inside the shell's, wait, ps, kill, wait, banks and mem; the shell exits 0"
else
    result not-ok "demo: the shell's scripted session is not as expected"
    grep -A40 '^coffer> help' "$log" | head -60 | sed 's/^/#   /'
fi
if sh tools/cspace-svg.sh "$qemu" "$build/boot-demo.cpio" "$build/cdt.svg" >/dev/null 2>&1 &&
    grep -q '<svg' "$build/cdt.svg" && grep -q -- '->' "$build/cdt.dot"; then
    result ok "demo: the dot dump renders to SVG with graphviz"
else
    result not-ok "demo: make cspace-svg failed"
fi
if sh tools/cspace-svg.sh "$qemu" "$build/boot-demo.cpio" "$build/banks.svg" bank >/dev/null 2>&1 &&
    grep -q '<svg' "$build/banks.svg" && grep -q 'b1 -> b2' "$build/banks.dot"; then
    result ok "demo: the bank tree renders to SVG (make bank-svg)"
else
    result not-ok "demo: make bank-svg failed"
fi

# ---- the shell on the keyboard (make shell): each command typed after
# the prompt before it shows in QEMU's output, as a person would
log=$build/qemu-shell.log
fifo=$build/qemu-shell.in
rm -f "$fifo" && mkfifo "$fifo"
timeout -s KILL "$limit" $qemu -initrd "$build/boot-shell.cpio" <"$fifo" >"$log" 2>&1 &
qemu_pid=$!
trap '' PIPE # a guest that died early: the writes fail, the checks say why
exec 3>"$fifo"
prompts=0
for cmd in 'ps' 'spawn hello typed --limit 512K' 'wait' 'bogus\177\177\177\177\177mem' 'exit'; do
    prompts=$((prompts + 1))
    waited=0
    while [ "$(grep -o 'coffer> ' "$log" | wc -l)" -lt $prompts ] && [ $waited -lt $((limit * 10)) ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    printf "$cmd\r" >&3 2>/dev/null
done
wait $qemu_pid
status=$?
exec 3>&-
rm -f "$fifo"
if [ $status -eq 0 ] && grep -q '^ *1  shell  *running ' "$log" &&
    grep -q 'hello: hello, world (1 argument: "typed")' "$log" && # after the next prompt, as it may
    grep -q '^pid 2: hello exited with status 0' "$log" &&
    grep -q "$(printf 'bogus\\(\b \b\\)\\{5\\}mem')" "$log" &&
    grep -q '= what it holds: every byte attributed' "$log" &&
    grep -q '^ *1  shell  *exited   status 0 ' "$log" &&
    grep -q 'init: all reaped; .*: every byte back' "$log"; then
    result ok "shell: typed at through the keyboard's session: ps, spawn, wait, a line edited with DEL, mem, exit; QEMU exits 0"
else
    result not-ok "shell: the typed session is not as expected (status $status)"
    tail -30 "$log" | sed 's/^/#   /'
fi

# ---- boot failures: a clean panic, never a hang or a silent exit
panic_test() { # panic_test NAME EXPECTED-REASON QEMU-EXTRA-ARGS...
    name=$1
    reason=$2
    shift 2
    log=$build/qemu-panic-$name.log
    timeout -s KILL "$limit" $qemu "$@" </dev/null >"$log" 2>&1
    status=$?
    if [ $status -eq 3 ] && grep -q "coffer kernel panic: $reason" "$log" &&
        grep -q 'kernel_main+0x' "$log"; then
        result ok "boot: $name panics with '$reason', symbolized backtrace, status 3"
    else
        result not-ok "boot: $name: expected a panic '$reason' and status 3, got status $status"
        tail -15 "$log" | sed 's/^/#   /'
    fi
}
panic_test no-boot-image "no boot image"
panic_test garbage-boot-image "cannot create the root task" -initrd README.md
panic_test root-not-elf "cannot create the root task" -initrd "$build/boot-bad-elf.cpio"
grep -q 'bad ELF image' "$build/qemu-panic-root-not-elf.log" &&
    grep -q 'boot image has no root task' "$build/qemu-panic-garbage-boot-image.log"
if [ $? -eq 0 ]; then
    result ok "boot: the panics name the bad archive and the bad ELF image"
else
    result not-ok "boot: the panics do not name the cause"
fi

# ---- the debugger
port=$((20000 + $$ % 10000))
log=$build/qemu-gdb.log
$qemu -initrd "$build/boot-demo.cpio" -S -gdb tcp:127.0.0.1:$port </dev/null >"$log.qemu" 2>&1 &
pid=$!
sleep 1
timeout -s KILL "$limit" gdb-multiarch -q -batch -nx "$build/kernel.elf" \
    -ex "target remote 127.0.0.1:$port" -ex 'break kernel_main' -ex 'continue' \
    -ex 'bt' -ex 'info registers a1' </dev/null >"$log" 2>&1
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
if grep -q '^#0  kernel_main (hart_id=0, dtb_pa=' "$log" && grep -q 'high_entry' "$log"; then
    result ok "gdb: breakpoint in kernel_main hit through the QEMU stub, with source backtrace"
else
    result not-ok "gdb: could not stop in kernel_main"
    tail -15 "$log" | sed 's/^/#   /'
fi

# ---- the fault tests
expect_cause() {
    case "$1" in
    illegal-instruction) echo "illegal instruction" ;;
    load-kernel) echo "load page fault" ;;
    store-unmapped) echo "store page fault" ;;
    fetch-kernel) echo "instruction page fault" ;;
    store-readonly-alias) echo "store page fault" ;;
    load-after-revoke) echo "load page fault" ;;
    esac
}

# The faulting address, where the test knows it (alias_setup.h's ALIAS_VA).
expect_address() {
    case "$1" in
    store-readonly-alias | load-after-revoke) echo "stval=0x0000001000001000" ;;
    *) echo "stval=" ;;
    esac
}

for kind in "$@"; do
    log=$build/qemu-fault-$kind.log
    cause=$(expect_cause "$kind")
    address=$(expect_address "$kind")
    $qemu -initrd "$build/boot-fault-$kind.cpio" </dev/null >"$log" 2>&1 &
    pid=$!
    waited=0
    while [ $waited -lt $((limit * 10)) ] && ! grep -q 'no runnable thread' "$log"; do
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
        waited=$((waited + 1))
    done
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    if grep -q "coffer: user fault in 'fault-$kind': $cause.*$address" "$log" &&
        grep -q "thread 'fault-$kind' stopped" "$log" &&
        grep -q 'no runnable thread; idle' "$log" &&
        ! grep -q 'FAILED\|panic' "$log"; then
        result ok "fault: $kind reported as '$cause', thread stopped, kernel alive"
    else
        result not-ok "fault: $kind not reported as '$cause'"
        tail -15 "$log" | sed 's/^/#   /'
    fi
done
