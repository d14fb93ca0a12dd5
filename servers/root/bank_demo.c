/*
 * The demo's space-bank part: the root task becomes the first client of
 * the bank server (servers/bank).  It hands the server all RAM but the
 * untyped the rest of the demo uses, creates banks for two principals,
 * buys objects from them — one handed from alice to bob — and shows the
 * bank tree, every byte of RAM accounted for, before and after alice's
 * bank is destroyed.
 */
#include <bank/bank.h>
#include <coffer.h>
#include <proto/bank_client.h>
#include <stdio.h>
#include <string.h>

#include "bank_service.h"
#include "demo.h"

#define ROOT COFFER_SLOT_CNODE
#define MAX_RAM 48

static struct bank_service svc;
static uint64_t kept_by_root; /* RAM untyped the root task did not hand over */

/* Names for the banks the demo makes, by table index. */
static const char *names[8];

static void print_kib(uint64_t bytes)
{
    printf(" %9llu", (unsigned long long)(bytes >> 10));
}

static void print_bank(void *ctx, const struct bank_audit_entry *e)
{
    (void)ctx;
    unsigned index = BANK_BADGE_INDEX(e->badge);
    const char *name = index < 8 && names[index] ? names[index] : "?";
    printf("  %*s%-*s", (int)e->depth * 2, "", 12 - (int)e->depth * 2, name);
    print_kib(e->held);
    print_kib(e->objects);
    print_kib(e->overhead);
    print_kib(e->children);
    print_kib(e->free);
    printf("  ");
    const char *sep = "";
    for (unsigned t = 0; t < COFFER_OBJ_COUNT_; t++)
        if (e->type_count[t] != 0 && coffer_object_name(t) != NULL) {
            printf("%s%u %s%s", sep, e->type_count[t], coffer_object_name(t), e->type_count[t] > 1 ? "s" : "");
            sep = ", ";
        }
    printf("\n");
}

/* The bank tree in Graphviz dot (make bank-svg draws it): a node per
 * bank, an edge from each to its sub-banks (entries come parent first). */
struct dot_walk { uint64_t parent_at[16]; };

static void dot_bank(void *ctx, const struct bank_audit_entry *e)
{
    struct dot_walk *w = ctx;
    unsigned index = BANK_BADGE_INDEX(e->badge);
    const char *name = index < 8 && names[index] ? names[index] : "?";
    printf("  b%u [label=\"%s\\nheld %llu KiB\\nobjects %llu KiB (%u)\\nfree %llu KiB\"];\n", index, name,
           (unsigned long long)(e->held >> 10), (unsigned long long)(e->objects >> 10), e->count,
           (unsigned long long)(e->free >> 10));
    if (e->depth > 0 && e->depth < 16)
        printf("  b%llu -> b%u;\n", (unsigned long long)w->parent_at[e->depth - 1], index);
    if (e->depth < 16)
        w->parent_at[e->depth] = index;
}

static void print_dot(void)
{
    struct dot_walk w = { { 0 } };
    printf("--- bank dot ---\ndigraph banks {\n  node [shape=box, fontname=monospace];\n");
    bank_audit(svc.server, dot_bank, &w);
    printf("}\n--- end dot ---\n");
}

/* The bank tree, and every byte of RAM: what boot kept, what the root
 * task kept, the bank server's own, and the prime bank's. */
static bool audit(const struct coffer_bootinfo *bi, uint64_t work_bytes, const char *when)
{
    printf("root: the bank tree %s (KiB; objects per type include sub-banks'):\n", when);
    printf("  %-12s %9s %9s %9s %9s %9s  %s\n", "bank", "held", "objects", "overhead", "sub-banks", "free",
           "objects by type");
    bank_audit(svc.server, print_bank, NULL);
    uint64_t prime = 0, limit, ignore;
    bank_info(coffer_root_ipc_buffer(), svc.prime, &limit, &ignore, &prime, &ignore, &ignore, &ignore, &ignore,
              &ignore, &ignore);
    uint64_t sum = bi->kernel_reserved_bytes + kept_by_root + work_bytes + prime;
    printf("root: audit: %llu KiB kept at boot + %llu KiB the root task kept + %llu KiB the bank server's\n"
           "      own (%llu KiB used) + %llu KiB in the prime bank = %llu KiB, of %llu KiB of RAM: %s\n",
           (unsigned long long)(bi->kernel_reserved_bytes >> 10), (unsigned long long)(kept_by_root >> 10),
           (unsigned long long)(work_bytes >> 10), (unsigned long long)(svc.own_bytes >> 10),
           (unsigned long long)(prime >> 10), (unsigned long long)(sum >> 10),
           (unsigned long long)(bi->ram_bytes >> 10), sum == bi->ram_bytes ? "every byte accounted" : "MISMATCH");
    return sum == bi->ram_bytes;
}

