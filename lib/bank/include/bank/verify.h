/*
 * Checking a bank capability a client handed over (docs/banks.md,
 * "Verifying a bank"): a server that will buy on a client's bank asks the
 * bank server itself whether the capability is one of its banks, and with
 * what rights, before it trusts it with anything.
 */
#ifndef BANK_VERIFY_H
#define BANK_VERIFY_H

#include <proto/bank_client.h>
#include <stdbool.h>

/* Whether cap is a genuine bank with at least the rights `need`
 * (BANK_RIGHT_*), asked through any_bank, a bank capability of the
 * server's the caller holds; *id gets its identity (BANK_ID), 0 if not. */
static inline bool bank_is_genuine(struct coffer_ipc_buffer *buf, coffer_cptr_t any_bank, coffer_cptr_t cap,
                                   unsigned need, uint64_t *id)
{
    uint64_t genuine = 0, rights = 0;
    struct coffer_result r = bank_verify(buf, any_bank, cap, &genuine, &rights, id);
    if (r.error != COFFER_ERR_OK || genuine != 1 || (rights & need) != need) {
        *id = 0;
        return false;
    }
    return true;
}

#endif
