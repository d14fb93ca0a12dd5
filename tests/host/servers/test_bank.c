/*
 * The space-bank server's logic (servers/bank) through its generated
 * dispatcher, against the host-built kernel core (bank_fixture.h): every
 * operation and the errors each names, limits up the tree, restricted
 * capabilities, remove, VERIFY, batches and growth; every byte checked
 * against each bank's books and the kernel's UNTYPED_DESCRIBE.  The
 * random sequences and failure injection: test_bank_model.c.
 */
#include <string.h>

#include "bank_fixture.h"

static void test_prime(void)
{
    setup();
    struct info i = info(prime_badge);
    tap_ok(i.limit == 1u << RAM_BITS && i.held == 1u << RAM_BITS && i.free == 1u << RAM_BITS && i.objects == 0 &&
               i.count == 0 && i.banks == 0 && i.effective == 1u << RAM_BITS,
           "prime: holds all RAM it was given, all free");
    uint64_t h, slot;
    tap_ok(buy(prime_badge, COFFER_OBJ_FRAME, 12, &h, &slot) == COFFER_ERR_OK && slot_type(slot) == COFFER_OBJ_FRAME,
           "buy: a 4 KiB frame from the prime bank, its original in the server's slot");
    i = info(prime_badge);
    tap_ok(i.objects == 4096 && i.overhead == 8192 && i.count == 1 && i.free == (1u << RAM_BITS) - 4096 - 8192,
           "buy: 4 KiB of object, 8 KiB of records (the first chunk: a frame and a CNode)");
    tap_ok(all_balance(), "books: every byte accounted, the kernel agrees");
    tap_ok(bank_free(prime_badge, h) == COFFER_ERR_OK && slot_type(slot) == COFFER_ID_TYPE_NULL &&
               info(prime_badge).free == (1u << RAM_BITS) - 8192 && all_balance(),
           "free: the frame goes, its bytes return (the bank keeps its last chunk)");
    tap_ok(bank_free(prime_badge, h) == COFFER_ERR_BANK_NOT_BOUGHT && bank_free(prime_badge, 12345) == COFFER_ERR_BANK_NOT_BOUGHT &&
               bank_free(prime_badge, (uint64_t)99 << 32 | REC_ID(0, 1)) == COFFER_ERR_BANK_NOT_BOUGHT,
           "free: twice, a made-up handle, the prime bank's own record: BANK_NOT_BOUGHT");
    tap_ok(simple(prime_badge, BANK_OP_DESTROY) == COFFER_ERR_BANK_PRIME &&
               simple(prime_badge, BANK_OP_REMOVE) == COFFER_ERR_BANK_PRIME,
           "prime: cannot be destroyed or removed (BANK_PRIME)");
}