/* Start the server with every RAM untyped but the first (the rest of the
 * demo's) and a 2 MiB one for its own memory. */
static bool start(const struct coffer_bootinfo *bi, uint64_t first_free, uint64_t *work_bytes)
{
    static coffer_cptr_t ram[MAX_RAM];
    unsigned n = 0;
    uint64_t work = coffer_largest_ram_untyped(bi, 21);
    kept_by_root = 0;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *u = &bi->untyped_list[i];
        uint64_t slot = bi->untyped.start + i;
        if (u->is_device || slot == work)
            continue;
        if (i == 0 || n == MAX_RAM)
            kept_by_root += 1ull << u->size_bits;
        else
            ram[n++] = slot;
    }
    *work_bytes = 1ull << bi->untyped_list[work - bi->untyped.start].size_bits;
    struct bank_service_config cfg = { .work_untyped = work, .ram = ram, .nram = n, .first_slot = first_free,
                                       .asid_pool = COFFER_SLOT_ASID_POOL, .root_bits = 12, .nbanks = 256,
                                       .own_va = 0x2000000000ull,
                                       .window_va = 0x2800000000ull, .priority = 200 };
    return demo_step(bank_service_start(&cfg, &svc), "start the bank server");
}

coffer_cptr_t demo_prime_bank(void)
{
    return svc.prime;
}

int show_banks(const struct coffer_bootinfo *bi, uint64_t first_free)
{
    uint64_t work_bytes;
    if (!start(bi, first_free, &work_bytes))
        return 1;
    struct coffer_ipc_buffer *buf = coffer_root_ipc_buffer();
    uint64_t s = first_free + BANK_SERVICE_SLOTS, alice = s, bob = s + 1, scratch = s + 2, id = 0, h;
    names[0] = "prime";
    bool ok = demo_step(bank_create(buf, svc.prime, 4u << 20, alice, &id), "create alice's bank");
    names[BANK_BADGE_INDEX(id)] = "alice";
    ok = ok && demo_step(bank_create(buf, alice, 1u << 20, scratch, &id), "create alice's scratch bank");
    names[BANK_BADGE_INDEX(id)] = "scratch";
    ok = ok && demo_step(bank_create(buf, svc.prime, 2u << 20, bob, &id), "create bob's bank");
    names[BANK_BADGE_INDEX(id)] = "bob";
    uint64_t obj = s + 3, alices_frame = s + 20, bobs_copy = s + 21;
    for (unsigned i = 0; ok && i < 10; i++)
        ok = demo_step(bank_buy(buf, alice, COFFER_OBJ_ENDPOINT, 0, obj + i, &h), "alice buys an endpoint");
    ok = ok && demo_step(bank_buy(buf, alice, COFFER_OBJ_TCB, 0, obj + 10, &h), "alice buys a TCB") &&
         demo_step(bank_buy(buf, alice, COFFER_OBJ_FRAME, 12, alices_frame, &h), "alice buys a frame") &&
         demo_step(bank_buy(buf, scratch, COFFER_OBJ_FRAME, 16, obj + 11, &h), "scratch buys a 64 KiB frame") &&
         demo_step(bank_buy(buf, scratch, COFFER_OBJ_CNODE, 8, obj + 12, &h), "scratch buys a CNode") &&
         demo_step(bank_buy(buf, bob, COFFER_OBJ_FRAME, 12, obj + 13, &h), "bob buys a frame") &&
         demo_step(bank_buy(buf, bob, COFFER_OBJ_NOTIFICATION, 0, obj + 14, &h), "bob buys a notification") &&
         demo_step(coffer_cnode_copy(ROOT, bobs_copy, 64, ROOT, alices_frame, 64), "alice hands bob her frame");
    if (!ok || !audit(bi, work_bytes, "with alice, her scratch bank and bob"))
        return 1;
    print_dot();
    if (!demo_step(bank_destroy(alice), "destroy alice's bank"))
        return 1;
    uint64_t copy_type = COFFER_ID_TYPE(coffer_cnode_identify(ROOT, bobs_copy, 64).detail0);
    printf("root: alice's bank destroyed: the frame she handed bob is gone from his CSpace too (%s)\n",
           copy_type == COFFER_ID_TYPE_NULL ? "empty slot" : "STILL THERE");
    return audit(bi, work_bytes, "after alice's bank is destroyed") && copy_type == COFFER_ID_TYPE_NULL ? 0 : 1;
}
