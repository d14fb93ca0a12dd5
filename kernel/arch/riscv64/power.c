/*
 * Powering off with an exit status.  Status 0 uses the SBI System Reset
 * extension; QEMU then exits with status 0.  A non-zero status needs the
 * sifive,test device (QEMU virt has one): writing (status << 16) | 0x3333
 * makes QEMU exit with that status, which is how a failing test run tells
 * the host.  Without the device, SRST with reason "system failure" is used.
 */
#include "arch.h"
#include "boot/fdt.h"
#include "memlayout.h"
#include "platform.h"
#include "sbi.h"

#define TEST_PASS 0x5555u
#define TEST_FAIL 0x3333u

/* QEMU virt's test device, until the device tree says otherwise, so that a
 * panic before the device tree is read still exits with a failure status. */
#define QEMU_VIRT_TEST_DEVICE 0x100000ul

static volatile uint32_t *test_device = (volatile uint32_t *)(PHYSMAP_BASE + QEMU_VIRT_TEST_DEVICE);

void power_init(const struct fdt_machine *machine)
{
    const struct fdt_device *dev = fdt_find_compatible(machine, "sifive,test0");
    test_device = dev != NULL && dev->nreg > 0
                      ? (volatile uint32_t *)phys_to_virt(dev->reg[0].base)
                      : NULL;
}

void arch_shutdown(int status)
{
    if (status == 0) {
        sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE);
    } else if (test_device != NULL) {
        *test_device = ((uint32_t)(status & 0xffff) << 16) | TEST_FAIL;
    } else {
        sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE);
    }
    for (;;)
        __asm__ volatile("wfi");
}
