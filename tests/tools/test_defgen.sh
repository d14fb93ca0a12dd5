#!/bin/sh
# tools/defgen refuses every malformed or inconsistent list with a message
# naming the problem (and the file and line where there is one), and its
# checks catch a stale docs table and an argument the kernel never
# decodes.  TAP.
#   usage: test_defgen.sh DEFGEN
set -u
defgen=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
n=0
failed=0
result() { # result ok|not-ok description
    n=$((n + 1))
    if [ "$1" = ok ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

# A minimal valid ABI and protocol folder; each case then breaks one file.
reset() {
    rm -rf "$dir/abi" "$dir/proto"
    mkdir -p "$dir/abi" "$dir/proto"
    cat >"$dir/abi/errors.def" <<'X'
ERROR(OK, 0, "-", "-", "success")
ERROR(RANGE_ERROR, 4, "min", "max", "out of range")
X
    echo 'OBJECT(CNODE, 1, "a CNode")' >"$dir/abi/objects.def"
    echo 'SYSCALL(CALL, 2, CALL, 0, "invoke", ARGS(CPTR(cptr, 0, "c")), RESULTS(), ERRORS())' >"$dir/abi/syscalls.def"
    cat >"$dir/abi/invocations.def" <<'X'
INVOCATION(CNODE_DELETE, 0x24, CNODE, "delete",
    ARGS(WORD(index, 0, "slot") FIELD(depth, 1, 0, 8, "bits")),
    RESULTS(), ERRORS(ERR(RANGE_ERROR, "1, 64", "bad depth")))
X
    cat >"$dir/proto/protocol.def" <<'X'
PROTOCOL(PROTOCOL, protocol, 0x100, 0x10f, "common")
ERROR(PROTO_UNKNOWN_OP, 0x100, "label", "-", "unknown")
X
    cat >"$dir/proto/echo.def" <<'X'
PROTOCOL(ECHO, echo, 0x110, 0x11f, "echo")
ERROR(ECHO_FULL, 0x110, "-", "-", "full")
OP(ECHO, SAY, 1, "say", ARGS(WORD(w, 0, "a word")), CAPS_IN(), RESULTS(WORD(r, 0, "it")), CAPS_OUT(),
   ERRORS(ERR(ECHO_FULL, "-", "full")))
X
}

# expect_fail description file 'replacement text' 'message part'
expect_fail() {
    reset
    printf '%s\n' "$3" >"$dir/$2"
    out=$("$defgen" -I "$dir/abi" -P "$dir/proto" check 2>&1)
    status=$?
    if [ $status -ne 0 ] && printf '%s' "$out" | grep -q -- "$4"; then
        result ok "defgen refuses $1"
    else
        printf '%s\n' "$out" | sed 's/^/#   /'
        result not-ok "defgen refuses $1 (status $status, expected a message with '$4')"
    fi
}

reset
if "$defgen" -I "$dir/abi" -P "$dir/proto" check; then
    result ok "defgen accepts a minimal valid set of lists"
else
    result not-ok "defgen accepts a minimal valid set of lists"
fi

expect_fail "an unterminated string" abi/objects.def 'OBJECT(CNODE, 1, "a CNode)' "unterminated string"
expect_fail "an unterminated comment" abi/objects.def '/* OBJECT(CNODE, 1, "a CNode")' "unterminated comment"
expect_fail "an unknown top-level call" abi/objects.def 'THING(CNODE, 1, "x")' "expected INVOCATION, SYSCALL"
expect_fail "a missing description" abi/objects.def 'OBJECT(CNODE, 1)' "should be a description"
expect_fail "an argument of an unknown kind" abi/invocations.def \
    'INVOCATION(CNODE_DELETE, 0x24, CNODE, "d", ARGS(BYTE(i, 0, "x")), RESULTS(), ERRORS())' "expected WORD"
expect_fail "a field past bit 63" abi/invocations.def \
    'INVOCATION(CNODE_DELETE, 0x24, CNODE, "d", ARGS(FIELD(i, 0, 60, 8, "x")), RESULTS(), ERRORS())' "within 64 bits"
expect_fail "an argument outside the five invocation registers" abi/invocations.def \
    'INVOCATION(CNODE_DELETE, 0x24, CNODE, "d", ARGS(WORD(i, 5, "x")), RESULTS(), ERRORS())' "outside the registers"
expect_fail "two fields overlapping in one register" abi/invocations.def \
    'INVOCATION(CNODE_DELETE, 0x24, CNODE, "d", ARGS(FIELD(a, 0, 0, 8, "x") FIELD(b, 0, 4, 8, "y")), RESULTS(), ERRORS())' "overlapping bits"
expect_fail "an argument name used twice" abi/invocations.def \
    'INVOCATION(CNODE_DELETE, 0x24, CNODE, "d", ARGS(WORD(a, 0, "x") WORD(a, 1, "y")), RESULTS(), ERRORS())' "used twice"
expect_fail "a result outside the two detail words" abi/invocations.def \
    'INVOCATION(CNODE_DELETE, 0x24, CNODE, "d", ARGS(), RESULTS(WORD(r, 2, "x")), ERRORS())' "outside the detail words"
expect_fail "an invocation on an unknown object type" abi/invocations.def \
    'INVOCATION(CNODE_DELETE, 0x24, FROB, "d", ARGS(), RESULTS(), ERRORS())' "unknown object type"
expect_fail "an undeclared error" abi/invocations.def \
    'INVOCATION(CNODE_DELETE, 0x24, CNODE, "d", ARGS(), RESULTS(), ERRORS(ERR(NO_SUCH, "-", "x")))' "undeclared error"
expect_fail "two invocations with one label" abi/invocations.def \
    'INVOCATION(A, 0x24, CNODE, "a", ARGS(), RESULTS(), ERRORS()) INVOCATION(B, 0x24, CNODE, "b", ARGS(), RESULTS(), ERRORS())' "used twice"
expect_fail "a system call of an unknown kind" abi/syscalls.def \
    'SYSCALL(CALL, 2, FAST, 0, "x", ARGS(), RESULTS(), ERRORS())' "PLAIN, IPC or CALL"
expect_fail "two errors with one number" abi/errors.def \
    'ERROR(OK, 0, "-", "-", "a") ERROR(RANGE_ERROR, 0, "-", "-", "b")' "also used by"
expect_fail "a kernel error at 0x100 or above" abi/errors.def \
    'ERROR(OK, 0, "-", "-", "a") ERROR(RANGE_ERROR, 0x100, "-", "-", "b")' "kernel errors lie below"
expect_fail "a protocol error outside its protocol's range" proto/echo.def \
    'PROTOCOL(ECHO, echo, 0x110, 0x11f, "e") ERROR(ECHO_FULL, 0x120, "-", "-", "f")' "outside its protocol's range"
expect_fail "protocols whose error ranges overlap" proto/echo.def \
    'PROTOCOL(ECHO, echo, 0x108, 0x11f, "e")' "ranges overlap"
expect_fail "an operation of an unknown protocol" proto/echo.def \
    'PROTOCOL(ECHO, echo, 0x110, 0x11f, "e") OP(ECHOS, SAY, 1, "s", ARGS(), CAPS_IN(), RESULTS(), CAPS_OUT(), ERRORS())' "unknown protocol"
expect_fail "an operation naming another protocol's error" proto/echo.def \
    'PROTOCOL(ECHO, echo, 0x110, 0x11f, "e") OP(ECHO, SAY, 1, "s", ARGS(), CAPS_IN(), RESULTS(), CAPS_OUT(), ERRORS(ERR(ECHO_NONE, "-", "x")))' "undeclared error"
expect_fail "more than three capabilities in a message" proto/echo.def \
    'PROTOCOL(ECHO, echo, 0x110, 0x11f, "e") OP(ECHO, SAY, 1, "s", ARGS(), CAPS_IN(CAP(a, "a") CAP(b, "b") CAP(c, "c") CAP(d, "d")), RESULTS(), CAPS_OUT(), ERRORS())' "too many items"
expect_fail "a client choosing no mode for what it sends" proto/echo.def \
    'PROTOCOL(ECHO, echo, 0x110, 0x11f, "e") OP(ECHO, SAY, 1, "s", ARGS(), CAPS_IN(CAP_CHILD_OR_MOVE(a, "a")), RESULTS(), CAPS_OUT(), ERRORS())' "CAPS_OUT only"
expect_fail "a TEXT in the register words" proto/echo.def \
    'PROTOCOL(ECHO, echo, 0x110, 0x11f, "e") OP(ECHO, SAY, 1, "s", ARGS(TEXT(t, 2, 4, "t")), CAPS_IN(), RESULTS(), CAPS_OUT(), ERRORS())' "from word 4"
expect_fail "a word inside a TEXT" proto/echo.def \
    'PROTOCOL(ECHO, echo, 0x110, 0x11f, "e") OP(ECHO, SAY, 1, "s", ARGS(TEXT(t, 4, 4, "t") WORD(w, 6, "w")), CAPS_IN(), RESULTS(), CAPS_OUT(), ERRORS())' "overlapping"
expect_fail "a TEXT past the last message word" proto/echo.def \
    'PROTOCOL(ECHO, echo, 0x110, 0x11f, "e") OP(ECHO, SAY, 1, "s", ARGS(TEXT(t, 100, 30, "t")), CAPS_IN(), RESULTS(), CAPS_OUT(), ERRORS())' "outside"

# The checks against docs and kernel sources.
reset
printf '# t\n<!-- defgen:invocation CNODE_DELETE -->\n<!-- defgen:end -->\n' >"$dir/doc.md"
printf '<!-- defgen:syscall CALL -->\n<!-- defgen:end -->\n' >"$dir/calls.md"
"$defgen" -I "$dir/abi" -P "$dir/proto" docs "$dir/doc.md" "$dir/calls.md" &&
    "$defgen" -I "$dir/abi" -P "$dir/proto" check-docs "$dir/doc.md" "$dir/calls.md" 2>"$dir/cover.err"
if [ $? -ne 0 ] && grep -q "SAY has no reference table in the docs" "$dir/cover.err"; then
    result ok "check-docs fails when an entry (the operation ECHO SAY) has no table in any file"
else
    result not-ok "check-docs fails when an entry (the operation ECHO SAY) has no table in any file"
fi
printf '<!-- defgen:protocol ECHO -->\n<!-- defgen:end -->\n' >>"$dir/calls.md"
"$defgen" -I "$dir/abi" -P "$dir/proto" docs "$dir/doc.md" "$dir/calls.md" &&
    "$defgen" -I "$dir/abi" -P "$dir/proto" check-docs "$dir/doc.md" "$dir/calls.md"
[ $? -eq 0 ] && grep -q 'coffer_cnode_delete(cnode, index, depth)' "$dir/doc.md" &&
    result ok "defgen docs fills a marked block, and check-docs then agrees" ||
    result not-ok "defgen docs fills a marked block, and check-docs then agrees"
sed -i 's/bad depth/a depth edited by hand/' "$dir/doc.md"
if "$defgen" -I "$dir/abi" -P "$dir/proto" check-docs "$dir/doc.md" "$dir/calls.md" 2>/dev/null; then
    result not-ok "check-docs fails on a hand-edited generated table"
else
    result ok "check-docs fails on a hand-edited generated table"
fi
printf '<!-- defgen:invocation NO_SUCH -->\n<!-- defgen:end -->\n' >"$dir/bad.md"
if "$defgen" -I "$dir/abi" -P "$dir/proto" check-docs "$dir/bad.md" 2>/dev/null; then
    result not-ok "check-docs fails on a block naming no entry"
else
    result ok "check-docs fails on a block naming no entry"
fi
echo 'x = INV_ARG(inv, CNODE_DELETE, index);' >"$dir/k.c"
if "$defgen" -I "$dir/abi" -P "$dir/proto" check-kernel "$dir/k.c" 2>"$dir/k.err"; then
    result not-ok "check-kernel fails when a declared argument (depth) is never decoded"
elif grep -q "argument depth is declared but the kernel never decodes it" "$dir/k.err"; then
    result ok "check-kernel fails when a declared argument (depth) is never decoded"
else
    result not-ok "check-kernel names the undecoded argument"
fi
echo 'y = INV_ARG(inv, CNODE_DELETE, depth);' >>"$dir/k.c"
"$defgen" -I "$dir/abi" -P "$dir/proto" check-kernel "$dir/k.c" &&
    result ok "check-kernel passes once every argument is decoded" ||
    result not-ok "check-kernel passes once every argument is decoded"
"$defgen" -I "$dir/abi" -P "$dir/proto" user "$dir/s.h" &&
    grep -q 'if (depth >> 8)' "$dir/s.h" && grep -q 'COFFER_ERR_INVALID_ARGUMENT, 1, 0' "$dir/s.h" &&
    result ok "a wrapper refuses a value wider than its field (INVALID_ARGUMENT with the register)" ||
    result not-ok "a wrapper refuses a value wider than its field (INVALID_ARGUMENT with the register)"
echo "1..$n"
[ $failed -eq 0 ]
