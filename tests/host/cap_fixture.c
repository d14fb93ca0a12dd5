/*
 * A CSpace in host memory for the tests, the fuzzer and the host
 * benchmarks that drive the capability core through sys_CALL
 * (cap_fixture.h).
 */
#include "cap_fixture.h"

#include <stdio.h>
#include <string.h>

#include "tap.h"

/* An empty tree and a thread whose CSpace root is the CNode of 2^bits
 * slots at root_slots (cleared), guarded so 64-bit pointers below 2^bits
 * name its slots; a copy of that capability goes into slot root_copy. */
void fixture_cspace(struct thread *t, struct slot *root_slots, unsigned bits,
                                  uint64_t root_copy)
{
    memset(root_slots, 0, sizeof(struct slot) << bits);
    memset(t, 0, sizeof(*t));
    cdt_init();
    asid_reset(); /* no ASID pools: each test's memory is its own */
    t->cspace_root.cap = (struct cap){ .object = (uintptr_t)root_slots, .type = CAP_CNODE,
                                       .rights = CAP_RIGHTS_ALL, .size_bits = (uint8_t)bits,
                                       .guard_bits = (uint8_t)(64 - bits) };
    cdt_insert_object(&t->cspace_root);
    root_slots[root_copy].cap = t->cspace_root.cap;
    cdt_insert_copy(&t->cspace_root, &root_slots[root_copy]);
}

/* An untyped capability in s over 2^bits bytes of host memory at mem
 * (naturally aligned), as boot hands them out: RAM zeroed (free untyped
 * memory is always zero), device memory as it is. */
void fixture_untyped(struct slot *s, void *mem, unsigned bits, bool device)
{
    if (!device)
        memset(mem, 0, (size_t)1 << bits);
    s->cap = (struct cap){ .object = (uintptr_t)mem, .type = CAP_UNTYPED,
                           .rights = CAP_RIGHTS_ALL, .size_bits = (uint8_t)bits,
                           .flags = device ? CAP_FLAG_DEVICE : 0 };
    cdt_insert_object(s);
}

/*
 * A new object "used", so that one not zeroed when it dies shows up in a
 * later retype: a frame filled as a user fills it, a notification given a
 * word of signalled badges (kernel objects must hold valid state: the
 * kernel reads them when they die).
 */
void fixture_use_object(const struct cap *c)
{
    void *mem = (void *)(uintptr_t)c->object;
    if (c->type == CAP_FRAME && !(c->flags & CAP_FLAG_DEVICE))
        memset(mem, 0xa5, (size_t)1 << c->size_bits);
    if (c->type == CAP_NOTIFICATION) {
        struct notification *n = mem;
        n->word = 0xa5a5a5a5a5a5a5a5ull;
        n->pending = 1;
    }
}

/*
 * Does cptr name an object of the threads layer (an endpoint, whose CALL
 * is IPC, a TCB or a scheduling capability)?  The capability-core tests
 * and the fuzzer drive the untyped, CNode and address-space invocations
 * with a stand-in thread that never runs, so they leave these alone; the
 * threads layer is tested in QEMU.
 */
bool fixture_threads_layer(struct thread *t, uint64_t cptr)
{
    struct lookup_result r = cspace_lookup(&t->cspace_root.cap, cptr, CPTR_MAX_DEPTH);
    if (r.slot == NULL)
        return false;
    unsigned type = r.slot->cap.type;
    return type == CAP_ENDPOINT || type == CAP_TCB || type == CAP_SCHED_CONTEXT ||
           type == CAP_SCHED_CONTROL;
}

/* Is r exactly this error with these details?  (No TAP line: a
 * diagnostic when they differ.) */
bool fixture_result_is(struct coffer_result r, uint64_t err, uint64_t d0,
                                     uint64_t d1)
{
    bool good = r.error == err && r.detail0 == d0 && r.detail1 == d1;
    if (!good)
        tap_diag("got %llu (%#llx, %#llx), expected %llu (%#llx, %#llx)",
                 (unsigned long long)r.error, (unsigned long long)r.detail0,
                 (unsigned long long)r.detail1, (unsigned long long)err,
                 (unsigned long long)d0, (unsigned long long)d1);
    return good;
}

/* TAP: the exact error and details, with a diagnostic when they differ. */
bool fixture_expect(struct coffer_result r, uint64_t err, uint64_t d0, uint64_t d1,
                                  const char *name)
{
    return tap_ok(fixture_result_is(r, err, d0, d1), name);
}

/* TAP: the derivation tree's invariants hold. */
void fixture_check_tree(const char *after)
{
    int c = cdt_check();
    if (c != 0)
        tap_diag("cdt_check() = %d", c);
    char name[128];
    snprintf(name, sizeof(name), "cdt_check() passes after %s", after);
    tap_ok(c == 0, name);
}