static void test_child(void)
{
    setup();
    uint64_t child, grandchild, h[4], slot[4];
    tap_ok(create(prime_badge, 1u << 20, &child) == COFFER_ERR_OK && info(child).held == 0 &&
               info(child).limit == 1u << 20 && info(prime_badge).banks == 1,
           "create: a child bank of 1 MiB holds nothing yet");
    tap_ok(buy(child, COFFER_OBJ_ENDPOINT, 0, &h[0], &slot[0]) == COFFER_ERR_OK &&
               slot_type(slot[0]) == COFFER_OBJ_ENDPOINT,
           "buy: an endpoint from the child");
    struct info i = info(child);
    tap_ok(i.held == 1u << BANK_EXTENT_MIN_BITS && i.objects == 64 && i.overhead == 8192 + 4096 - 64 &&
               info(prime_badge).children == i.held && all_balance(),
           "buy: the child grew by a 64 KiB extent: 64 bytes of object, a chunk and a slab's slack");
    tap_ok(buy(child, COFFER_OBJ_TCB, 0, &h[1], &slot[1]) == COFFER_ERR_OK &&
               buy(child, COFFER_OBJ_FRAME, 16, &h[2], &slot[2]) == COFFER_ERR_OK && all_balance(),
           "buy: a TCB and a 64 KiB frame (the child grows again)");
    tap_ok(create(child, 1u << 20, &grandchild) == COFFER_ERR_OK &&
               buy(grandchild, COFFER_OBJ_FRAME, 12, &h[3], &slot[3]) == COFFER_ERR_OK && all_balance(),
           "create: a grandchild, which buys a frame");
    tap_ok(client_copy(slot[0], CLIENT) && client_copy(slot[3], CLIENT + 1) &&
               slot_type(CLIENT) == COFFER_OBJ_ENDPOINT && slot_type(CLIENT + 1) == COFFER_OBJ_FRAME,
           "client: copies of an endpoint and of the grandchild's frame");
    tap_ok(bank_free(grandchild, h[0]) == COFFER_ERR_BANK_NOT_BOUGHT && bank_free(prime_badge, h[0]) == COFFER_ERR_BANK_NOT_BOUGHT,
           "free: another bank's handle is refused (BANK_NOT_BOUGHT)");
    tap_ok(simple(child, BANK_OP_DESTROY) == COFFER_ERR_OK, "destroy: the child, with its grandchild");
    i = info(prime_badge);
    tap_ok(i.banks == 0 && i.children == 0 && i.free == (1u << RAM_BITS) - 8192 && all_balance(),
           "destroy: every byte back in the prime bank");
    tap_ok(slot_type(CLIENT) == COFFER_ID_TYPE_NULL && slot_type(CLIENT + 1) == COFFER_ID_TYPE_NULL &&
               slot_type(slot[2]) == COFFER_ID_TYPE_NULL,
           "destroy: the client's copies are gone too");
    tap_ok(buy(child, COFFER_OBJ_FRAME, 12, &h[0], NULL) == COFFER_ERR_BANK_DESTROYED &&
               buy(grandchild, COFFER_OBJ_FRAME, 12, &h[0], NULL) == COFFER_ERR_BANK_DESTROYED &&
               simple(child, BANK_OP_INFO) == COFFER_ERR_BANK_DESTROYED,
           "destroy: the badges answer BANK_DESTROYED");
}

/* Everything a bank and its parent hold, to compare before and after. */

