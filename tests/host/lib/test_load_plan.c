/*
 * The load plan (lib/loader/load_plan.c): a valid image's exact regions,
 * the rights rule, every load error, some of elf_check's passed through,
 * *out left alone on every error, and random mutations of a valid image
 * under ASan and UBSan, each of which must end in OK or a listed code —
 * and on OK in a plan that keeps every promise of load_plan.h.
 *
 *   test_load_plan [seed steps]   the mutations (default: three seeds, 34000 each)
 *
 * Images come from tests/host/image/elf_builder.h, each in a block of
 * exactly its size.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <image/elf.h>
#include <loader/load_plan.h>

#include "image/elf_builder.h"
#include "tap.h"
#include "test_util.h"

#define USER_LIMIT 0x0000004000000000ull /* the Sv39 user half */
#define PAGE COFFER_PAGE_SIZE
#define R COFFER_MAP_R
#define RW (COFFER_MAP_R | COFFER_MAP_W)
#define RX (COFFER_MAP_R | COFFER_MAP_X)
#define PF_R ELF_SPEC_PF_R
#define PF_W ELF_SPEC_PF_W
#define PF_X ELF_SPEC_PF_X

_Static_assert(LOAD_REGIONS_MAX + 1 <= ELF_SPEC_PHDRS_MAX, "the builder must hold one PT_LOAD too many");

/*
 * A typical static executable: text RX from file offset 0 (so it holds
 * the ELF header and the program headers at 64..288), rodata R, data with
 * bss RW, and a PT_GNU_STACK that maps nothing.
 */
static struct elf_spec three_segments(void)
{
    struct elf_spec s = elf_spec_default();

    s.entry = 0x10100;
    s.phnum = 4;
    s.nph = 4;
    s.ph[0] = (struct elf_spec_phdr){ ELF_SPEC_PT_LOAD, PF_R | PF_X, 0, 0x10000, 0x1234, 0x1234, PAGE };
    s.ph[1] = (struct elf_spec_phdr){ ELF_SPEC_PT_LOAD, PF_R, 0x2010, 0x12010, 0x300, 0x300, PAGE };
    s.ph[2] = (struct elf_spec_phdr){ ELF_SPEC_PT_LOAD, PF_R | PF_W, 0x2800, 0x13800, 0x100, 0x2000, PAGE };
    s.ph[3] = (struct elf_spec_phdr){ ELF_SPEC_PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16 };
    return s;
}

/* load_plan_make on an exact-size copy of the image. */
static int plan_of(const struct elf_spec *s, uint64_t limit, struct load_plan *out)
{
    uint8_t *img = elf_spec_alloc(s);
    int status = load_plan_make(img, s->size, limit, out);

    free(img);
    return status;
}

static bool region_is(const struct load_region *r, uint64_t vaddr, uint64_t pages, unsigned rights,
                      uint64_t file_offset, uint64_t copy_at, uint64_t copy_bytes)
{
    return r->vaddr == vaddr && r->pages == pages && r->rights == rights &&
           r->shared == ((rights & COFFER_MAP_W) == 0) && r->file_offset == file_offset &&
           r->copy_at == copy_at && r->copy_bytes == copy_bytes;
}

/* An error: the status, and *out byte for byte as it was. */
static void expect_error(const struct elf_spec *s, uint64_t limit, int want, const char *what)
{
    struct load_plan out, before;
    int status;

    memset(&out, 0xa5, sizeof out);
    memcpy(&before, &out, sizeof before);
    status = plan_of(s, limit, &out);
    if (!tap_okf(status == want && memcmp(&out, &before, sizeof out) == 0, "%s: %s, *out untouched", what,
                 load_strerror(want)))
        tap_diag("got %d (%s), want %d", status, load_strerror(status), want);
}

/* ---- valid images ------------------------------------------------------ */

