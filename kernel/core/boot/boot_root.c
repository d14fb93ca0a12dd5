#include "boot/boot_root.h"
#include "arch.h"
#include <image/bootimage.h>
#include "object/asid.h"
#include "cap/cdt.h"
#include "cap/cspace.h"
#include <image/elf.h>
#include "support/kprintf.h"
#include "support/kstring.h"
#include "object/irq.h"
#include "thread/sched.h"
#include "thread/sched_context.h"
#include <coffer/abi.h>


struct boot_alloc {
    struct region_set *free;
    uint64_t bytes;
};

static paddr_t alloc_page(void *ctx)
{
    struct boot_alloc *a = ctx;
    paddr_t pa;
    if (region_set_alloc(a->free, COFFER_PAGE_SIZE, COFFER_PAGE_SIZE, &pa) != BOOT_MEM_OK)
        return 0;
    memset(arch_phys_to_virt(pa), 0, COFFER_PAGE_SIZE);
    a->bytes += COFFER_PAGE_SIZE;
    return pa;
}

/* Boot objects that share the thread's page: the TCB (1 KiB) and, after
 * it, the root task's scheduling context. */
#define BOOT_SC_OFFSET (1u << ARCH_TCB_BITS)

struct boot_objects {
    paddr_t cnode, vspace, thread, bootinfo, asid_pool, ipc_buffer;
};

/* Put a capability into a root CNode slot as the first to its object. */
static struct slot *boot_cap(struct slot *slots, unsigned index, struct cap c)
{
    slots[index].cap = c;
    cdt_insert_object(&slots[index]);
    return &slots[index];
}

static void boot_copy(struct slot *src, struct slot *dst)
{
    cdt_insert_derived(src, dst, &src->cap, false);
}

/*
 * The root task's initial capabilities (include/coffer/bootinfo.h): its
 * root CNode, guarded so that 64-bit pointers below 2^12 name its slots,
 * and capabilities to its address space, thread, scheduling context, IPC
 * buffer and boot-info page, plus the control capabilities.  These boot
 * objects come from no untyped; they are the roots of their groups.  The
 * thread's own slots hold copies of its CNode, VSpace and buffer frame.
 */
static void make_boot_caps(struct thread *t, const struct boot_objects *o)
{
    t->cspace_root.cap = (struct cap){
        .object = o->cnode, .type = CAP_CNODE, .rights = CAP_RIGHTS_ALL,
        .size_bits = COFFER_ROOT_CNODE_BITS, .guard_bits = 64 - COFFER_ROOT_CNODE_BITS,
    };
    cdt_insert_object(&t->cspace_root);
    struct slot *slots = cnode_slots(&t->cspace_root.cap);
    boot_copy(&t->cspace_root, &slots[COFFER_SLOT_CNODE]);
    struct slot *vs = boot_cap(slots, COFFER_SLOT_VSPACE,
                               (struct cap){ .object = o->vspace, .type = CAP_VSPACE,
                                             .rights = CAP_RIGHTS_ALL, .data = 1 /* ASID */ });
    boot_copy(vs, &t->vspace);
    boot_cap(slots, COFFER_SLOT_TCB,
             (struct cap){ .object = o->thread, .type = CAP_TCB, .rights = CAP_RIGHTS_ALL });
    boot_cap(slots, COFFER_SLOT_BOOTINFO_FRAME,
             (struct cap){ .object = o->bootinfo, .type = CAP_FRAME, .rights = CAP_RIGHT_READ,
                           .size_bits = COFFER_PAGE_BITS });
    struct slot *buf = boot_cap(slots, COFFER_SLOT_IPC_BUFFER,
                                (struct cap){ .object = o->ipc_buffer, .type = CAP_FRAME,
                                              .rights = CAP_RIGHTS_ALL, .size_bits = COFFER_PAGE_BITS });
    boot_copy(buf, &t->ipc_buffer_frame);
    t->ipc_buffer_vaddr = COFFER_IPC_BUFFER_VADDR;
    asid_boot(o->asid_pool, o->vspace, &slots[COFFER_SLOT_ASID_CONTROL].cap,
              &slots[COFFER_SLOT_ASID_POOL].cap);
    cdt_insert_object(&slots[COFFER_SLOT_ASID_CONTROL]);
    cdt_insert_object(&slots[COFFER_SLOT_ASID_POOL]);
    boot_cap(slots, COFFER_SLOT_IRQ_CONTROL,
             (struct cap){ .object = irq_control_object(), .type = CAP_IRQ_CONTROL,
                           .rights = CAP_RIGHTS_ALL });
    boot_cap(slots, COFFER_SLOT_SCHED_CONTROL,
             (struct cap){ .object = sched_control_object(), .type = CAP_SCHED_CONTROL,
                           .rights = CAP_RIGHTS_ALL });
    boot_cap(slots, COFFER_SLOT_SCHED_CONTEXT,
             (struct cap){ .object = o->thread + BOOT_SC_OFFSET, .type = CAP_SCHED_CONTEXT,
                           .rights = CAP_RIGHTS_ALL });
}

static unsigned segment_perms(uint32_t flags)
{
    unsigned perms = 0;
    if (flags & ELF_PF_R)
        perms |= ARCH_PERM_R;
    if (flags & ELF_PF_W)
        perms |= ARCH_PERM_W;
    if (flags & ELF_PF_X)
        perms |= ARCH_PERM_X;
    return perms;
}