static void test_limits(void)
{
    setup();
    uint64_t child, grandchild, h, dummy;
    create(prime_badge, 1u << 16, &child);
    create(child, 1u << 20, &grandchild);
    struct books before = books(child, prime_badge), inner = books(grandchild, child);
    uint64_t w[1] = { COFFER_OBJ_FRAME | 16 << 8 };
    struct coffer_reply rp = call(child, BANK_OP_BUY, w, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_LIMIT && rp.mr[0] == 0 && rp.mr[1] == 1u << 16 &&
               same_books(before, books(child, prime_badge)) && all_balance(),
           "limit: a 64 KiB frame in a 64 KiB bank that holds a record already: BANK_LIMIT(0, 64 KiB), nothing changed");
    rp = call(grandchild, BANK_OP_BUY, w, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_LIMIT && rp.mr[0] == 1 && same_books(inner, books(grandchild, child)) &&
               same_books(before, books(child, prime_badge)) && all_balance(),
           "limit: nor in its child, whose own limit is larger: BANK_LIMIT(1), nothing changed at any level");
    int bought = 0;
    while (buy(child, COFFER_OBJ_FRAME, 12, &h, &dummy) == COFFER_ERR_OK)
        bought++;
    struct info i = info(child);
    tap_okf(i.held == 1u << 16 && i.free == 0 && i.objects == (uint64_t)bought << 12 && all_balance(),
            "limit: %d frames of 4 KiB fill the rest of the 64 KiB bank, then BANK_LIMIT", bought);
    uint64_t lw[1] = { 1u << 15 };
    rp = call(child, BANK_OP_SET_LIMIT, lw, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_BELOW_USAGE && rp.mr[0] == 1u << 16 &&
               call(prime_badge, BANK_OP_SET_LIMIT, lw, 1).error == COFFER_ERR_BANK_PRIME,
           "limit: below what the bank holds (BANK_BELOW_USAGE, held); the prime's (BANK_PRIME)");
    lw[0] = 1u << 18;
    tap_ok(call(child, BANK_OP_SET_LIMIT, lw, 1).error == COFFER_ERR_OK &&
               buy(child, COFFER_OBJ_FRAME, 16, &h, &dummy) == COFFER_ERR_OK && info(child).limit == 1u << 18 &&
               all_balance(),
           "limit: raised to 256 KiB, the 64 KiB frame fits");
    uint64_t tw[2] = { COFFER_OBJ_TCB, 1 };
    tap_ok(call(child, BANK_OP_SET_TYPE_LIMIT, tw, 2).error == COFFER_ERR_OK &&
               buy(grandchild, COFFER_OBJ_TCB, 0, &h, &dummy) == COFFER_ERR_OK,
           "type limit: one TCB in the child and its sub-banks; the grandchild buys it");
    rp = call(grandchild, BANK_OP_BUY, (uint64_t[]){ COFFER_OBJ_TCB }, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_TYPE_LIMIT && rp.mr[0] == 1 && rp.mr[1] == COFFER_OBJ_TCB,
           "type limit: a second TCB below the child: BANK_TYPE_LIMIT(1, TCB)");
    tw[1] = 0;
    rp = call(child, BANK_OP_SET_TYPE_LIMIT, tw, 2);
    tap_ok(rp.error == COFFER_ERR_BANK_BELOW_USAGE && rp.mr[0] == 1, "type limit: below the count (BANK_BELOW_USAGE, 1)");
    rp = call(child, BANK_OP_TYPE_INFO, (uint64_t[]){ COFFER_OBJ_TCB }, 1);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 1 && rp.mr[1] == 1, "type info: one TCB of one allowed");
    tw[0] = COFFER_OBJ_IRQ_CONTROL;
    tap_ok(call(child, BANK_OP_SET_TYPE_LIMIT, tw, 2).error == COFFER_ERR_INVALID_ARGUMENT &&
               call(child, BANK_OP_TYPE_INFO, (uint64_t[]){ 99 }, 1).error == COFFER_ERR_INVALID_ARGUMENT,
           "type limit and info: a type retype does not make: INVALID_ARGUMENT");
}

/* A bank grows by doubling, but asks for less when an ancestor cannot
 * give as much: it fills its parent's limit, not half of it. */
static void test_growth_within_parent(void)
{
    setup();
    uint64_t parent, child, h, slot;
    create(prime_badge, 512u << 10, &parent);
    create(parent, 4u << 20, &child);
    unsigned n = 0;
    while (buy(child, COFFER_OBJ_FRAME, 12, &h, &slot) == COFFER_ERR_OK)
        n++;
    struct info p = info(parent), c = info(child);
    tap_okf(p.held == 512u << 10 && c.held >= 384u << 10 && all_balance(),
            "growth: a child of a 512 KiB bank bought %u frames and holds %llu KiB (its extents sized down to "
            "what the parent could still give)", n, (unsigned long long)(c.held >> 10));
}

/* A chain of banks BANK_DEPTH_MAX deep (each sized to nest the next's
 * extent): one more level is refused, with nothing changed; after a
 * remove in the chain the bottom is a level higher and may create again. */