static void test_valid(void)
{
    struct elf_spec s = three_segments();
    struct load_plan p;

    tap_ok(plan_of(&s, USER_LIMIT, &p) == LOAD_OK && p.nregions == 3, "valid: three PT_LOADs make three regions");
    tap_ok(region_is(&p.regions[0], 0x10000, 2, RX, 0, 0, 0x1234) && p.regions[0].shared,
           "valid: text is 2 pages R|X, shared, its 0x1234 file bytes at the region's start");
    tap_ok(region_is(&p.regions[1], 0x12000, 1, R, 0x2010, 0x10, 0x300) && p.regions[1].shared,
           "valid: rodata is 1 page R, shared, copied 0x10 into its page");
    tap_ok(region_is(&p.regions[2], 0x13000, 3, RW, 0x2800, 0x800, 0x100) && !p.regions[2].shared,
           "valid: data+bss is 3 pages R|W, private, 0x100 bytes at 0x800 and zeros to 0x15800");
    tap_ok(p.top == 0x16000 && p.pages == 6, "valid: top is the page above the bss, 6 pages in all");
    tap_ok(p.entry == 0x10100 && p.phnum == 4, "valid: entry, and phnum counts every program header");
    tap_ok(p.phdr_vaddr == 0x10040, "valid: the headers at file offset 64 are mapped at text + 64 (AT_PHDR)");

    s = elf_spec_default(); /* text from file offset 0x1000: the headers are in no segment */
    tap_ok(plan_of(&s, USER_LIMIT, &p) == LOAD_OK && p.phdr_vaddr == 0 && p.nregions == 2 &&
               region_is(&p.regions[0], 0x10000, 1, RX, 0x1000, 0, 0x100) &&
               region_is(&p.regions[1], 0x20000, 2, RW, 0x2000, 0, 0x80) && p.top == 0x22000 && p.pages == 3,
           "valid: headers outside every segment's file bytes give phdr_vaddr 0");

    s = three_segments();
    s.ph[0].filesz = 64 + 4 * 56; /* exactly up to the table's end; memsz stays */
    tap_ok(plan_of(&s, USER_LIMIT, &p) == LOAD_OK && p.phdr_vaddr == 0x10040 && p.regions[0].copy_bytes == 288 &&
               p.regions[0].pages == 2,
           "phdr: a segment whose file bytes end with the table holds it");
    s.ph[0].filesz = 64 + 4 * 56 - 1;
    tap_ok(plan_of(&s, USER_LIMIT, &p) == LOAD_OK && p.phdr_vaddr == 0,
           "phdr: one byte short of the table's end, it is not mapped (phdr_vaddr 0)");

    s = three_segments();
    s.ph[2].vaddr = USER_LIMIT - 0x2800; /* the bss ends exactly at the limit */
    tap_ok(plan_of(&s, USER_LIMIT, &p) == LOAD_OK && p.top == USER_LIMIT &&
               region_is(&p.regions[2], USER_LIMIT - 0x3000, 3, RW, 0x2800, 0x800, 0x100),
           "valid: a region ending exactly at user_limit; top is the limit");

    s = three_segments();
    s.nph = s.phnum = 5;
    s.ph[4] = (struct elf_spec_phdr){ ELF_SPEC_PT_LOAD, PF_R, 0x2900, 0x30900, 0, 0, 0 };
    tap_ok(plan_of(&s, USER_LIMIT, &p) == LOAD_OK && p.nregions == 3 && p.pages == 6 && p.top == 0x16000,
           "valid: an empty PT_LOAD (memsz 0, in no page) makes no region");

    s = three_segments();
    s.ph[2].filesz = 0;
    s.ph[2].offset = s.size; /* bss only, at the end of the file */
    s.ph[2].align = 0;       /* (so the offset need not match the address) */
    tap_ok(plan_of(&s, USER_LIMIT, &p) == LOAD_OK &&
               region_is(&p.regions[2], 0x13000, 3, RW, s.size, 0x800, 0),
           "valid: a bss-only segment copies nothing");
}

