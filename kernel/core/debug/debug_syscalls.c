/*
 * Debug system calls (CONFIG_DEBUG=1, the default build): console output,
 * machine shutdown and kernel introspection for tests and benchmarks.  A
 * release kernel (CONFIG_DEBUG=0) answers these numbers as unknown.
 */
#include "arch.h"
#include "cap/cdt.h"
#include "debug/debug_dump.h"
#include "object/invoke.h"
#include "support/kprintf.h"
#include "thread/syscall.h"

#define DEBUG_WRITE_MAX 4096u
#define DEBUG_WRITE_CHUNK 128u

struct coffer_result sys_DEBUG_PUTCHAR(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    (void)t;
    arch_console_putc((char)(SYS_ARG(args, DEBUG_PUTCHAR, c) & 0xff));
    return syscall_ok(0, 0);
}

struct coffer_result sys_DEBUG_WRITE(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    (void)t;
    vaddr_t buf = SYS_ARG(args, DEBUG_WRITE, buf);
    uint64_t len = SYS_ARG(args, DEBUG_WRITE, len);
    if (len > DEBUG_WRITE_MAX)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 0, DEBUG_WRITE_MAX);
    /* Check the whole buffer before printing any of it. */
    if (!arch_user_readable(buf, len))
        return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 0, 0);
    char chunk[DEBUG_WRITE_CHUNK];
    uint64_t done = 0;
    while (done < len) {
        size_t n = len - done > sizeof(chunk) ? sizeof(chunk) : (size_t)(len - done);
        arch_copy_from_user(chunk, buf + done, n);
        for (size_t i = 0; i < n; i++)
            arch_console_putc(chunk[i]);
        done += n;
    }
    return syscall_ok(len, 0);
}

struct coffer_result sys_DEBUG_SHUTDOWN(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    kprintf("coffer: shutdown requested by '%s' with status %lu\n", t->name,
            (unsigned long)SYS_ARG(args, DEBUG_SHUTDOWN, status));
    arch_shutdown((int)(SYS_ARG(args, DEBUG_SHUTDOWN, status) & 0xff));
}

struct coffer_result sys_DEBUG_KERNEL_INFO(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    (void)t;
    vaddr_t dst = SYS_ARG(args, DEBUG_KERNEL_INFO, buf);
    uint64_t size = SYS_ARG(args, DEBUG_KERNEL_INFO, size);
    if (!IS_ALIGNED(dst, 8))
        return syscall_error(COFFER_ERR_ALIGNMENT_ERROR, 0, 8);
    if (size < sizeof(struct coffer_kernel_info))
        return syscall_error(COFFER_ERR_RANGE_ERROR, sizeof(struct coffer_kernel_info), UINT64_MAX);
    struct coffer_kernel_info info;
    arch_kernel_info(&info);
    if (!arch_copy_to_user(dst, &info, sizeof(info)))
        return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 0, 0);
    return syscall_ok(sizeof(info), 0);
}

struct coffer_result sys_DEBUG_CHECK(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    (void)t;
    (void)args;
    int result = cdt_check();
    return syscall_ok((uint64_t)(int64_t)result, cdt_count());
}

struct coffer_result sys_DEBUG_DUMP_CNODE(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    const struct cap *cnode;
    struct coffer_result r =
        lookup_cnode(t, SYS_ARG(args, DEBUG_DUMP_CNODE, cptr), SYS_ARG(args, DEBUG_DUMP_CNODE, depth), 0, &cnode);
    if (r.error != COFFER_ERR_OK)
        return r;
    uint64_t format = SYS_ARG(args, DEBUG_DUMP_CNODE, format);
    if (format > 1)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 0, 1);
    dump_cnode(cnode, format == 1);
    return syscall_ok(0, 0);
}

struct coffer_result sys_DEBUG_DUMP_CDT(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    struct slot *s;
    struct coffer_result r =
        lookup_slot(&t->cspace_root.cap, SYS_ARG(args, DEBUG_DUMP_CDT, cptr), SYS_ARG(args, DEBUG_DUMP_CDT, depth), &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (cap_is_null(&s->cap))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    uint64_t format = SYS_ARG(args, DEBUG_DUMP_CDT, format);
    if (format > 1)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 0, 1);
    dump_derivation(s, format == 1);
    return syscall_ok(0, 0);
}

struct coffer_result sys_DEBUG_NULL(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    (void)t;
    (void)args;
    return syscall_ok(0, 0);
}
