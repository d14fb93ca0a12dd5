#!/bin/sh
# Run every host unit-test program, each with the inputs it needs, and pass
# its TAP through.  A program that crashes or exits non-zero without
# printing a failing line adds one "not ok" so it cannot pass silently.
#   usage: run-host-tests.sh BUILD_DIR TEST...
# A test is known by its program's name, test_<name> (built flat in
# BUILD_DIR/host/ from tests/host/<area>/test_<name>.c; names are unique).
set -u
build=$1
shift

args_for() {
    case "$1" in
    test_fdt) echo "$build/virt.dtb" ;;
    test_fdt_machine) echo "$build/virt.dtb tests/host/data/qemu-virt-opensbi.dtb" ;;
    test_elf) echo "$build/user/hello.elf" ;;
    test_abi) echo "$build/gen/include/coffer/syscall_stubs.h" ;;
    test_bootimage)
        "$build/tools/mkbootimage" "$build/host/sample.cpio" \
            tools/bootstrap.sh=bootstrap "$build/user/hello.elf=hello" >/dev/null
        echo "$build/host/sample.cpio tools/bootstrap.sh=bootstrap $build/user/hello.elf=hello" ;;
    test_boot_memmap) echo "$build/virt.dtb tests/host/data/qemu-virt-opensbi.dtb" ;;
    *) echo "" ;;
    esac
}

for t in "$@"; do
    name=$(basename "$t")
    echo "# host: $name"
    # A hung test (say, a teardown that never ends) is killed and fails.
    # shellcheck disable=SC2046
    out=$(timeout "${HOST_TEST_TIMEOUT:-300}" "$t" $(args_for "$name") 2>&1)
    status=$?
    [ $status -eq 124 ] && out="$out
not ok - $name killed after ${HOST_TEST_TIMEOUT:-300} s" 
    printf '%s\n' "$out"
    if [ $status -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
        echo "not ok - $name exited with status $status"
    fi
done