/* Every p_flags combination on the rodata segment. */
static void test_rights(void)
{
    static const struct {
        uint32_t flags;
        int status;
        unsigned rights;
        const char *what;
    } cases[] = {
        { PF_R, LOAD_OK, R, "R alone is R" },
        { PF_X, LOAD_OK, RX, "X alone is R|X" },
        { PF_R | PF_X, LOAD_OK, RX, "R|X is R|X" },
        { PF_W, LOAD_OK, RW, "W alone is R|W" },
        { PF_R | PF_W, LOAD_OK, RW, "R|W is R|W" },
        { PF_W | PF_X, LOAD_ERR_WX, 0, "W|X is refused" },
        { PF_R | PF_W | PF_X, LOAD_ERR_WX, 0, "R|W|X is refused" },
        { 0, LOAD_ERR_NO_ACCESS, 0, "no flags is refused" },
        { 0xf0u | PF_R, LOAD_OK, R, "flags outside R, W, X are ignored" },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct elf_spec s = three_segments();
        struct load_plan p;
        int status;

        s.ph[1].flags = cases[i].flags;
        if (cases[i].status != LOAD_OK) {
            char what[80];

            snprintf(what, sizeof what, "rights: %s", cases[i].what);
            expect_error(&s, USER_LIMIT, cases[i].status, what);
            continue;
        }
        status = plan_of(&s, USER_LIMIT, &p);
        tap_okf(status == LOAD_OK && p.regions[1].rights == cases[i].rights &&
                    p.regions[1].shared == ((cases[i].rights & COFFER_MAP_W) == 0),
                "rights: %s (%s)", cases[i].what, cases[i].rights & COFFER_MAP_W ? "private" : "shared");
    }
}

/* ---- errors -------------------------------------------------------------- */

/* n PT_LOADs of one R page each, the first R|X with the entry. */
static struct elf_spec many_segments(unsigned n)
{
    struct elf_spec s = elf_spec_default();

    s.nph = (int)n;
    s.phnum = (uint16_t)n;
    for (unsigned i = 0; i < n; i++)
        s.ph[i] = (struct elf_spec_phdr){ ELF_SPEC_PT_LOAD, i == 0 ? PF_R | PF_X : PF_R, 0x2000,
                                          0x100000 + i * PAGE, 0x10, 0x10, PAGE };
    s.entry = 0x100000;
    return s;
}

static void test_errors(void)
{
    struct elf_spec s;
    struct load_plan p;

    s = three_segments();
    s.ph[0].flags = PF_R | PF_W | PF_X; /* text linked writable (ld -N) */
    expect_error(&s, USER_LIMIT, LOAD_ERR_WX, "W+X: an RWX text segment");

    s = three_segments();
    s.nph = s.phnum = 5;
    s.ph[4] = (struct elf_spec_phdr){ ELF_SPEC_PT_LOAD, PF_W | PF_X, 0x2900, 0x30900, 0, 0, 0 };
    expect_error(&s, USER_LIMIT, LOAD_ERR_WX, "W+X: even an empty PT_LOAD");

    s = three_segments();
    s.ph[2].flags = 0;
    expect_error(&s, USER_LIMIT, LOAD_ERR_NO_ACCESS, "no access: a data segment without R, W or X");

    s = many_segments(LOAD_REGIONS_MAX);
    tap_ok(plan_of(&s, USER_LIMIT, &p) == LOAD_OK && p.nregions == LOAD_REGIONS_MAX &&
               p.pages == LOAD_REGIONS_MAX && p.top == 0x100000 + LOAD_REGIONS_MAX * PAGE,
           "too many: LOAD_REGIONS_MAX PT_LOADs fit");
    s = many_segments(LOAD_REGIONS_MAX + 1);
    expect_error(&s, USER_LIMIT, LOAD_ERR_TOO_MANY, "too many: LOAD_REGIONS_MAX + 1 PT_LOADs");

    s = many_segments(LOAD_REGIONS_MAX + 1);
    s.ph[LOAD_REGIONS_MAX].memsz = 0;
    s.ph[LOAD_REGIONS_MAX].filesz = 0;
    expect_error(&s, USER_LIMIT, LOAD_ERR_TOO_MANY, "too many: an empty PT_LOAD counts too");

    s = three_segments();
    s.magic0 = 0x7e;
    expect_error(&s, USER_LIMIT, ELF_ERR_BADMAGIC, "elf: bad magic passes through");

    s = three_segments();
    s.ph[1].vaddr = 0x11010; /* in text's second page */
    expect_error(&s, USER_LIMIT, ELF_ERR_OVERLAP, "elf: segments sharing a page pass through");

    s = three_segments();
    s.entry = 0x12020; /* in rodata, not executable */
    expect_error(&s, USER_LIMIT, ELF_ERR_ENTRY, "elf: an entry outside the text passes through");

    s = three_segments();
    s.size = 63;
    expect_error(&s, USER_LIMIT, ELF_ERR_TRUNCATED, "elf: an image shorter than its header passes through");

    s = three_segments();
    s.size = 0x2900 - 1; /* data's file bytes end at 0x2900 */
    expect_error(&s, USER_LIMIT, ELF_ERR_SEGMENT, "elf: an image cut inside a segment passes through");

    s = three_segments();
    expect_error(&s, 0x15000, ELF_ERR_RANGE, "elf: a bss past a lower user_limit passes through");
    expect_error(&s, USER_LIMIT + 8, ELF_ERR_INVAL, "elf: a user_limit not page aligned passes through");
}

