/*
 * The session library's logic on the host (lib/session): badges to
 * sessions, what the rescuer is told for each kind of badge, and the
 * door's refusals that come before any purchase -- a bank the bank server
 * does not verify (VERIFY is an IPC call, which fails on the host, as it
 * would for a capability that is no bank) is NOT_BANK for every request.
 */
#include "tap.h"
#include <proto/session_server.h>
#include <session/server.h>
#include <string.h>

static struct session_server s;
static struct coffer_ipc_buffer door_buf;

static void dispatch_none(void *server, const struct coffer_request *rq, struct coffer_reply *rp)
{
    (void)server;
    coffer_proto_unknown_op(rq, rp);
}

static void setup(void)
{
    struct session_hooks hooks = { .dispatch = dispatch_none };
    struct session_config cfg = { .root_bits = 6, .leaf_bits = 8, .window_va = 0x40000000, .area_bits = 16,
                                  .frame_bits = 14, .sessions = 4, .door_tcb = 8, .door_rescue_sc = 11,
                                  .buf = &door_buf };
    session_server_init(&s, &cfg, &hooks);
    s.table[2].state = SESSION_OPEN;
    s.table[2].gen = 5;
}

static void test_badges(void)
{
    tap_ok(s.table[1].area_va == 0x40000000 && s.table[4].area_va == 0x40000000 + 3 * 0x10000 &&
               s.table[2].index == 2 && s.table[2].server == &s,
           "init: session i's area is window + (i - 1) areas, its index and server set");
    tap_ok(session_of(&s, SESSION_BADGE(SESSION_KIND_SESSION, 5, 2)) == &s.table[2],
           "session_of: an open session's badge names it");
    tap_ok(session_of(&s, SESSION_BADGE(SESSION_KIND_SESSION, 4, 2)) == NULL &&
               session_of(&s, SESSION_BADGE(SESSION_KIND_SESSION, 0, 1)) == NULL &&
               session_of(&s, SESSION_BADGE(SESSION_KIND_SESSION, 0, 0)) == NULL &&
               session_of(&s, SESSION_BADGE(SESSION_KIND_SESSION, 5, 5)) == NULL &&
               session_of(&s, SESSION_BADGE(SESSION_KIND_DOOR, 5, 2)) == NULL &&
               session_of(&s, SESSION_BADGE(SESSION_KIND_RESCUE, 5, 2)) == NULL,
           "session_of: a stale generation, a free session, index 0, past the table, other kinds: NULL");
    tap_ok(session_slot(&s, 2, SESSION_S_BANK) == (2u << 8 | SESSION_S_BANK), "session_slot: i << leaf_bits | j");
}

static void test_rescue(void)
{
    coffer_cptr_t tcb = 0, sc = 0;
    tap_ok(session_rescue_worker(&s, SESSION_BADGE(SESSION_KIND_DOOR, 0, 0), &tcb, &sc) && tcb == 8 && sc == 11,
           "rescue: the door's badge: its TCB and its rescue context");
    tap_ok(session_rescue_worker(&s, SESSION_BADGE(SESSION_KIND_RESCUE, 5, 2), &tcb, &sc) &&
               tcb == session_slot(&s, 2, SESSION_S_TCB) && sc == COFFER_CPTR_NONE,
           "rescue: a session's worker: its TCB and no context (its client pays for all of it)");
    tap_ok(!session_rescue_worker(&s, SESSION_BADGE(SESSION_KIND_RESCUE, 4, 2), &tcb, &sc) &&
               !session_rescue_worker(&s, SESSION_BADGE(SESSION_KIND_SESSION, 5, 2), &tcb, &sc),
           "rescue: a stale worker's badge, a session capability's badge: not the rescuer's");
    uint64_t before = s.abandoned;
    session_abandon(&s, SESSION_BADGE(SESSION_KIND_RESCUE, 4, 2));
    session_abandon(&s, SESSION_BADGE(SESSION_KIND_RESCUE, 5, 2));
    tap_ok(s.abandoned == before + 1, "abandon: counted for the open session's worker only");
}

static struct coffer_reply door(uint64_t label, uint64_t words)
{
    uint64_t w[1] = { 0 };
    struct coffer_request rq = { .badge = SESSION_BADGE(SESSION_KIND_DOOR, 0, 0), .label = label, .length = (unsigned)words,
                                 .ncaps = 1, .mr = w };
    rq.caps[0] = 6;
    struct coffer_reply rp;
    memset(&rp, 0xa5, sizeof rp);
    session_dispatch(&s, &rq, &rp);
    return rp;
}

static void test_door_refusals(void)
{
    uint64_t opened = s.opened;
    tap_ok(door(SESSION_OP_OPEN, 1).error == COFFER_ERR_SESSION_NOT_BANK && s.opened == opened &&
               s.table[1].state == SESSION_FREE,
           "OPEN with a bank the bank server does not verify: NOT_BANK, nothing taken");
    tap_ok(door(SESSION_OP_UPGRADE, 0).error == COFFER_ERR_SESSION_NOT_BANK &&
               door(SESSION_OP_CLOSE, 0).error == COFFER_ERR_SESSION_NOT_BANK &&
               door(SESSION_OP_INFO, 0).error == COFFER_ERR_SESSION_NOT_BANK && s.table[2].state == SESSION_OPEN,
           "UPGRADE, CLOSE, INFO with no verified bank: NOT_BANK, the open session untouched");
    tap_ok(door(SESSION_OP_OPEN, 0).error == COFFER_ERR_PROTO_BAD_MESSAGE &&
               door(0x99, 0).error == COFFER_ERR_PROTO_UNKNOWN_OP,
           "a request of the wrong shape, an unknown label: refused by the dispatcher");
}

int main(void)
{
    setup();
    test_badges();
    test_rescue();
    test_door_refusals();
    return tap_done();
}