/* Copy one PT_LOAD segment into fresh zeroed pages and map them. */
static int load_segment(paddr_t root, const uint8_t *image, const struct elf_segment *seg,
                        struct boot_alloc *a)
{
    unsigned perms = segment_perms(seg->flags);
    if ((perms & ARCH_PERM_W) && (perms & ARCH_PERM_X)) {
        kprintf("coffer: root task segment at %p is writable and executable\n",
                (void *)seg->vaddr);
        return -1;
    }
    for (uint64_t page = ALIGN_DOWN(seg->vaddr, COFFER_PAGE_SIZE); page < seg->vaddr + seg->memsz;
         page += COFFER_PAGE_SIZE) {
        paddr_t frame = alloc_page(a);
        if (frame == 0)
            return -1;
        /* The part of the file that lands in this page, if any. */
        uint64_t lo = page > seg->vaddr ? page : seg->vaddr;
        uint64_t hi = page + COFFER_PAGE_SIZE < seg->vaddr + seg->filesz ? page + COFFER_PAGE_SIZE : seg->vaddr + seg->filesz;
        if (hi > lo)
            memcpy((uint8_t *)arch_phys_to_virt(frame) + (lo - page),
                   image + seg->offset + (lo - seg->vaddr), hi - lo);
        if (arch_vspace_map_page(root, page, frame, perms, alloc_page, a) != 0)
            return -1;
    }
    return 0;
}

static int load_image(paddr_t root, const struct bootimage_file *file, uint64_t *entry,
                      struct boot_alloc *a)
{
    struct elf_info info;
    int err = elf_check(file->data, file->size, ARCH_ELF_MACHINE, COFFER_USER_TOP, &info);
    if (err != ELF_OK) {
        kprintf("coffer: root task: bad ELF image: %s\n", elf_strerror(err));
        return -1;
    }
    for (unsigned i = 0; i < info.nload; i++) {
        struct elf_segment seg;
        if (elf_load_segment(file->data, file->size, &info, i, &seg) != ELF_OK ||
            load_segment(root, file->data, &seg, a) != 0)
            return -1;
    }
    *entry = info.entry;
    return 0;
}

/* Map the boot archive read-only so the root task can start the others. */
static int map_archive(paddr_t root, paddr_t archive_pa, size_t size, struct boot_alloc *a)
{
    paddr_t first = ALIGN_DOWN(archive_pa, COFFER_PAGE_SIZE);
    for (paddr_t pa = first; pa < archive_pa + size; pa += COFFER_PAGE_SIZE)
        if (arch_vspace_map_page(root, COFFER_BOOTIMAGE_VADDR + (pa - first), pa, ARCH_PERM_R,
                                 alloc_page, a) != 0)
            return -1;
    return 0;
}

int boot_root_create(struct region_set *free, paddr_t archive_pa, size_t archive_size,
                     struct boot_root *out)
{
    struct boot_alloc a = { free, 0 };
    const void *archive = arch_phys_to_virt(archive_pa);
    struct bootimage_file file;
    size_t cursor = 0;
    int err = bootimage_next(archive, archive_size, &cursor, &file);
    if (err != BOOTIMAGE_OK) {
        kprintf("coffer: boot image has no root task: %s\n", bootimage_strerror(err));
        return -1;
    }

    struct boot_objects o = {
        .vspace = alloc_page(&a), .bootinfo = alloc_page(&a), .thread = alloc_page(&a),
        .asid_pool = alloc_page(&a), .ipc_buffer = alloc_page(&a),
    };
    paddr_t root = o.vspace, bootinfo = o.bootinfo;
    uint64_t cnode_bytes = 1ull << (COFFER_ROOT_CNODE_BITS + SLOT_BITS);
    if (o.vspace == 0 || o.bootinfo == 0 || o.thread == 0 || o.asid_pool == 0 ||
        o.ipc_buffer == 0 ||
        region_set_alloc(free, cnode_bytes, cnode_bytes, &o.cnode) != BOOT_MEM_OK)
        return -1;
    memset(arch_phys_to_virt(o.cnode), 0, cnode_bytes);
    a.bytes += cnode_bytes;
    arch_vspace_init(root);

    uint64_t entry;
    if (load_image(root, &file, &entry, &a) != 0 ||
        arch_vspace_map_page(root, COFFER_BOOTINFO_VADDR, bootinfo, ARCH_PERM_R, alloc_page, &a) != 0 ||
        arch_vspace_map_page(root, COFFER_IPC_BUFFER_VADDR, o.ipc_buffer,
                             ARCH_PERM_R | ARCH_PERM_W, alloc_page, &a) != 0 ||
        map_archive(root, archive_pa, archive_size, &a) != 0) {
        kprintf("coffer: cannot build the root task's address space\n");
        return -1;
    }

    struct thread *t = arch_phys_to_virt(o.thread);
    size_t n = file.name_len < sizeof(t->name) - 1 ? file.name_len : sizeof(t->name) - 1;
    memcpy(t->name, file.name, n);
    arch_set_pc(&t->regs, entry);
    arch_set_entry_arg(&t->regs, COFFER_BOOTINFO_VADDR);
    t->priority = t->mcp = COFFER_PRIO_MAX;
    t->state = THREAD_RUNNABLE;
    make_boot_caps(t, &o);
    sched_context_boot(arch_phys_to_virt(o.thread + BOOT_SC_OFFSET), t);

    struct coffer_bootinfo *bi = arch_phys_to_virt(bootinfo);
    bi->magic = COFFER_BOOTINFO_MAGIC;
    bi->abi_version = COFFER_ABI_VERSION;
    bi->bootimage_vaddr = COFFER_BOOTIMAGE_VADDR + (archive_pa & (COFFER_PAGE_SIZE - 1));
    bi->bootimage_size = archive_size;
    bi->ipc_buffer_vaddr = COFFER_IPC_BUFFER_VADDR;

    out->thread = t;
    out->cnode_slots = cnode_slots(&t->cspace_root.cap);
    out->bootinfo = bi;
    out->bytes_used = a.bytes;
    return 0;
}
