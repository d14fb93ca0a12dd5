#!/bin/sh
# The kernel's static footprint, from its ELF symbols: everything the kernel
# will ever use besides the objects users retype from untyped memory.
#   usage: kernel-size.sh KERNEL_ELF NM
set -eu
elf=$1
nm=$2
sym() { "$nm" "$elf" | awk -v s="$1" '$3 == s { print $1 }'; }
# Kernel-window addresses are 0xffffffff8xxxxxxx: compare the low 32 bits
# (shell arithmetic is signed 64-bit).
low() { a=$(sym "$1"); echo "0x${a#ffffffff}"; }
span() { echo $(( $(low "$2") - $(low "$1") )); }
stack=$("$nm" -S "$elf" | awk '$4 == "kernel_stack" { print $2 }')
tables=0
for t in kernel_root_pt kernel_window_l1 kernel_image_l0; do
    size=$("$nm" -S "$elf" | awk -v s="$t" '$4 == s { print $2 }')
    tables=$((tables + 0x${size:-0}))
done
printf '%-28s %8s bytes\n' \
    "text" "$(span _text_start _text_end)" \
    "rodata" "$(span _rodata_start _rodata_end)" \
    "data" "$(span _data_start _data_end)" \
    "bss" "$(span _bss_start _bss_end)" \
    "  of which kernel stack" "$((0x$stack))" \
    "  of which page tables" "$tables" \
    "ksyms (backtrace symbols)" "$(span _ksyms_start _ksyms_end)" \
    "total static footprint" "$(span _kernel_start _kernel_end)"
echo "The kernel has no heap: this is all the memory it uses after boot."
