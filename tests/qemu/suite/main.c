/*
 * coffer-test: the root task of the in-QEMU test suite.
 */
#include "ktest.h"
#include <image/bootimage.h>
#include <stdarg.h>

static int count, failed;

bool ktest_check(bool cond, const char *name, ...)
{
    va_list ap;
    count++;
    if (!cond)
        failed++;
    printf("%sok %d - ", cond ? "" : "not ", count);
    va_start(ap, name);
    vprintf(name, ap);
    va_end(ap);
    printf("\n");
    return cond;
}

bool ktest_expect_error(struct coffer_result r, uint64_t error, uint64_t d0, uint64_t d1,
                        const char *name)
{
    bool ok = r.error == error && r.detail0 == d0 && r.detail1 == d1;
    if (!ok)
        printf("# got %s (%llu) detail %llu %llu, expected %s detail %llu %llu\n",
               coffer_error_name(r.error), (unsigned long long)r.error,
               (unsigned long long)r.detail0, (unsigned long long)r.detail1,
               coffer_error_name(error), (unsigned long long)d0, (unsigned long long)d1);
    return ktest_check(ok, "%s", name);
}

bool ktest_step(struct coffer_result r, const char *step, ...)
{
    va_list ap;
    if (r.error == COFFER_ERR_OK)
        return true;
    printf("# ");
    va_start(ap, step);
    vprintf(step, ap);
    va_end(ap);
    printf(" failed: %s (%llu) detail %llu %llu\n", coffer_error_name(r.error),
           (unsigned long long)r.error, (unsigned long long)r.detail0,
           (unsigned long long)r.detail1);
    return false;
}

/* make soak's boot image has a file "soak" holding a number: the
 * cycles to run instead of the suite (0: none, the whole suite). */
static unsigned soak_cycles(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    struct bootimage_file f;
    if (bootimage_find((const void *)(uintptr_t)bi->bootimage_vaddr, bi->bootimage_size, "soak", &f) != 0)
        return 0;
    const char *text = f.data;
    unsigned n = 0;
    for (size_t i = 0; i < f.size && text[i] >= '0' && text[i] <= '9' && n < 1000000; i++)
        n = n * 10 + (unsigned)(text[i] - '0');
    return n;
}

static int totals(void)
{
    printf("1..%d\n", count);
    printf("# totals: passed %d, failed %d\n", count - failed, failed);
    return failed ? 1 : 0;
}

int main(void)
{
    unsigned soak = soak_cycles();
    if (soak > 0) {
        printf("# coffer in-QEMU soak: %u spawn cycles of each kind\n", soak);
        test_proc_soak(soak);
        return totals();
    }
    printf("# coffer in-QEMU test suite\n");
    test_bootinfo();
    test_syscall();
    test_syscall_abi();
    test_counters();
    test_cnode_untyped();
    test_zombie();
    test_vspace();
    test_threads();
    test_ipc();
    test_fault();
    test_irq();
    test_untyped_alloc();
    test_cspace_slots();
    test_bank_service();
    test_proc_service();
    test_ports();
    test_console_service();
    test_kv_service();
    return totals();
}
