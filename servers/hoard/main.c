/*
 * A process that holds many objects: `hoard N` buys N endpoints from its
 * bank (keeping none of the capabilities: the bank's own keep them), tells
 * its spawner through the notification granted in its first granted slot,
 * and waits to be killed.  The benchmarks kill it, to compare with
 * destroying a bank of the same size.
 */
#include <bank/bank.h>
#include <coffer.h>
#include <process/layout.h>
#include <proto/bank_client.h>
#include <stdlib.h>

enum { SLOT = PROCESS_SLOT_FIRST_FREE, NOTHING };

int main(int argc, char **argv)
{
    struct coffer_ipc_buffer *buf = coffer_root_ipc_buffer();
    long n = argc > 1 ? atol(argv[1]) : 0;
    uint64_t handle;
    for (long i = 0; i < n; i++)
        if (bank_buy(buf, PROCESS_SLOT_BANK, COFFER_OBJ_ENDPOINT, 0, SLOT, &handle).error != COFFER_ERR_OK ||
            coffer_cnode_delete(PROCESS_SLOT_CNODE, SLOT, 64).error != COFFER_ERR_OK)
            return 1;
    if (bank_buy(buf, PROCESS_SLOT_BANK, COFFER_OBJ_NOTIFICATION, 0, NOTHING, &handle).error != COFFER_ERR_OK)
        return 1;
    coffer_signal(PROCESS_SLOT_GRANTED);
    for (;;)
        coffer_wait(NOTHING);
}
