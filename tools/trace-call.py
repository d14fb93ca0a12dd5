# GDB script: record every instruction a benchmark measures, user and
# kernel code alike: from the Nth cycle-counter read in a user function to
# the next read the program makes, by single-stepping a guest started
# with -S -gdb (tools/trace-call.sh).  Prints one "PC pc count" line per
# address; the shell side names them.
#
# Environment: TRACE_PORT, TRACE_FUNC (the benchmark's function in the
# user image), TRACE_NTH (which of its rdcycle instructions starts the
# span, from 1, in address order: the compiler may have moved them),
# TRACE_SKIP (times to let that read pass first, so the benchmark loop is
# warm), TRACE_USER (the user ELF, for its symbols), TRACE_LIMIT (stop
# after this many instructions: 200000), TRACE_SEQUENCE (a file for the
# addresses in the order run).
#
# QEMU's GDB stub loses the connection when asked to step across sret,
# and steps over a system call whole, so at an sret the script puts a
# breakpoint at sepc and continues, and at an ecall at stvec.
import os
import re
import sys
from collections import Counter
from itertools import groupby

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_step import KERNEL_BASE, attach, instruction, reg, step  # noqa: E402

func = os.environ["TRACE_FUNC"]
nth = int(os.environ.get("TRACE_NTH", "1"))
skip = int(os.environ.get("TRACE_SKIP", "100"))
LIMIT = int(os.environ.get("TRACE_LIMIT", "200000"))  # instructions at most

gdb.execute("add-symbol-file %s" % os.environ["TRACE_USER"])
reads = re.findall(r"(0x[0-9a-f]+) <\+\d+>:\s+rdcycle",
                   gdb.execute("disassemble '%s'" % func, to_string=True))
attach()
gdb.execute("break *%s" % reads[nth - 1])
gdb.execute("ignore 1 %d" % skip)
gdb.execute("continue")
gdb.execute("delete")


def run_to(pc):
    gdb.execute("tbreak *%d" % pc, to_string=True)
    gdb.execute("continue", to_string=True)


sequence = []  # every address, in the order run
while len(sequence) < LIMIT:
    pc = reg("pc")
    insn = instruction(pc)
    if sequence and insn[:1] == ["rdcycle"]:
        break
    sequence.append(pc)
    if insn[:1] == ["sret"]:
        run_to(reg("sepc"))
    elif insn[:1] == ["ecall"]:
        run_to(reg("stvec"))
    else:
        step(insn)

spans = [(kernel, len(list(run))) for kernel, run in groupby(sequence, lambda pc: pc >= KERNEL_BASE)]
print("TRACE total %d" % len(sequence))
print("TRACE order: " + " > ".join("%s %d" % ("kernel" if k else "user", n) for k, n in spans))
for pc, n in Counter(sequence).items():
    print("PC %016x %d" % (pc, n))
if os.environ.get("TRACE_SEQUENCE"):
    with open(os.environ["TRACE_SEQUENCE"], "w") as f:
        f.writelines("%016x\n" % pc for pc in sequence)
gdb.execute("kill")
