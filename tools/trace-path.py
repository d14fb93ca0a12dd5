# GDB script: count the instructions of one kernel path, per function, by
# single-stepping a guest started with -S -gdb (tools/trace-path.sh).
#
# Environment: TRACE_PORT, TRACE_FUNC (a kernel function on the path),
# TRACE_SKIP (hits of TRACE_FUNC to let pass first, so caches and the
# benchmark loop are warm), TRACE_ENTRIES (kernel entries to follow from
# the next trap on).  User code between the entries is not counted: QEMU's
# GDB stub loses the connection when asked to step across sret, so the
# script runs to the next trap instead.
import os
import sys
from collections import Counter

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trace_step import attach, instruction, reg, step  # noqa: E402

func = os.environ["TRACE_FUNC"]
skip = int(os.environ.get("TRACE_SKIP", "100"))
entries = int(os.environ.get("TRACE_ENTRIES", "1"))

attach()
gdb.execute("break %s" % func)
gdb.execute("ignore 1 %d" % skip)
gdb.execute("continue")
gdb.execute("delete")
gdb.execute("break trap_vector")
gdb.execute("continue")
gdb.execute("delete")


def where(pc):
    text = gdb.execute("info symbol %d" % pc, to_string=True)
    if text.startswith("No symbol"):
        return "?%x" % pc
    return text.split(" in ")[0].split(" + ")[0].strip()


counts = Counter()
order = []
total = 0
for entry in range(entries):
    while total < 50000:
        pc = reg("pc")
        name = where(pc)
        if not order or order[-1][0] != name:
            order.append([name, 0])
        order[-1][1] += 1
        counts[name] += 1
        total += 1
        insn = instruction(pc)
        if insn[:1] == ["sret"]:
            break
        step(insn)
    order.append(["|user|", 0])
    if entry + 1 < entries:
        gdb.execute("break trap_vector")
        gdb.execute("continue")
        gdb.execute("delete")

print("TRACE total %d kernel instructions in %d entries (sret included)" % (total, entries))
for name, n in counts.most_common():
    print("TRACE %6d %s" % (n, name))
print("TRACE order: " + " > ".join("%s(%d)" % (name, n) for name, n in order))
gdb.execute("kill")
