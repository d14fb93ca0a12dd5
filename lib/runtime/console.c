/*
 * A process's console (docs/console.md, "Clients"): stdio's lines
 * (lib/crt/console.c) go to a session of the console server when the
 * process's spawner granted the console's opener -- at PROCESS_SLOT_GRANTED
 * + PROCESS_GRANT_CONSOLE -- and to the kernel's debug console when not;
 * stdin reads the keyboard through a second session when the spawner
 * granted the keyboard (PROCESS_GRANT_KEYBOARD), and is at its end when
 * not.
 *
 * Each session is opened at first use, on the process's own bank: the
 * server buys the session's 4 KiB buffer from it, and the one ready
 * notification both sessions signal is bought here, so the process pays
 * for its console as it pays for its heap.  A line the buffer cannot take
 * whole waits for the notification (the UART drains the buffer, and the
 * server signals when there is room); so does a read with nothing typed.
 * _exit closes the sessions, which writes what is queued before the
 * process's bank -- and the buffers with it -- goes.  If the output
 * session cannot be had, or the server drops it, the lines go to the
 * debug console: output is never lost for want of a console.
 */
#include <bank/bank.h>
#include <coffer.h>
#include <console/console.h>
#include <crt/console.h>
#include <process/granted.h>
#include <process/layout.h>
#include <proto/bank_client.h>
#include <proto/console_client.h>
#include <runtime/thread.h>
#include <sys/lock.h>

#include "runtime_internal.h"


enum mode { UNOPENED, SESSION, NONE };
static enum mode output, input;
static uint64_t out_session, in_session, ready;
static char typed[CONSOLE_TEXT_BYTES];
static size_t typed_len, typed_at;

/* The notification both sessions signal, bought once and kept. */
static bool ready_notification(void)
{
    uint64_t handle;
    return ready != 0 || runtime_buy(COFFER_OBJ_NOTIFICATION, 0, &ready, &handle);
}

/* A session through the capability granted as GRANT, on the process's bank. */
static enum mode open_session(enum process_grant grant, uint64_t flags, uint64_t *session)
{
    uint64_t index, opener = PROCESS_SLOT_GRANTED + grant;
    if (!process_granted(grant) || !ready_notification() || !runtime_slot_alloc(session))
        return NONE;
    if (console_open_into(runtime_ipc_buffer(), opener, flags, PROCESS_SLOT_BANK, ready, PROCESS_RECV(*session), &index)
            .error != COFFER_ERR_OK) {
        runtime_slot_free(*session);
        return NONE;
    }
    return SESSION;
}

/* Writes up to one message of TEXT; how much the buffer took, or -1 when
 * the session is gone. */
static long write_chunk(const char *text, size_t chunk)
{
    uint64_t taken = 0;
    if (console_write(runtime_ipc_buffer(), out_session, chunk, text, chunk, &taken).error != COFFER_ERR_OK ||
        taken > chunk)
        return -1;
    return (long)taken;
}

/* The runtime's console is one for all the process's threads: the
 * sessions open once, and a line goes whole unless the buffer fills under
 * it -- the wait lets other threads in (picolibc's own lock, lock.c). */
static void lock(void)
{
    __retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex);
}

static void unlock(void)
{
    __retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
}

/* The ready notification, the console free for other threads meanwhile. */
static void wait_unlocked(void)
{
    unlock();
    coffer_wait(ready);
    lock();
}

static void write_locked(const char *text, size_t n)
{
    if (output == UNOPENED)
        output = open_session(PROCESS_GRANT_CONSOLE, 0, &out_session);
    while (output == SESSION && n > 0) {
        size_t chunk = n < CONSOLE_TEXT_BYTES ? n : CONSOLE_TEXT_BYTES;
        long taken = write_chunk(text, chunk);
        if (taken < 0) {
            output = NONE; /* the session is gone: the rest goes the other way */
            break;
        }
        text += taken;
        n -= (size_t)taken;
        if ((size_t)taken != chunk)
            wait_unlocked(); /* the buffer is full: until the UART made room */
    }
    if (n > 0)
        coffer_debug_write((uint64_t)(uintptr_t)text, n);
}

void crt_console_write(const char *text, size_t n)
{
    lock();
    write_locked(text, n);
    unlock();
}

/* Fills TYPED with what the keyboard has; false when it never will. */
static bool read_typed(void)
{
    while (input == SESSION) {
        uint64_t length = 0;
        if (console_read(runtime_ipc_buffer(), in_session, &length, typed).error != COFFER_ERR_OK ||
            length > sizeof typed) {
            input = NONE;
            break;
        }
        if (length > 0) {
            typed_len = length;
            typed_at = 0;
            return true;
        }
        wait_unlocked(); /* nothing typed yet (or the output's room: then read again) */
    }
    return false;
}

int crt_console_getc(void)
{
    lock();
    if (input == UNOPENED)
        input = open_session(PROCESS_GRANT_KEYBOARD, CONSOLE_OPEN_INPUT, &in_session);
    int c = typed_at == typed_len && !read_typed() ? -1 : (unsigned char)typed[typed_at++]; /* -1: EOF */
    unlock();
    return c;
}

void runtime_console_close(void)
{
    if (output == SESSION)
        console_close(out_session);
    if (input == SESSION)
        console_close(in_session);
    output = input = NONE;
}
