#!/bin/sh
# Boot the demo, take a graph it prints in Graphviz dot (between
# "--- WHAT dot ---" and "--- end dot ---"; WHAT is cdt, the derivation
# tree, unless given: bank is the bank tree) and render it as SVG.
#   usage: cspace-svg.sh "QEMU COMMAND" BOOT_IMAGE OUT.svg [WHAT]
set -eu
qemu=$1
image=$2
out=$3
what=${4:-cdt}
log=${out%.svg}.log
timeout -s KILL 60 $qemu -initrd "$image" </dev/null >"$log" 2>&1 || true
sed -n "/^--- $what dot ---/,/^--- end dot ---/p" "$log" | tr -d '\r' | sed '1d;$d' | sed '/^--- end dot ---/,$d' >"${out%.svg}.dot"
if ! [ -s "${out%.svg}.dot" ]; then
    echo "cspace-svg: no dot output in $log" >&2
    exit 1
fi
dot -Tsvg "${out%.svg}.dot" -o "$out"
echo "wrote $out (from ${out%.svg}.dot)"
