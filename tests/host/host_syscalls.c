#define COFFER_HOST_SYSCALLS /* the stubs' declarations of the functions below */
#include "host_syscalls.h"

#include <coffer/syscall_stubs.h>
#include <string.h>

#include "object/invoke.h"

static struct thread *caller;
static uint64_t fail_at; /* host_syscalls_made at which to fail; 0: never */
uint64_t host_syscalls_made;

void host_syscalls_fail_at(uint64_t n)
{
    fail_at = n == 0 ? 0 : host_syscalls_made + n;
}

void host_syscalls_use(struct thread *t)
{
    caller = t;
}

struct coffer_ipc_buffer *host_syscalls_ipc_buffer(struct thread *t, void *page)
{
    memset(page, 0, COFFER_PAGE_SIZE);
    t->ipc_buffer_frame.cap = (struct cap){ .object = (uintptr_t)page, .type = CAP_FRAME,
                                            .rights = CAP_RIGHTS_ALL, .size_bits = COFFER_PAGE_BITS };
    t->ipc_buffer_vaddr = 0;
    return thread_ipc_buffer(t);
}

struct coffer_result coffer_host_syscall(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2,
                                         uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6)
{
    host_syscalls_made++;
    if (host_syscalls_made == fail_at)
        return (struct coffer_result){ COFFER_ERR_NOT_ENOUGH_MEMORY, 0, 0 };
    if (number != COFFER_SYS_CALL || caller == NULL)
        return (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, number, 0 };
    const uint64_t args[COFFER_SYSCALL_ARGS] = { a0, a1, a2, a3, a4, a5, a6 };
    return sys_CALL(caller, args);
}

struct coffer_msg coffer_host_ipc_syscall(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2,
                                          uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6)
{
    (void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5, (void)a6;
    host_syscalls_made++;
    return (struct coffer_msg){ .error = COFFER_ERR_ILLEGAL_OPERATION, .info = number };
}

struct coffer_result coffer_thread_start(coffer_cptr_t tcb, struct coffer_ipc_buffer *buf, void (*entry)(uint64_t),
                                         void *stack_top, uint64_t arg)
{
    for (unsigned i = 0; i < COFFER_REG_COUNT; i++)
        buf->mr[i] = 0;
    buf->mr[COFFER_REG_PC] = (uint64_t)(uintptr_t)entry;
    buf->mr[2] = (uint64_t)(uintptr_t)stack_top & ~15ull; /* sp */
    buf->mr[10] = arg;                                    /* a0 */
    return coffer_tcb_write_registers(tcb, COFFER_REG_COUNT, 1);
}