static void test_depth(void)
{
    setup();
    uint64_t chain[BANK_DEPTH_MAX + 1], h, slot, extra;
    chain[0] = prime_badge;
    bool ok = true;
    for (unsigned d = 1; d <= BANK_DEPTH_MAX && ok; d++)
        ok = create(chain[d - 1], 1ull << (RAM_BITS - d), &chain[d]) == COFFER_ERR_OK;
    struct books before = books(chain[BANK_DEPTH_MAX], chain[BANK_DEPTH_MAX - 1]);
    struct coffer_reply rp = call(chain[BANK_DEPTH_MAX], BANK_OP_CREATE, (uint64_t[]){ 1u << 16 }, 1);
    tap_ok(ok && rp.error == COFFER_ERR_BANK_TOO_DEEP && rp.mr[0] == BANK_DEPTH_MAX &&
               same_books(before, books(chain[BANK_DEPTH_MAX], chain[BANK_DEPTH_MAX - 1])) && all_balance(),
           "depth: a bank BANK_DEPTH_MAX below the prime creates no sub-bank (BANK_TOO_DEEP), nothing changed");
    ok = buy(chain[BANK_DEPTH_MAX - 1], COFFER_OBJ_ENDPOINT, 0, &h, &slot) == COFFER_ERR_OK &&
         simple(chain[BANK_DEPTH_MAX / 2], BANK_OP_REMOVE) == COFFER_ERR_OK;
    tap_ok(ok && create(chain[BANK_DEPTH_MAX], 1u << 16, &extra) == COFFER_ERR_OK && all_balance(),
           "depth: a remove in the chain lifts the banks below it a level: the bottom may create again");
}

/* Three objects at once, all or none. */
static void test_batch(void)
{
    setup();
    uint64_t child;
    create(prime_badge, 1u << 16, &child);
    uint64_t w[1] = { COFFER_OBJ_FRAME | 12 << 8 };
    struct coffer_reply rp = call(child, BANK_OP_BUY_BATCH, w, 1);
    tap_ok(rp.error == COFFER_ERR_OK && rp.ncaps == 3 && rp.length == 3 && slot_type(rp.caps[0]) == COFFER_OBJ_FRAME &&
               slot_type(rp.caps[2]) == COFFER_OBJ_FRAME && rp.caps[0] != rp.caps[1] && info(child).count == 3 &&
               all_balance(),
           "batch: three frames bought at once, three handles, three capabilities");
    uint64_t handles[3] = { rp.mr[0], rp.mr[1], rp.mr[2] };
    struct books before = books(child, prime_badge);
    w[0] = COFFER_OBJ_FRAME | 14 << 8; /* 3 x 16 KiB: more than the 64 KiB bank has left */
    rp = call(child, BANK_OP_BUY_BATCH, w, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_LIMIT && same_books(before, books(child, prime_badge)) && all_balance(),
           "batch: when the third does not fit, none is bought (BANK_LIMIT), nothing changed");
    bool freed = true;
    for (unsigned i = 0; i < 3; i++)
        freed = freed && bank_free(child, handles[i]) == COFFER_ERR_OK;
    tap_ok(freed && info(child).count == 0 && all_balance(), "batch: each of the three is freed by its handle");
}

/* VERIFY as the receive loop hands it over: the kernel unwrapped a bank
 * capability (its badge in badges[0]), or the capability landed in a slot. */
static struct coffer_reply verify(uint64_t badge, bool unwrapped, uint64_t their_badge)
{
    struct coffer_request rq = { .badge = badge, .label = BANK_OP_VERIFY, .length = 0, .ncaps = 1,
                                 .unwrapped = unwrapped ? 1 : 0 };
    rq.caps[0] = unwrapped ? 0 : CLIENT;
    rq.badges[0] = unwrapped ? their_badge : 0;
    struct coffer_reply rp;
    memset(&rp, 0xa5, sizeof rp);
    bank_handle(&server, &rq, &rp);
    return rp;
}

