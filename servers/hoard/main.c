/*
 * A process that holds many objects.  `hoard N` buys N endpoints from its
 * bank (keeping none of the capabilities: the bank's own keep them), tells
 * its spawner through the notification granted in its first granted slot,
 * and waits to be killed: the benchmarks kill it, to compare with
 * destroying a bank of the same size.  `hoard N slots` keeps each of the N
 * in a slot of its own from the runtime (runtime/slots.h), checks that
 * every one is there, gives them all back and exits with the number of
 * leaves the runtime bought for them -- or 255 when a slot or an endpoint
 * could not be had (the bank refused), 254 when one went missing.
 */
#include <bank/bank.h>
#include <coffer.h>
#include <process/layout.h>
#include <proto/bank_client.h>
#include <runtime/slots.h>
#include <stdlib.h>
#include <string.h>

enum { SLOT = PROCESS_SLOT_FIRST_FREE, NOTHING };

#define KEPT_MAX 4096

static uint64_t kept[KEPT_MAX], handles[KEPT_MAX];

static int hold_in_slots(struct coffer_ipc_buffer *buf, long n)
{
    long got = 0;
    int status = 0;
    for (; got < n && got < KEPT_MAX; got++)
        if (!runtime_slot_alloc(&kept[got]) ||
            bank_buy_into(buf, PROCESS_SLOT_BANK, COFFER_OBJ_ENDPOINT, 0, PROCESS_RECV(kept[got]), &handles[got]).error !=
                COFFER_ERR_OK) {
            status = 255;
            break;
        }
    for (long i = 0; i < got && status == 0; i++) {
        struct coffer_result id = coffer_cnode_identify(PROCESS_SLOT_CNODE, kept[i], 64);
        if (id.error != COFFER_ERR_OK || COFFER_ID_TYPE(id.detail0) != COFFER_OBJ_ENDPOINT)
            status = 254;
    }
    if (status == 0)
        status = (int)runtime_slot_leaves();
    while (got > 0) { /* the last taken first: the first leaf's slots are a stack */
        got--;
        bank_free(PROCESS_SLOT_BANK, handles[got]);
        runtime_slot_free(kept[got]);
    }
    return status;
}

int main(int argc, char **argv)
{
    struct coffer_ipc_buffer *buf = coffer_root_ipc_buffer();
    long n = argc > 1 ? atol(argv[1]) : 0;
    if (argc > 2 && strcmp(argv[2], "slots") == 0)
        return hold_in_slots(buf, n);
    uint64_t handle;
    for (long i = 0; i < n; i++)
        if (bank_buy_into(buf, PROCESS_SLOT_BANK, COFFER_OBJ_ENDPOINT, 0, PROCESS_RECV(SLOT), &handle).error != COFFER_ERR_OK ||
            coffer_cnode_delete(PROCESS_SLOT_CNODE, SLOT, 64).error != COFFER_ERR_OK)
            return 1;
    if (bank_buy_into(buf, PROCESS_SLOT_BANK, COFFER_OBJ_NOTIFICATION, 0, PROCESS_RECV(NOTHING), &handle).error != COFFER_ERR_OK)
        return 1;
    coffer_signal(PROCESS_SLOT_GRANTED);
    for (;;)
        coffer_wait(NOTHING);
}
