/*
 * The exec server's start (exec_service.h): a session service whose
 * sessions' areas are 1 GiB each -- the worker's frame, the image, the
 * arena and two places for the output (exec.h) -- with page tables each
 * session buys from its own bank.
 */
#include "exec.h"
#include "exec_service.h"

struct coffer_result exec_service_start(const struct exec_service_config *cfg, struct session_service *out)
{
    struct session_service_config sc = { .work_untyped = cfg->work_untyped, .bank = cfg->bank,
                                         .first_slot = cfg->first_slot, .own_va = cfg->own_va,
                                         .priority = cfg->priority, .sessions = EXEC_SESSIONS,
                                         .area_bits = EXEC_AREA_BITS, .frame_bits = 14, .own_tables = true,
                                         .state_bytes = sizeof(struct exec_server), .init = exec_init,
                                         .name = "exec server" };
    return session_service_start(&sc, out);
}