static void test_verify(void)
{
    setup();
    uint64_t child;
    create(prime_badge, 1u << 20, &child);
    uint64_t buy_only = BANK_BADGE(BANK_BADGE_INDEX(child), BANK_BADGE_GEN(child), BANK_RIGHT_BUY);
    struct coffer_reply rp = verify(prime_badge, true, buy_only);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 3 && rp.mr[0] == 1 && rp.mr[1] == BANK_RIGHT_BUY &&
               rp.mr[2] == BANK_ID(child),
           "verify: a bank capability of this server (unwrapped by the kernel) is genuine, with its rights and identity");
    rp = verify(buy_only, true, prime_badge);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 1 && rp.mr[1] == BANK_RIGHTS_ALL &&
               rp.mr[2] == BANK_ID(prime_badge) && rp.mr[2] != BANK_ID(child),
           "verify: any bank capability may ask, a restricted one too; another bank, another identity");
    rp = verify(prime_badge, false, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 0 && rp.mr[1] == 0 && rp.mr[2] == 0,
           "verify: a capability that came to a slot is no bank of this server's: not genuine");
    simple(child, BANK_OP_DESTROY);
    rp = verify(prime_badge, true, buy_only);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 0, "verify: a destroyed bank's capability is not genuine");
    rp = verify(child, true, prime_badge);
    tap_ok(rp.error == COFFER_ERR_BANK_DESTROYED, "verify: asked through a destroyed bank: BANK_DESTROYED");
    rp = call(prime_badge, BANK_OP_VERIFY, NULL, 0);
    tap_ok(rp.error == COFFER_ERR_PROTO_BAD_MESSAGE && rp.mr[0] == 0 && rp.mr[1] == 1,
           "verify: without a capability: PROTO_BAD_MESSAGE(0, 1)");
}

