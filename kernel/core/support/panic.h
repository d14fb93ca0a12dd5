/*
 * panic(): the kernel found its own state inconsistent.  Prints the reason,
 * the CPU/trap state, a symbolic backtrace, and shuts the machine down with
 * a failure status.  Never used for bad user input: that gets an error code.
 */
#ifndef COFFER_KERNEL_PANIC_H
#define COFFER_KERNEL_PANIC_H

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* Print the symbolic backtrace from the caller's frame. */
void backtrace_print(void);

#define ASSERT(cond)                                                                  \
    do {                                                                              \
        if (!(cond))                                                                  \
            panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);         \
    } while (0)

#define PANIC_EXIT_STATUS 3

#endif
