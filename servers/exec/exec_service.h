/*
 * Starting the exec server (docs/servers.md): a session service
 * (session/service.h) whose sessions each have a 1 GiB area and pay for
 * its page tables.  The starter gives it an untyped for its own memory and
 * a bank capability (for VERIFY), and gets back the opener.
 */
#ifndef EXEC_SERVER_EXEC_SERVICE_H
#define EXEC_SERVER_EXEC_SERVICE_H

#include <session/service.h>

#define EXEC_SERVICE_SLOTS SESSION_SERVICE_SLOTS
#define EXEC_SESSIONS 16

struct exec_service_config {
    coffer_cptr_t work_untyped; /* its own memory: 2^18 bytes */
    coffer_cptr_t bank;         /* any capability to a bank of the bank server's */
    uint64_t first_slot;        /* EXEC_SERVICE_SLOTS free slots of the starter's root CNode */
    uint64_t own_va;            /* 1 GiB aligned; its memory, then EXEC_SESSIONS GiB of windows, free */
    uint8_t priority;
};

struct coffer_result exec_service_start(const struct exec_service_config *cfg, struct session_service *out);

#endif
