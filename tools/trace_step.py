# What tools/trace-path.py and tools/trace-call.py share: attaching GDB to
# a guest started halted with -S -gdb, reading registers, decoding the
# instruction at an address, and stepping one instruction.
import os

import gdb

KERNEL_BASE = 0xFFFFFFC000000000  # kernel addresses are at and above it


def attach():
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("target remote :%s" % os.environ.get("TRACE_PORT", "1234"))


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF


def instruction(pc):
    """The mnemonic and operands at pc, split on white space."""
    return gdb.execute("x/i %d" % pc, to_string=True).split(":", 1)[-1].split()


def step(insn):
    """Step one instruction, insn (decoded at the current pc).  Stopping
    the guest for GDB lets real time pass, which makes the timer interrupt
    due far sooner than in a real run; a read of sip (the fast path's
    "interrupt pending?") sees the timer bit cleared, so the path traced
    is the one the benchmark takes."""
    gdb.execute("stepi", to_string=True)
    if len(insn) >= 2 and insn[0] == "csrr" and insn[1].endswith(",sip"):
        r = insn[1].split(",")[0]
        gdb.execute("set $%s = $%s & ~0x20" % (r, r))
