/*
 * A process's first instructions (docs/processes.md, "The runtime").  The
 * process manager starts the thread at _start with sp at the initial
 * stack lib/loader built: argc, argv[], NULL, envp[], NULL, auxv.  There
 * is no crt0 of picolibc's here: processes link with -nostartfiles, and
 * this does what crt0 would (gp, thread-local storage, constructors)
 * with the arguments the manager passed.  .data and .bss need no copy nor
 * clearing: the manager mapped .data from the file and .bss in fresh
 * frames, which the kernel zeroes.
 */
#include <loader/initial_stack.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "runtime_internal.h"

extern char **environ;
extern char __tls_base[]; /* lib/crt/user.ld: the one thread's TLS block */
int main(int argc, char **argv, char **envp);
/* picolibc's, as its crt0 calls them (<picotls.h> declares the TLS pair
 * only when PICOLIBC_TLS is defined, which its own build does). */
void __libc_init_array(void);
void _init_tls(void *tls);
void _set_tls(void *tls);
void runtime_start(uint64_t *sp) __attribute__((noreturn, used));
void _start(void) __attribute__((naked, noreturn));

void runtime_start(uint64_t *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)&sp[1];
    char **envp = argv + argc + 1;
    char **end_of_envp = envp;
    while (*end_of_envp != NULL)
        end_of_envp++;
    for (const uint64_t *aux = (const uint64_t *)(end_of_envp + 1); aux[0] != LOADER_AT_NULL; aux += 2)
        if (aux[0] == LOADER_AT_COFFER_TIMEBASE)
            runtime_timebase_hz = aux[1];
    environ = envp;
    _init_tls(__tls_base);
    _set_tls(__tls_base);
    __libc_init_array();
    exit(main(argc, argv, envp));
}

/* The entry: gp as the linker placed it (no relaxation may use gp before
 * it is set), then C with the initial sp as the argument. */
__attribute__((naked, noreturn, section(".text.init.enter"))) void _start(void)
{
    __asm__ volatile(".option push\n"
                     ".option norelax\n"
                     "la gp, __global_pointer$\n"
                     ".option pop\n"
                     "mv a0, sp\n"
                     "tail runtime_start\n");
}
