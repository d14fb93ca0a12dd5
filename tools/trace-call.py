# GDB script: record every instruction a benchmark measures, user and
# kernel code alike: from the Nth cycle-counter read in a user function to
# the next read the program makes, by single-stepping a guest started
# with -S -gdb (tools/trace-call.sh).  Prints one "PC pc count" line per
# address; the shell side names them.
#
# Environment: TRACE_PORT, TRACE_FUNC (the benchmark's function in the
# user image), TRACE_NTH (which of its rdcycle instructions starts the
# span, from 1, in address order: the compiler may have moved them), TRACE_SKIP (times to let that read pass first, so the
# benchmark loop is warm), TRACE_USER (the user ELF, for its symbols),
# TRACE_LIMIT (stop after this many instructions: 200000).
#
# QEMU's GDB stub loses the connection when asked to step across sret,
# and steps over a system call whole, so at an sret the script puts a
# breakpoint at sepc and continues, and at an ecall at stvec.
import os
import re
from collections import Counter

import gdb

port = os.environ.get("TRACE_PORT", "1234")
func = os.environ["TRACE_FUNC"]
nth = int(os.environ.get("TRACE_NTH", "1"))
skip = int(os.environ.get("TRACE_SKIP", "100"))
user = os.environ["TRACE_USER"]
LIMIT = int(os.environ.get("TRACE_LIMIT", "200000"))  # instructions at most
KERNEL_BASE = 0xFFFFFFC000000000

gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("add-symbol-file %s" % user)
reads = re.findall(r"(0x[0-9a-f]+) <\+\d+>:\s+rdcycle",
                   gdb.execute("disassemble '%s'" % func, to_string=True))
gdb.execute("target remote :%s" % port)
gdb.execute("break *%s" % reads[nth - 1])
gdb.execute("ignore 1 %d" % skip)
gdb.execute("continue")
gdb.execute("delete")


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF


def run_to(pc):
    gdb.execute("tbreak *%d" % pc, to_string=True)
    gdb.execute("continue", to_string=True)


def clear_timer_bit(insn):
    """Stopping the guest for GDB lets real time pass, which makes the
    timer interrupt due far sooner than in a real run; a read of sip sees
    the timer bit cleared, so the path traced is the benchmark's."""
    if len(insn) >= 2 and insn[0] == "csrr" and insn[1].endswith(",sip"):
        r = insn[1].split(",")[0]
        gdb.execute("set $%s = $%s & ~0x20" % (r, r))


counts = Counter()
spans = []  # [kernel?, instructions] in the order run
sequence = []
total = 0
while total < LIMIT:
    pc = reg("pc")
    insn = gdb.execute("x/i %d" % pc, to_string=True).split(":", 1)[-1].split()
    if total > 0 and insn[:1] == ["rdcycle"]:
        break
    counts[pc] += 1
    sequence.append(pc)
    total += 1
    kernel = pc >= KERNEL_BASE
    if not spans or spans[-1][0] != kernel:
        spans.append([kernel, 0])
    spans[-1][1] += 1
    if insn[:1] == ["sret"]:
        run_to(reg("sepc"))
        continue
    if insn[:1] == ["ecall"]:
        run_to(reg("stvec"))
        continue
    gdb.execute("stepi", to_string=True)
    clear_timer_bit(insn)

print("TRACE total %d" % total)
print("TRACE order: " + " > ".join("%s %d" % ("kernel" if k else "user", n) for k, n in spans))
for pc, n in counts.items():
    print("PC %016x %d" % (pc, n))
if os.environ.get("TRACE_SEQUENCE"):
    with open(os.environ["TRACE_SEQUENCE"], "w") as f:
        f.writelines("%016x\n" % pc for pc in sequence)
gdb.execute("kill")