static void test_args(void)
{
    struct elf_spec s = three_segments();
    uint8_t *img = elf_spec_alloc(&s);
    struct load_plan p, before;

    memset(&p, 0x5a, sizeof p);
    memcpy(&before, &p, sizeof before);
    tap_ok(load_plan_make(NULL, s.size, USER_LIMIT, &p) == LOAD_ERR_INVAL && memcmp(&p, &before, sizeof p) == 0,
           "args: a NULL image is LOAD_ERR_INVAL, *out untouched");
    tap_ok(load_plan_make(img, s.size, USER_LIMIT, NULL) == LOAD_ERR_INVAL, "args: a NULL out is LOAD_ERR_INVAL");
    tap_ok(load_plan_make(img, s.size, USER_LIMIT, &p) == LOAD_OK, "args: the same image with both is OK");
    free(img);
}

/* load_plan_headers on a copy of the first `readable` bytes only, in a
 * block of exactly that size: ASan catches a read past them. */
static int plan_headers(const struct elf_spec *s, size_t readable, struct load_plan *out)
{
    uint8_t *img = elf_spec_alloc(s), *head = malloc(readable ? readable : 1);
    if (head == NULL)
        exit(2);
    memcpy(head, img, readable < s->size ? readable : s->size);
    int status = load_plan_headers(head, readable, s->size, USER_LIMIT, out);
    free(head);
    free(img);
    return status;
}

static void test_headers(void)
{
    struct elf_spec s = three_segments();
    struct load_plan whole, part;
    uint64_t bytes = 0;
    uint8_t *img = elf_spec_alloc(&s);
    tap_ok(elf_header_bytes(img, s.size, ELF_EM_RISCV, &bytes) == ELF_OK && bytes == 64 + 4 * 56,
           "elf_header_bytes: the ELF header and 4 program headers are 288 bytes");
    tap_ok(elf_header_bytes(img, 63, ELF_EM_RISCV, &bytes) == ELF_ERR_TRUNCATED &&
               elf_header_bytes(NULL, s.size, ELF_EM_RISCV, &bytes) == ELF_ERR_INVAL &&
               elf_header_bytes(img, s.size, ELF_EM_RISCV, NULL) == ELF_ERR_INVAL &&
               elf_header_bytes(img, s.size, 3, &bytes) == ELF_ERR_MACHINE,
           "elf_header_bytes: a short image, NULLs, another machine: elf_check's errors");
    free(img);

    memset(&part, 0xa5, sizeof part);
    tap_ok(plan_of(&s, USER_LIMIT, &whole) == LOAD_OK && plan_headers(&s, 288, &part) == LOAD_OK &&
               memcmp(&whole, &part, sizeof whole) == 0,
           "load_plan_headers: from the 288 header bytes alone, the plan of the whole image");
    struct load_plan before = part;
    tap_ok(plan_headers(&s, 287, &part) == LOAD_ERR_HEADERS && plan_headers(&s, 63, &part) == LOAD_ERR_HEADERS &&
               memcmp(&part, &before, sizeof part) == 0,
           "load_plan_headers: a byte short of the table, or of the ELF header: LOAD_ERR_HEADERS, *out untouched");
    uint8_t *copy = elf_spec_alloc(&s);
    tap_ok(load_plan_headers(copy, s.size + 1, s.size, USER_LIMIT, &part) == LOAD_ERR_INVAL &&
               load_plan_headers(NULL, 0, 0, USER_LIMIT, &part) == LOAD_ERR_INVAL,
           "load_plan_headers: more readable than the image, a NULL image: LOAD_ERR_INVAL");
    free(copy);

    struct elf_spec far = three_segments(), bad = three_segments();
    far.phoff = 0x1000; /* the table past the first page */
    bad.magic0 = 0;
    tap_ok(plan_headers(&far, 4096, &part) == LOAD_ERR_HEADERS && plan_headers(&bad, 288, &part) == ELF_ERR_BADMAGIC,
           "load_plan_headers: a table at 0x1000 from a page's copy: LOAD_ERR_HEADERS; bad magic: the header's "
           "own error first");
}

