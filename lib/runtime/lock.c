/*
 * picolibc's locks, for a process with threads (<runtime/thread.h>).
 * picolibc is built with retargetable locking: its malloc takes
 * __lock___libc_recursive_mutex through the __retarget_lock_* functions,
 * whose own versions do nothing.  These are real ones: a lock is taken
 * with an atomic swap, and a thread that finds it taken yields to the
 * holder until it is free.  The owner is the thread's TLS block (tp),
 * which no two threads share, so the recursive kind can count.  The
 * runtime's console (console.c) takes the same mutex.
 */
#include <coffer.h>
#include <stdlib.h>
#include <sys/lock.h>

struct __lock {
    int taken;
    uintptr_t owner; /* recursive locks: who holds it */
    unsigned depth;
};

struct __lock __lock___libc_recursive_mutex;

static uintptr_t me(void)
{
    uintptr_t tp;
    __asm__ volatile("mv %0, tp" : "=r"(tp));
    return tp;
}

static void take(struct __lock *l)
{
    while (__atomic_exchange_n(&l->taken, 1, __ATOMIC_ACQUIRE) != 0)
        coffer_yield();
}

void __retarget_lock_init(_LOCK_T *lock)
{
    *lock = calloc(1, sizeof **lock); /* NULL: the lock does nothing, as picolibc's own */
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
    __retarget_lock_init(lock);
}

void __retarget_lock_close(_LOCK_T lock)
{
    free(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
    free(lock);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
    if (lock != NULL)
        take(lock);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
    return lock == NULL || __atomic_exchange_n(&lock->taken, 1, __ATOMIC_ACQUIRE) == 0;
}

void __retarget_lock_release(_LOCK_T lock)
{
    if (lock != NULL)
        __atomic_store_n(&lock->taken, 0, __ATOMIC_RELEASE);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
    if (lock == NULL)
        return;
    if (__atomic_load_n(&lock->taken, __ATOMIC_ACQUIRE) != 0 && lock->owner == me()) {
        lock->depth++;
        return;
    }
    take(lock);
    lock->owner = me();
    lock->depth = 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
    if (lock == NULL)
        return 1;
    if (__atomic_load_n(&lock->taken, __ATOMIC_ACQUIRE) != 0 && lock->owner == me()) {
        lock->depth++;
        return 1;
    }
    if (!__retarget_lock_try_acquire(lock))
        return 0;
    lock->owner = me();
    lock->depth = 1;
    return 1;
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
    if (lock == NULL || --lock->depth > 0)
        return;
    lock->owner = 0;
    __atomic_store_n(&lock->taken, 0, __ATOMIC_RELEASE);
}
