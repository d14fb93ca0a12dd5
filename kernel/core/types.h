/*
 * Basic types for the portable kernel core.
 *
 * The core is compiled twice: freestanding for the target kernel and as
 * ordinary hosted C for the host unit tests (COFFER_HOST defined).  Only the
 * freestanding headers every C11 compiler ships are used here, so both builds
 * see the same definitions.
 */
#ifndef COFFER_KERNEL_TYPES_H
#define COFFER_KERNEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t; /* physical address */
typedef uint64_t vaddr_t; /* virtual address */

#define STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
/* For the kernel-entry paths built with link-time optimisation: COLD keeps
 * a rare path out of its caller (whose prologue would otherwise save
 * registers for it on every entry); HOT_INLINE folds a small helper in. */
#define COLD __attribute__((noinline, cold))
#define HOT_INLINE inline __attribute__((always_inline))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define IS_ALIGNED(x, a) ((((uint64_t)(x)) & ((uint64_t)(a) - 1)) == 0)
#define ALIGN_UP(x, a) ((((uint64_t)(x)) + ((uint64_t)(a) - 1)) & ~((uint64_t)(a) - 1))
#define ALIGN_DOWN(x, a) (((uint64_t)(x)) & ~((uint64_t)(a) - 1))

#endif
