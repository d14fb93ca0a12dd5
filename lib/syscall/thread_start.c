#include <syscall/thread.h>

/* A thread's entry function must not return: there is nothing to return
 * to.  This one catches it: the thread yields forever (it has no
 * capability to its own TCB to suspend itself with). */
static void thread_exit_trap(void)
{
    for (;;)
        coffer_yield();
}

struct coffer_result coffer_thread_start(coffer_cptr_t tcb, struct coffer_ipc_buffer *buf,
                                         void (*entry)(uint64_t), void *stack_top, uint64_t arg)
{
    uint64_t gp, tp;
    __asm__ volatile("mv %0, gp" : "=r"(gp));
    __asm__ volatile("mv %0, tp" : "=r"(tp));
    for (unsigned i = 0; i < COFFER_REG_COUNT; i++)
        buf->mr[i] = 0;
    buf->mr[COFFER_REG_PC] = (uint64_t)(uintptr_t)entry;
    buf->mr[1] = (uint64_t)(uintptr_t)thread_exit_trap; /* ra */
    buf->mr[2] = (uint64_t)(uintptr_t)stack_top & ~15ull; /* sp */
    buf->mr[3] = gp;
    buf->mr[4] = tp;
    buf->mr[10] = arg; /* a0 */
    return coffer_tcb_write_registers(tcb, COFFER_REG_COUNT, 1);
}
