/*
 * Faults delivered to a handler: the root task is the fault handler of
 * worker threads (their fault endpoint is a badged copy of one of its
 * endpoints).  A page fault is fixed by mapping a page and replying; an
 * illegal instruction is skipped by replying with a new pc; an unknown
 * system call arrives as a fault too.  A thread whose fault is never
 * answered stays stopped.
 */
#include "threads_fixture.h"

#define ROOT TF_ROOT
#define D TF_D
#define FAULT_VA 0x2000100000ull /* in the test GiB, not mapped */

static uint64_t done;
static volatile uint64_t result[4];

static void toucher(uint64_t va)
{
    *(volatile uint64_t *)(uintptr_t)va = 0xfeed;
    result[0] = *(volatile uint64_t *)(uintptr_t)va;
    coffer_signal(done);
    tf_park();
}

static void illegal(uint64_t unused)
{
    (void)unused;
    __asm__ volatile(".word 0"); /* the all-zero word is defined illegal */
    result[1] = 1;
    coffer_signal(done);
    tf_park();
}

static void bad_syscall(uint64_t unused)
{
    (void)unused;
    result[2] = coffer_syscall(999, 0, 0, 0, 0, 0, 0, 0).error;
    coffer_signal(done);
    tf_park();
}

void test_fault(void)
{
    tf_begin();
    done = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
    uint64_t ep = tf_retype(COFFER_OBJ_ENDPOINT, 0), reply = tf_retype(COFFER_OBJ_REPLY, 0);
    uint64_t fault_ep = tf_mint(ep, COFFER_RIGHTS_ALL, 0xfa);

    tf_spawn(toucher, FAULT_VA, 100, 10000, 10000, fault_ep);
    struct coffer_msg m = coffer_ipc_recv(ep, reply);
    ktest_check(m.error == COFFER_ERR_OK && COFFER_MSG_LABEL(m.info) == COFFER_FAULT_MEMORY &&
                    m.badge == 0xfa && m.mr[COFFER_FAULT_ADDR] == FAULT_VA &&
                    m.mr[COFFER_FAULT_CAUSE] == 15 && m.mr[COFFER_FAULT_PC] != 0,
                "page fault: the handler gets the address, the cause (store page fault) and the pc");
    uint64_t frame = tf_retype(COFFER_OBJ_FRAME, 12);
    coffer_frame_map(frame, COFFER_SLOT_VSPACE, FAULT_VA, COFFER_MAP_R | COFFER_MAP_W);
    coffer_ipc_reply(reply, 0, 0);
    coffer_wait(done);
    ktest_check(result[0] == 0xfeed, "page fault: after the handler maps a page and replies, the thread goes on");

    tf_spawn(illegal, 0, 100, 10000, 10000, fault_ep);
    m = coffer_ipc_recv(ep, reply);
    ktest_check(m.error == COFFER_ERR_OK && COFFER_MSG_LABEL(m.info) == COFFER_FAULT_EXCEPTION &&
                    m.mr[COFFER_FAULT_CAUSE] == 2,
                "illegal instruction: delivered as an exception fault with cause 2");
    uint64_t pc[4] = { m.mr[COFFER_FAULT_PC] + 4, 0, 0, 0 };
    coffer_ipc_reply(reply, COFFER_MSGINFO(0, 0, 1), pc);
    coffer_wait(done);
    ktest_check(result[1] == 1, "illegal instruction: a reply with a new pc resumes the thread past it");

    tf_spawn(bad_syscall, 0, 100, 10000, 10000, fault_ep);
    m = coffer_ipc_recv(ep, reply);
    ktest_check(m.error == COFFER_ERR_OK && COFFER_MSG_LABEL(m.info) == COFFER_FAULT_SYSCALL &&
                    m.mr[COFFER_FAULT_ADDR] == 999,
                "unknown system call: delivered as a fault with the number");
    coffer_ipc_reply(reply, 0, 0);
    coffer_wait(done);
    ktest_check(result[2] == 0, "unknown system call: the reply resumes the thread after its ecall");

    result[0] = 0;
    struct tf_thread t = tf_spawn(toucher, FAULT_VA + 0x1000, 100, 10000, 10000, fault_ep);
    m = coffer_ipc_recv(ep, reply);
    coffer_cnode_delete(ROOT, reply, D); /* never answered */
    tf_root_priority(50);
    tf_spin_us(10000);
    tf_root_priority(255);
    ktest_check(m.error == COFFER_ERR_OK && result[0] == 0,
                "fault: a thread whose fault is never answered stays stopped");
    coffer_cnode_delete(ROOT, t.tcb, D);
    ktest_check(tf_end(), "faults: revoking the untyped takes everything back, to the byte");
}
