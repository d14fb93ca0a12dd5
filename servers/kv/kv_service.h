/*
 * Starting the key-value store (docs/tutorial-client-funded-server.md): a
 * session service (session/service.h) whose hooks and handlers are
 * kv.c.  The starter gives it an untyped for its own memory and a bank
 * capability (for VERIFY), and gets back the opener.
 */
#ifndef KV_SERVER_KV_SERVICE_H
#define KV_SERVER_KV_SERVICE_H

#include <session/service.h>

#define KV_SERVICE_SLOTS SESSION_SERVICE_SLOTS /* starter slots it keeps, from first_slot */
#define KV_SESSIONS 32                         /* sessions at once */

struct kv_service_config {
    coffer_cptr_t work_untyped; /* its own memory: 2^18 bytes */
    coffer_cptr_t bank;         /* any capability to a bank of the bank server's */
    uint64_t first_slot;        /* KV_SERVICE_SLOTS free slots of the starter's root CNode */
    uint64_t own_va;            /* 2 MiB aligned, 4 MiB free */
    uint8_t priority;
};

struct coffer_result kv_service_start(const struct kv_service_config *cfg, struct session_service *out);

#endif
