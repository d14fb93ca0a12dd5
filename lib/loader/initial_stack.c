/*
 * The initial stack (initial_stack.h).  The layout is computed first,
 * every size with an overflow check, and only a layout that fits is
 * written: a refused call leaves the buffer as it was.
 *
 * Words are stored a byte at a time, little-endian: the buffer may have
 * any alignment, and the process reads them as RISC-V (little-endian)
 * words whatever the host is.
 */
#include <loader/initial_stack.h>

#include <stdbool.h>
#include <string.h>

#define WORD_BYTES 8u
#define STACK_ALIGN 16u

/* Words besides argv's and envp's entries: argc, the two NULLs, auxv. */
#define FIXED_WORDS (3u + 2u * LOADER_AUXV_PAIRS)

/* Where things go, as distances below stack_top. */
struct layout {
    size_t strings; /* argv's and envp's strings with their NULs */
    size_t words;   /* bytes of argc, the vectors and auxv */
    size_t total;   /* everything, rounded up to STACK_ALIGN: stack_top - sp */
};

/* *acc += n; false if that overflows. */
static bool add_size(size_t *acc, size_t n)
{
    if (n > SIZE_MAX - *acc)
        return false;
    *acc += n;
    return true;
}

/* A vector the count says is there must be, and so must its strings. */
static bool vector_ok(const char *const *v, unsigned n)
{
    if (n == 0)
        return true;
    if (v == NULL)
        return false;
    for (unsigned i = 0; i < n; i++) {
        if (v[i] == NULL)
            return false;
    }
    return true;
}

static bool vectors_ok(const struct initial_stack_args *a)
{
    return vector_ok(a->argv, a->argc) && vector_ok(a->envp, a->envc);
}

/* The bytes of n strings, each with its NUL, added to *acc. */
static bool strings_size(const char *const *v, unsigned n, size_t *acc)
{
    for (unsigned i = 0; i < n; i++) {
        if (!add_size(acc, strlen(v[i])) || !add_size(acc, 1))
            return false;
    }
    return true;
}

/* The layout of valid args (vectors_ok); false if a size overflows. */
static bool layout_of(const struct initial_stack_args *a, struct layout *l)
{
    size_t words = FIXED_WORDS;

    l->strings = 0;
    if (!strings_size(a->argv, a->argc, &l->strings) || !strings_size(a->envp, a->envc, &l->strings))
        return false;
    if (!add_size(&words, a->argc) || !add_size(&words, a->envc) || words > SIZE_MAX / WORD_BYTES)
        return false;
    l->words = words * WORD_BYTES;
    l->total = l->strings;
    if (!add_size(&l->total, LOADER_RANDOM_BYTES) || !add_size(&l->total, l->words) ||
        !add_size(&l->total, STACK_ALIGN - 1))
        return false;
    l->total &= ~(size_t)(STACK_ALIGN - 1);
    return true;
}

size_t initial_stack_bytes(const struct initial_stack_args *a)
{
    struct layout l;

    if (a == NULL || !vectors_ok(a) || !layout_of(a, &l))
        return SIZE_MAX;
    return l.total;
}

/* The buffer as the process sees it: buf[size - 1] is at top - 1. */
struct stack_view {
    uint8_t *buf;
    size_t size;
    uint64_t top;
};

/* The buffer byte at virtual address va, in [top - size, top). */
static uint8_t *at(const struct stack_view *s, uint64_t va)
{
    return s->buf + (s->size - (size_t)(s->top - va));
}

static void put_word(const struct stack_view *s, uint64_t va, uint64_t value)
{
    uint8_t *p = at(s, va);

    for (unsigned i = 0; i < WORD_BYTES; i++)
        p[i] = (uint8_t)(value >> (8 * i));
}

/*
 * One vector: a pointer per string at *word, then NULL; the strings
 * themselves from *str upwards.  Both cursors are left past what was
 * written.
 */
static void put_vector(const struct stack_view *s, uint64_t *word, uint64_t *str,
                       const char *const *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;

        put_word(s, *word, *str);
        memcpy(at(s, *str), v[i], len);
        *word += WORD_BYTES;
        *str += len;
    }
    put_word(s, *word, 0);
    *word += WORD_BYTES;
}

static void put_aux(const struct stack_view *s, uint64_t *word, uint64_t type, uint64_t value)
{
    put_word(s, *word, type);
    put_word(s, *word + WORD_BYTES, value);
    *word += (uint64_t)2 * WORD_BYTES;
}

/* The auxiliary vector, in the order initial_stack.h gives. */
static void put_auxv(const struct stack_view *s, uint64_t *word, const struct initial_stack_args *a,
                     uint64_t random_va)
{
    const struct load_plan *plan = a->plan;
    /* Unmapped headers: no count either, so nobody reads address 0. */
    uint64_t phnum = plan->phdr_vaddr != 0 ? plan->phnum : 0;

    put_aux(s, word, LOADER_AT_PHDR, plan->phdr_vaddr);
    put_aux(s, word, LOADER_AT_PHENT, LOADER_PHENT_SIZE);
    put_aux(s, word, LOADER_AT_PHNUM, phnum);
    put_aux(s, word, LOADER_AT_PAGESZ, COFFER_PAGE_SIZE);
    put_aux(s, word, LOADER_AT_ENTRY, plan->entry);
    put_aux(s, word, LOADER_AT_RANDOM, random_va);
    put_aux(s, word, LOADER_AT_COFFER_TIMEBASE, a->timebase_hz);
    put_aux(s, word, LOADER_AT_NULL, 0);
}

/* Write a checked layout: it fits in the buffer and below stack_top. */
static void put_stack(const struct stack_view *s, const struct layout *l,
                      const struct initial_stack_args *a)
{
    uint64_t sp = s->top - l->total;
    uint64_t random_va = s->top - l->strings - LOADER_RANDOM_BYTES;
    uint64_t word = sp, str = s->top - l->strings;

    put_word(s, word, a->argc);
    word += WORD_BYTES;
    put_vector(s, &word, &str, a->argv, a->argc);
    put_vector(s, &word, &str, a->envp, a->envc);
    put_auxv(s, &word, a, random_va);
    memset(at(s, word), 0, (size_t)(random_va - word)); /* the alignment padding */
    memcpy(at(s, random_va), a->random, LOADER_RANDOM_BYTES);
}

int initial_stack_build(uint8_t *buf, size_t buf_size, uint64_t stack_top,
                        const struct initial_stack_args *a, uint64_t *sp)
{
    struct layout l;
    struct stack_view s;

    if (buf == NULL || a == NULL || a->plan == NULL || sp == NULL ||
        stack_top % STACK_ALIGN != 0 || !vectors_ok(a))
        return STACK_ERR_INVAL;
    if (!layout_of(a, &l) || l.total > buf_size || l.total > stack_top)
        return STACK_ERR_TOO_BIG;
    s.buf = buf;
    s.size = buf_size;
    s.top = stack_top;
    put_stack(&s, &l, a);
    *sp = stack_top - l.total;
    return STACK_OK;
}

const char *initial_stack_strerror(int status)
{
    switch (status) {
    case STACK_OK:          return "ok";
    case STACK_ERR_INVAL:   return "invalid argument";
    case STACK_ERR_TOO_BIG: return "initial stack does not fit";
    default:                return "unknown error";
    }
}