static void test_strerror(void)
{
    static const int load_codes[] = { LOAD_ERR_INVAL, LOAD_ERR_TOO_MANY, LOAD_ERR_NO_ACCESS, LOAD_ERR_WX,
                                      LOAD_ERR_HEADERS };
    bool ok = true;

    for (size_t i = 0; i < sizeof load_codes / sizeof load_codes[0]; i++) {
        ok &= strcmp(load_strerror(load_codes[i]), "unknown error") != 0;
        for (size_t j = 0; j < i; j++)
            ok &= strcmp(load_strerror(load_codes[i]), load_strerror(load_codes[j])) != 0;
    }
    for (int e = ELF_OK; e >= ELF_ERR_ENTRY; e--)
        ok &= strcmp(load_strerror(e), elf_strerror(e)) == 0;
    ok &= strcmp(load_strerror(-31), "unknown error") == 0 && strcmp(load_strerror(-37), "unknown error") == 0;
    tap_ok(ok, "load_strerror: a text for every load code, elf_strerror's for the ELF ones");
}

/* ---- mutations ----------------------------------------------------------- */

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static bool status_listed(int status)
{
    return (status <= ELF_ERR_INVAL && status >= ELF_ERR_ENTRY) ||
           (status <= LOAD_ERR_INVAL && status >= LOAD_ERR_WX);
}

static bool region_ok(const struct load_region *r, size_t size, uint64_t limit)
{
    return r->vaddr % PAGE == 0 && r->pages >= 1 && r->vaddr < limit && r->pages <= (limit - r->vaddr) / PAGE &&
           (r->rights == R || r->rights == RW || r->rights == RX) &&
           r->shared == ((r->rights & COFFER_MAP_W) == 0) && r->copy_at < PAGE &&
           r->copy_bytes <= r->pages * PAGE - r->copy_at && r->file_offset <= size &&
           r->copy_bytes <= size - r->file_offset;
}

static uint64_t region_end(const struct load_region *r)
{
    return r->vaddr + r->pages * PAGE;
}

/* The program headers are where phdr_vaddr says: inside one region's
 * copied bytes, at the file offset e_phoff. */
static bool phdrs_ok(const struct load_plan *p, const uint8_t *img)
{
    uint64_t phoff = get64(img + 32), table = (uint64_t)p->phnum * 56;

    if (p->phdr_vaddr == 0)
        return true;
    for (unsigned i = 0; i < p->nregions; i++) {
        const struct load_region *r = &p->regions[i];
        uint64_t in;

        if (p->phdr_vaddr < r->vaddr + r->copy_at || p->phdr_vaddr >= region_end(r))
            continue;
        in = p->phdr_vaddr - r->vaddr - r->copy_at;
        return in <= r->copy_bytes && table <= r->copy_bytes - in && r->file_offset + in == phoff;
    }
    return false;
}

/* Everything load_plan.h promises of a plan, checked from the outside. */
static bool plan_ok(const struct load_plan *p, const uint8_t *img, size_t size, uint64_t limit)
{
    uint64_t pages = 0, top = 0;
    bool entry_ok = false;

    if (p->nregions < 1 || p->nregions > LOAD_REGIONS_MAX || p->phnum != (unsigned)(img[56] | img[57] << 8))
        return false;
    for (unsigned i = 0; i < p->nregions; i++) {
        const struct load_region *r = &p->regions[i];

        if (!region_ok(r, size, limit))
            return false;
        for (unsigned j = 0; j < i; j++) {
            if (r->vaddr < region_end(&p->regions[j]) && p->regions[j].vaddr < region_end(r))
                return false;
        }
        pages += r->pages;
        if (region_end(r) > top)
            top = region_end(r);
        if (r->rights == RX && p->entry >= r->vaddr && p->entry < region_end(r))
            entry_ok = true;
    }
    return entry_ok && pages == p->pages && top == p->top && phdrs_ok(p, img);
}