static void test_rights_and_remove(void)
{
    setup();
    uint64_t child, h, slot, grandchild;
    create(prime_badge, 1u << 20, &child);
    struct coffer_reply rp = call(child, BANK_OP_RESTRICT, (uint64_t[]){ BANK_RIGHT_BUY }, 1);
    tap_ok(rp.error == COFFER_ERR_OK && rp.ncaps == 1 && slot_type(rp.caps[0]) == COFFER_OBJ_ENDPOINT,
           "restrict: a buy-only capability to the child");
    uint64_t buy_only = BANK_BADGE(BANK_BADGE_INDEX(child), BANK_BADGE_GEN(child), BANK_RIGHT_BUY);
    uint64_t restricted_slot = rp.caps[0];
    tap_ok(buy(buy_only, COFFER_OBJ_FRAME, 12, &h, &slot) == COFFER_ERR_OK, "restrict: it buys");
    rp = call(buy_only, BANK_OP_FREE, &h, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_NO_RIGHT && rp.mr[0] == BANK_RIGHT_FREE &&
               simple(buy_only, BANK_OP_DESTROY) == COFFER_ERR_BANK_NO_RIGHT &&
               simple(buy_only, BANK_OP_REMOVE) == COFFER_ERR_BANK_NO_RIGHT &&
               call(buy_only, BANK_OP_SET_LIMIT, (uint64_t[]){ 1 }, 1).error == COFFER_ERR_BANK_NO_RIGHT &&
               call(buy_only, BANK_OP_CREATE, (uint64_t[]){ 1 }, 1).error == COFFER_ERR_BANK_NO_RIGHT,
           "restrict: it cannot free, destroy, remove, set limits or create (BANK_NO_RIGHT)");
    tap_ok(call(buy_only, BANK_OP_RESTRICT, (uint64_t[]){ BANK_RIGHT_BUY | BANK_RIGHT_FREE }, 1).error ==
                   COFFER_ERR_INVALID_ARGUMENT &&
               call(child, BANK_OP_RESTRICT, (uint64_t[]){ 0x40 }, 1).error == COFFER_ERR_INVALID_ARGUMENT,
           "restrict: to more rights than held, or past BANK_RIGHTS_ALL: INVALID_ARGUMENT");
    const uint64_t look_only = BANK_BADGE(BANK_BADGE_INDEX(child), BANK_BADGE_GEN(child), 0);
    rp = call(child, BANK_OP_RESTRICT, (uint64_t[]){ 0 }, 1);
    tap_ok(rp.error == COFFER_ERR_OK && rp.ncaps == 1 && simple(look_only, BANK_OP_INFO) == COFFER_ERR_OK &&
               call(look_only, BANK_OP_BUY, (uint64_t[]){ COFFER_OBJ_FRAME | 12u << 8 }, 1).error ==
                   COFFER_ERR_BANK_NO_RIGHT &&
               call(look_only, BANK_OP_CREATE, (uint64_t[]){ 1 }, 1).error == COFFER_ERR_BANK_NO_RIGHT &&
               simple(look_only, BANK_OP_DESTROY) == COFFER_ERR_BANK_NO_RIGHT,
           "restrict to no rights: a capability that reads INFO and cannot buy, create or destroy");
    struct bank *cb = bank_of(&server, (uint16_t)BANK_BADGE_INDEX(child));
    cb->pending = 1; /* as while a destroy below it is in flight (several server threads) */
    tap_ok(simple(child, BANK_OP_DESTROY) == COFFER_ERR_BANK_BUSY && simple(child, BANK_OP_REMOVE) == COFFER_ERR_BANK_BUSY &&
               simple(child, BANK_OP_INFO) == COFFER_ERR_OK,
           "busy: a bank with a destroy in flight below it cannot be destroyed or removed (BANK_BUSY)");
    cb->pending = 0;
    tap_ok(call(child | 0x8000, BANK_OP_INFO, NULL, 0).error == COFFER_ERR_BANK_DESTROYED &&
               call(child ^ (1ull << 16), BANK_OP_INFO, NULL, 0).error == COFFER_ERR_BANK_DESTROYED,
           "badge: a bank index or generation never given out: BANK_DESTROYED");
    create(child, 1u << 19, &grandchild);
    uint64_t gh;
    buy(grandchild, COFFER_OBJ_ENDPOINT, 0, &gh, NULL);
    struct info pi = info(prime_badge), ci = info(child);
    tap_ok(client_copy(restricted_slot, CLIENT) && simple(child, BANK_OP_REMOVE) == COFFER_ERR_OK &&
               simple(child, BANK_OP_INFO) == COFFER_ERR_BANK_DESTROYED && slot_type(CLIENT) == COFFER_ID_TYPE_NULL,
           "remove: the child goes, its capabilities (restricted ones too) are revoked");
    struct info after = info(prime_badge);
    tap_ok(after.held == pi.held && after.objects == pi.objects + ci.objects && after.count == pi.count + ci.count &&
               after.banks == 1 && after.children == ci.children && slot_type(slot) == COFFER_OBJ_FRAME && all_balance(),
           "remove: its objects and its sub-bank pass to the prime bank, the bytes with them");
    tap_ok(bank_free(prime_badge, h) == COFFER_ERR_OK && slot_type(slot) == COFFER_ID_TYPE_NULL && all_balance(),
           "remove: the parent frees what the child bought");
    tap_ok(buy(grandchild, COFFER_OBJ_FRAME, 12, &h, NULL) == COFFER_ERR_OK &&
               simple(grandchild, BANK_OP_DESTROY) == COFFER_ERR_OK && all_balance(),
           "remove: the grandchild, now the prime's child, buys and is destroyed");
    struct info end = info(prime_badge);
    tap_ok(end.children == 0 && end.banks == 0 && end.count == 0 &&
               end.free + end.overhead == 1u << RAM_BITS,
           "remove: all gone, the prime bank has every byte but its records");
}

int main(void)
{
    if (!bank_fixture_alloc())
        return 1;
    test_prime();
    test_child();
    test_limits();
    test_rights_and_remove();
    test_verify();
    test_batch();
    test_growth_within_parent();
    test_depth();
    return tap_done();
}
