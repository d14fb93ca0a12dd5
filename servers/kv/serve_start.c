/*
 * The key-value store's start (kv_service.h): all of it is the session
 * service's (lib/session service.c); the store says how big its state and
 * its sessions' areas are -- a 16 KiB worker frame, then KV_PAGES pages
 * of entries, in 64 KiB -- and gives its hooks (kv_init).
 */
#include "kv.h"
#include "kv_service.h"

_Static_assert((1u << 14) + KV_PAGES * COFFER_PAGE_SIZE <= (1u << 16), "a session's frame and pages fit its area");

struct coffer_result kv_service_start(const struct kv_service_config *cfg, struct session_service *out)
{
    struct session_service_config sc = { .work_untyped = cfg->work_untyped, .bank = cfg->bank,
                                         .first_slot = cfg->first_slot, .own_va = cfg->own_va,
                                         .priority = cfg->priority, .sessions = KV_SESSIONS, .area_bits = 16,
                                         .frame_bits = 14, .state_bytes = sizeof(struct kv_server), .init = kv_init,
                                         .name = "key-value store" };
    return session_service_start(&sc, out);
}
