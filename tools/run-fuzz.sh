#!/bin/sh
# Run the libFuzzer targets (tests/fuzz/README.md), each with its seeds:
#   run-fuzz.sh BUILD campaign SECONDS   each target for SECONDS; new inputs
#                                        go to BUILD/fuzz/corpus-<name>
#   run-fuzz.sh BUILD tap RUNS           RUNS fixed-seed inputs each, from a
#                                        fresh directory, as TAP (make test)
# A crash lands in BUILD/fuzz/<name>-crash-*.
set -u
build=$1 mode=$2 amount=$3
targets="caps elf bootconf unpack"

# The seed directories of a target: its hand-made corpus and the inputs that
# once crashed it (tests/fuzz/crashes-<name>, when there are any); the ELF
# reader's seeds are the programs the build makes, the decompressor's short
# gzip and bzip2 streams it makes.
seeds() {
    case $1 in
    caps) echo tests/fuzz/corpus; [ -d tests/fuzz/crashes ] && echo tests/fuzz/crashes ;;
    elf) echo "$build/fuzz/seeds-elf" ;;
    unpack) echo "$build/fuzz/seeds-unpack" ;;
    *) echo "tests/fuzz/corpus-$1" ;;
    esac
    [ "$1" != caps ] && [ -d "tests/fuzz/crashes-$1" ] && echo "tests/fuzz/crashes-$1"
    return 0
}

max_len() {
    [ "$1" = elf ] && echo 65536 || echo 3072
}

n=0
status=0
for t in $targets; do
    n=$((n + 1))
    flags="-max_len=$(max_len $t) -artifact_prefix=$build/fuzz/$t-"
    if [ "$mode" = campaign ]; then
        mkdir -p "$build/fuzz/corpus-$t"
        "$build/fuzz/fuzz_$t" -max_total_time="$amount" $flags "$build/fuzz/corpus-$t" $(seeds $t) || status=1
        continue
    fi
    out=$build/fuzz/test-$t
    rm -rf "$out" && mkdir -p "$out"
    if "$build/fuzz/fuzz_$t" -runs="$amount" -seed=1 $flags "$out" $(seeds $t) >"$out.log" 2>&1; then
        echo "ok $n - libFuzzer: $amount runs of fuzz_$t without a finding"
    else
        grep -E "^fuzz_$t:|^  [a-z]|SUMMARY|Test unit written" "$out.log"
        echo "not ok $n - libFuzzer: fuzz_$t found a crash (see $out.log)"
    fi
done
exit $status