/* Values near the edges of the checks, for this image's layout. */
static uint64_t edge_value(void)
{
    static const uint64_t edges[] = {
        0, 1, 0x40, 0x120, 0xfff, 0x1000, 0x1234, 0x2000, 0x2010, 0x2800, 0x3000, 0x10000, 0x10100,
        0x12010, 0x13800, 0x16000, USER_LIMIT - PAGE, USER_LIMIT, UINT64_MAX - 0xfff, UINT64_MAX,
    };

    if (test_rng_below(4) == 0)
        return test_rng();
    return edges[test_rng_below(sizeof edges / sizeof edges[0])] + test_rng_below(3) - 1;
}

static void mutate(struct elf_spec *s)
{
    for (unsigned k = 1 + (unsigned)test_rng_below(3); k > 0; k--) {
        struct elf_spec_phdr *ph = &s->ph[test_rng_below(4)];

        switch (test_rng_below(8)) {
        case 0: ph->offset = edge_value(); break;
        case 1: ph->vaddr = edge_value(); break;
        case 2: ph->filesz = edge_value(); break;
        case 3: ph->memsz = edge_value(); break;
        case 4: ph->align = test_rng_below(2) ? edge_value() : 1ull << test_rng_below(16); break;
        case 5: ph->type = test_rng_below(2) ? ELF_SPEC_PT_LOAD : (uint32_t)test_rng_below(5); break;
        case 6: ph->flags = (uint32_t)test_rng_below(8); break;
        default: s->entry = edge_value(); break;
        }
    }
    if (test_rng_below(16) == 0)
        s->phnum = (uint16_t)test_rng_below(6);
    if (test_rng_below(16) == 0)
        s->size = (size_t)test_rng_below(s->size + 1);
}

/* load_plan_headers from a copy of a random prefix (in a block of exactly
 * its size) agrees with load_plan_make on the whole: the same status and
 * plan, or LOAD_ERR_HEADERS for a prefix short of the headers. */
static bool headers_agree(const uint8_t *img, size_t size, uint64_t limit, int status, const struct load_plan *p)
{
    size_t readable = (size_t)test_rng_below(size + 1);
    uint8_t *head = malloc(readable ? readable : 1);
    struct load_plan q;
    if (head == NULL)
        exit(2);
    memcpy(head, img, readable);
    int got = load_plan_headers(head, readable, size, limit, &q);
    free(head);
    if (got == LOAD_ERR_HEADERS)
        return readable < size;
    return got == status && (status != LOAD_OK || memcmp(&q, p, sizeof q) == 0);
}

static void test_mutations(uint64_t seed, unsigned steps)
{
    unsigned bad = 0, accepted = 0, load_errors = 0;

    test_rng_seed(seed);
    for (unsigned i = 0; i < steps && bad == 0; i++) {
        struct elf_spec s = three_segments();
        struct load_plan p, before;
        uint64_t limit = test_rng_below(8) == 0 ? 0x16000 : USER_LIMIT;
        uint8_t *img;
        int status;

        mutate(&s);
        img = elf_spec_alloc(&s);
        for (unsigned k = (unsigned)test_rng_below(3); k > 0 && s.size > 0; k--)
            img[test_rng_below(s.size < 288 ? s.size : 288)] = (uint8_t)test_rng();
        memset(&p, 0xc3, sizeof p);
        memcpy(&before, &p, sizeof before);
        status = load_plan_make(img, s.size, limit, &p);
        if (status == LOAD_OK) {
            accepted++;
            if (!plan_ok(&p, img, s.size, limit))
                bad = i + 1;
        } else {
            load_errors += status <= LOAD_ERR_INVAL;
            if (!status_listed(status) || memcmp(&p, &before, sizeof p) != 0)
                bad = i + 1;
        }
        if (bad == 0 && !headers_agree(img, s.size, limit, status, &p))
            bad = i + 1;
        if (bad != 0)
            tap_diag("image %u: status %d (%s)", i, status, load_strerror(status));
        free(img);
    }
    tap_okf(bad == 0 && accepted > 0 && load_errors > 0,
            "mutations (seed %llu, %u images, %u planned, %u load errors): OK with every invariant, "
            "or a listed code with *out untouched; the same from a copy of the headers alone",
            (unsigned long long)seed, steps, accepted, load_errors);
}

int main(int argc, char **argv)
{
    test_valid();
    test_rights();
    test_errors();
    test_args();
    test_headers();
    test_strerror();
    test_seeded_runs(argc, argv, test_mutations, 34000);
    return tap_done();
}
