/*
 * A process's console (docs/console.md, "Clients"): stdio's lines
 * (lib/crt/console.c) go to a session of the console server when the
 * process's spawner granted the console's opener -- at PROCESS_SLOT_GRANTED
 * + PROCESS_GRANT_CONSOLE -- and to the kernel's debug console when not.
 *
 * The session is opened at the first line, on the process's own bank:
 * the server buys the session's 4 KiB buffer from it, and the ready
 * notification is bought here, so the process pays for its console as it
 * pays for its heap.  A line the buffer cannot take whole waits for the
 * notification (the UART drains the buffer, and the server signals when
 * there is room).  _exit closes the session, which writes what is queued
 * before the process's bank -- and the buffer with it -- goes.  If the
 * session cannot be had, or the server drops it, the lines go to the
 * debug console: output is never lost for want of a console.
 */
#include <bank/bank.h>
#include <coffer.h>
#include <console/console.h>
#include <crt/console.h>
#include <process/layout.h>
#include <proto/bank_client.h>
#include <proto/console_client.h>

#include "runtime_internal.h"

#define OPENER (PROCESS_SLOT_GRANTED + PROCESS_GRANT_CONSOLE)

static enum { UNOPENED, SESSION, DEBUG_CONSOLE } mode;
static uint64_t session, ready, ready_handle;

static bool granted(void)
{
    struct coffer_result r = coffer_cnode_identify(PROCESS_SLOT_CNODE, OPENER, 64);
    return r.error == COFFER_ERR_OK && COFFER_ID_TYPE(r.detail0) == COFFER_OBJ_ENDPOINT;
}

/* A session on the process's bank, or the debug console. */
static int open_session(void)
{
    uint64_t index;
    if (!granted() || !runtime_slot(&session))
        return DEBUG_CONSOLE;
    if (!runtime_buy(COFFER_OBJ_NOTIFICATION, 0, &ready, &ready_handle)) {
        runtime_slot_return(session);
        return DEBUG_CONSOLE;
    }
    if (console_open(coffer_root_ipc_buffer(), OPENER, 0, PROCESS_SLOT_BANK, ready, session, &index).error !=
        COFFER_ERR_OK) {
        bank_free(PROCESS_SLOT_BANK, ready_handle);
        runtime_slot_return(ready);
        runtime_slot_return(session);
        return DEBUG_CONSOLE;
    }
    return SESSION;
}

/* Writes up to one message of TEXT; how much the buffer took, or -1 when
 * the session is gone. */
static long write_chunk(const char *text, size_t chunk)
{
    uint64_t taken = 0;
    if (console_write(coffer_root_ipc_buffer(), session, chunk, text, chunk, &taken).error != COFFER_ERR_OK ||
        taken > chunk)
        return -1;
    return (long)taken;
}

void crt_console_write(const char *text, size_t n)
{
    if (mode == UNOPENED)
        mode = open_session();
    while (mode == SESSION && n > 0) {
        size_t chunk = n < CONSOLE_TEXT_BYTES ? n : CONSOLE_TEXT_BYTES;
        long taken = write_chunk(text, chunk);
        if (taken < 0) {
            mode = DEBUG_CONSOLE; /* the session is gone: the rest goes the other way */
            break;
        }
        text += taken;
        n -= (size_t)taken;
        if ((size_t)taken != chunk)
            coffer_wait(ready); /* the buffer is full: until the UART made room */
    }
    if (n > 0)
        coffer_debug_write((uint64_t)(uintptr_t)text, n);
}

int crt_console_getc(void)
{
    return -1; /* a process's session writes only: the keyboard is init's to give */
}

void runtime_console_close(void)
{
    if (mode == SESSION)
        console_close(session);
    mode = DEBUG_CONSOLE;
}
