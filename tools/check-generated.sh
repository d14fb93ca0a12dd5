#!/bin/sh
# The interface lists and what depends on them agree (TAP):
#  1. the lists parse and keep their rules (defgen check);
#  2. every generated table in docs/ is what the lists say (run make docs
#     after changing a list: a hand-edited table fails here);
#  3. the kernel decodes every argument the lists declare, through its
#     generated accessor;
#  4. no library writes an invocation wrapper by hand (they are generated).
#   usage: check-generated.sh DEFGEN "DOCS..." "KERNEL SOURCES..."
set -u
defgen=$1
docs=$2
kernel=$3
n=0
check() { # check description command...
    n=$((n + 1))
    what=$1
    shift
    if out=$("$@" 2>&1); then
        echo "ok $n - $what"
    else
        printf '%s\n' "$out" | sed 's/^/# /'
        echo "not ok $n - $what"
    fi
}
no_hand_wrappers() {
    ! grep -rn 'COFFER_INV_' lib/
}
check "defgen: the interface lists parse and keep their rules" "$defgen" check
# shellcheck disable=SC2086
check "defgen: every generated table in docs/ matches the lists" "$defgen" check-docs $docs
# shellcheck disable=SC2086
check "defgen: the kernel decodes every declared invocation and system-call argument" \
    "$defgen" check-kernel $kernel
check "defgen: no library has a hand-written invocation wrapper" no_hand_wrappers
