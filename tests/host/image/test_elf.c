/*
 * Host tests for lib/image/elf.c.
 *
 *   test_elf [RISCV_ELF]
 *
 * Images are built in memory by the builder in elf_builder.h, which writes
 * the ELF64 fields byte by byte (independently of elf.c's structs).  With an
 * argument, a real RISC-V executable from the cross compiler is checked
 * too; without one that test is skipped.
 *
 * Images handed to the parser are malloc'd with exactly the image size
 * (and at an address that is 4 but not 8 byte aligned for the main case),
 * so ASan catches overreads and UBSan catches misaligned loads.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <image/elf.h>
#include "image/elf_builder.h"
#include "tap.h"
#include "test_util.h"

#define USER_LIMIT 0x0000004000000000ull
#define PAGE 0x1000ull
#define IMG_SIZE ELF_SPEC_DEFAULT_SIZE

#define PT_LOAD ELF_SPEC_PT_LOAD
#define PT_DYNAMIC ELF_SPEC_PT_DYNAMIC
#define PT_INTERP ELF_SPEC_PT_INTERP
#define PT_NOTE ELF_SPEC_PT_NOTE
#define PT_GNU_STACK ELF_SPEC_PT_GNU_STACK

/* elf_check on an exact-size heap copy of the image. */
static int check_spec(const struct elf_spec *s, struct elf_info *info)
{
    uint8_t *buf = malloc(s->size ? s->size : 1);
    struct elf_info tmp;
    int err;

    if (buf == NULL)
        exit(2);
    elf_spec_build(buf, s);
    err = elf_check(buf, s->size, ELF_EM_RISCV, USER_LIMIT, info ? info : &tmp);
    free(buf);
    return err;
}

static void expect(const struct elf_spec *s, int want, const char *name)
{
    int err = check_spec(s, NULL);

    if (!tap_ok(err == want, name))
        tap_diag("got %d (%s), want %d (%s)", err, elf_strerror(err), want,
                 elf_strerror(want));
}

/* ---- valid images --------------------------------------------------------- */

static void test_valid(void)
{
    struct elf_spec s = elf_spec_default();
    /* 4-byte but not 8-byte aligned, as inside the cpio archive. */
    uint8_t *raw = malloc(s.size + 4);
    uint8_t *img;
    struct elf_info info;
    struct elf_segment seg;
    int err;

    if (raw == NULL)
        exit(2);
    /* malloc returns 16-byte aligned memory, so img is 4 mod 8. */
    img = raw + 4;
    elf_spec_build(img, &s);
    err = elf_check(img, s.size, ELF_EM_RISCV, USER_LIMIT, &info);
    tap_ok(err == 0, "valid: two PT_LOAD segments accepted");
    tap_ok(info.entry == 0x10040 && info.nload == 2 && info.phnum == 2,
           "valid: entry and segment count");

    err = elf_load_segment(img, s.size, &info, 0, &seg);
    tap_ok(err == 0 && seg.vaddr == 0x10000 && seg.memsz == 0x100 &&
               seg.filesz == 0x100 && seg.offset == 0x1000 &&
               seg.align == 0x1000 && seg.flags == (ELF_PF_R | ELF_PF_X),
           "valid: text segment RX");
    err = elf_load_segment(img, s.size, &info, 1, &seg);
    tap_ok(err == 0 && seg.vaddr == 0x20000 && seg.memsz == 0x2000 &&
               seg.filesz == 0x80 && seg.offset == 0x2000 &&
               seg.flags == (ELF_PF_R | ELF_PF_W),
           "valid: data segment RW with bss (memsz > filesz)");
    tap_ok(elf_load_segment(img, s.size, &info, 2, &seg) == ELF_ERR_INVAL,
           "valid: segment index past nload is INVAL");
    free(raw);
}

static void test_valid_variants(void)
{
    struct elf_spec s = elf_spec_default();
    struct elf_info info;
    struct elf_segment seg;
    uint8_t *buf;

    /* Non-load headers are skipped; indices count PT_LOAD only. */
    s.nph = s.phnum = 4;
    s.ph[2] = s.ph[1];
    s.ph[1] = (struct elf_spec_phdr){ PT_NOTE, 4, 0x1000, 0, 0x10, 0, 4 };
    s.ph[3] = (struct elf_spec_phdr){ PT_GNU_STACK, 6, 0, 0, 0, 0, 16 };
    buf = malloc(s.size);
    if (buf == NULL)
        exit(2);
    elf_spec_build(buf, &s);
    tap_ok(elf_check(buf, s.size, ELF_EM_RISCV, USER_LIMIT, &info) == 0 && info.nload == 2 &&
               info.phnum == 4 &&
               elf_load_segment(buf, s.size, &info, 1, &seg) == 0 &&
               seg.vaddr == 0x20000,
           "valid: PT_NOTE and PT_GNU_STACK ignored, PT_LOAD indexing");
    free(buf);

    s = elf_spec_default();
    s.ph[0].flags = 7;
    s.nph = s.phnum = 1;
    tap_ok(check_spec(&s, &info) == 0, "valid: RWX segment accepted (caller decides)");

    s = elf_spec_default();
    s.ph[0].memsz = 0x1000; /* ends exactly at a page boundary */
    s.ph[1].vaddr = 0x11000;
    s.ph[1].offset = 0x2000;
    expect(&s, 0, "valid: segments in adjacent pages");

    s = elf_spec_default();
    s.ph[1].vaddr = USER_LIMIT - 0x2000; /* ends exactly at the limit */
    expect(&s, 0, "valid: segment ending exactly at the user limit");

    s = elf_spec_default();
    s.ph[0].align = 0;
    s.ph[1].align = 1;
    s.ph[1].vaddr = 0x20123; /* no congruence needed without alignment */
    expect(&s, 0, "valid: align 0 and 1 mean no alignment");

    s = elf_spec_default();
    s.nph = s.phnum = 3;
    s.ph[2] = (struct elf_spec_phdr){ PT_LOAD, 6, 0x2080, 0x10080, 0, 0, 0 };
    expect(&s, 0, "valid: empty PT_LOAD (memsz 0) overlaps nothing");

    s = elf_spec_default();
    s.ph[1].filesz = 0;
    s.ph[1].offset = IMG_SIZE; /* bss-only segment at end of file */
    expect(&s, 0, "valid: bss-only segment with offset == file size");
}

/* ---- one test per error -------------------------------------------------- */

static void test_header_errors(void)
{
    struct elf_spec s;

    s = elf_spec_default();
    s.magic0 = 0x7e;
    expect(&s, ELF_ERR_BADMAGIC, "error: bad magic");

    s = elf_spec_default();
    s.class = 1;
    expect(&s, ELF_ERR_CLASS, "error: 32-bit class");

    s = elf_spec_default();
    s.data = 2;
    expect(&s, ELF_ERR_DATA, "error: big-endian");

    s = elf_spec_default();
    s.ident_version = 0;
    expect(&s, ELF_ERR_VERSION, "error: EI_VERSION 0");

    s = elf_spec_default();
    s.version = 2;
    expect(&s, ELF_ERR_VERSION, "error: e_version 2");

    s = elf_spec_default();
    s.machine = 62;
    expect(&s, ELF_ERR_MACHINE, "error: x86-64 machine");
    {
        /* The machine is the caller's: the same images, another expectation. */
        uint8_t *buf = malloc(s.size);
        struct elf_info info;
        if (buf == NULL)
            exit(2);
        elf_spec_build(buf, &s);
        tap_ok(elf_check(buf, s.size, 62, USER_LIMIT, &info) == ELF_OK,
               "machine: an x86-64 image is accepted where x86-64 (62) is expected");
        s = elf_spec_default();
        elf_spec_build(buf, &s);
        tap_ok(elf_check(buf, s.size, 62, USER_LIMIT, &info) == ELF_ERR_MACHINE,
               "machine: a RISC-V image is refused where x86-64 is expected");
        free(buf);
    }

    s = elf_spec_default();
    s.type = 3;
    expect(&s, ELF_ERR_TYPE, "error: ET_DYN");

    s = elf_spec_default();
    s.type = 1;
    expect(&s, ELF_ERR_TYPE, "error: ET_REL");

    s = elf_spec_default();
    s.size = 63;
    expect(&s, ELF_ERR_TRUNCATED, "error: image shorter than the ELF header");

    s = elf_spec_default();
    s.size = 0;
    expect(&s, ELF_ERR_TRUNCATED, "error: empty image");
}

static void test_phdr_errors(void)
{
    struct elf_spec s;

    s = elf_spec_default();
    s.phoff = IMG_SIZE + 8;
    expect(&s, ELF_ERR_PHDR, "error: phoff beyond the image");

    s = elf_spec_default();
    s.phoff = UINT64_MAX - 8;
    expect(&s, ELF_ERR_PHDR, "error: phoff near 2^64 (no wrap)");

    s = elf_spec_default();
    s.phoff = IMG_SIZE - 2 * 56 + 1;
    expect(&s, ELF_ERR_PHDR, "error: table ends one byte past the image");

    s = elf_spec_default();
    s.phnum = 0xffff;
    expect(&s, ELF_ERR_PHDR, "error: phnum 0xffff (phnum * phentsize out of range)");

    s = elf_spec_default();
    s.phnum = ELF_MAX_PHNUM + 1;
    s.size = 64 + 56 * (ELF_MAX_PHNUM + 1); /* table fits, count too big */
    expect(&s, ELF_ERR_PHDR, "error: phnum above ELF_MAX_PHNUM");

    s = elf_spec_default();
    s.phnum = 0;
    expect(&s, ELF_ERR_PHDR, "error: phnum 0");

    s = elf_spec_default();
    s.phentsize = 64;
    expect(&s, ELF_ERR_PHDR, "error: phentsize 64");

    s = elf_spec_default();
    s.phentsize = 32; /* ELF32 size */
    expect(&s, ELF_ERR_PHDR, "error: phentsize 32");

    s = elf_spec_default();
    s.ph[0].type = PT_NOTE;
    s.ph[1].type = PT_NOTE;
    expect(&s, ELF_ERR_NOLOAD, "error: no PT_LOAD");

    s = elf_spec_default();
    s.nph = s.phnum = 3;
    s.ph[2] = (struct elf_spec_phdr){ PT_INTERP, 4, 0x1000, 0, 0x10, 0x10, 1 };
    expect(&s, ELF_ERR_DYNAMIC, "error: PT_INTERP");

    s = elf_spec_default();
    s.nph = s.phnum = 3;
    s.ph[2] = (struct elf_spec_phdr){ PT_DYNAMIC, 6, 0x2000, 0x20000, 0x10, 0x10, 8 };
    expect(&s, ELF_ERR_DYNAMIC, "error: PT_DYNAMIC");
}

static void test_segment_errors(void)
{
    struct elf_spec s;

    s = elf_spec_default();
    s.ph[0].filesz = 0x101;
    expect(&s, ELF_ERR_SEGMENT, "error: filesz > memsz");

    s = elf_spec_default();
    s.ph[1].filesz = IMG_SIZE - 0x2000 + 1;
    s.ph[1].memsz = 0x2000;
    expect(&s, ELF_ERR_SEGMENT, "error: file range one byte past the end");

    s = elf_spec_default();
    s.ph[1].offset = UINT64_MAX & ~(PAGE - 1);
    s.ph[1].vaddr = 0x20000;
    s.ph[1].filesz = 0x2000;
    expect(&s, ELF_ERR_SEGMENT, "error: offset + filesz wraps");

    s = elf_spec_default();
    s.ph[1].align = 0x1800;
    expect(&s, ELF_ERR_SEGMENT, "error: align not a power of two");

    s = elf_spec_default();
    s.ph[1].vaddr = 0x20010;
    expect(&s, ELF_ERR_SEGMENT, "error: vaddr != offset mod align");

    s = elf_spec_default();
    s.ph[1].vaddr = UINT64_MAX & ~(PAGE - 1);
    expect(&s, ELF_ERR_RANGE, "error: vaddr + memsz overflows");

    s = elf_spec_default();
    s.ph[1].vaddr = USER_LIMIT - 0x1000;
    expect(&s, ELF_ERR_RANGE, "error: segment crosses the user limit");

    s = elf_spec_default();
    s.ph[1].vaddr = USER_LIMIT;
    s.ph[1].memsz = 0x80;
    expect(&s, ELF_ERR_RANGE, "error: segment starts at the user limit");

    s = elf_spec_default();
    s.ph[0].memsz = 0x1001; /* text spills one byte into page 0x11000 */
    s.ph[1].vaddr = 0x11000;
    expect(&s, ELF_ERR_OVERLAP, "error: segments share a page");

    s = elf_spec_default();
    s.ph[1].vaddr = 0x10000; /* same page, data listed second */
    expect(&s, ELF_ERR_OVERLAP, "error: segments at the same address");

    s = elf_spec_default();
    s.ph[0].vaddr = 0x21000; /* text inside data's bss, listed first */
    s.entry = 0x21040;
    expect(&s, ELF_ERR_OVERLAP, "error: segment inside another's bss");

    s = elf_spec_default();
    s.entry = 0x20000;
    expect(&s, ELF_ERR_ENTRY, "error: entry in a non-executable segment");

    s = elf_spec_default();
    s.entry = 0x10100;
    expect(&s, ELF_ERR_ENTRY, "error: entry just past the text segment");
}

static void test_args(void)
{
    struct elf_spec s = elf_spec_default();
    uint8_t *buf = malloc(s.size);
    struct elf_info info;
    struct elf_segment seg;
    int ok = 1;

    if (buf == NULL)
        exit(2);
    elf_spec_build(buf, &s);
    tap_ok(elf_check(NULL, s.size, ELF_EM_RISCV, USER_LIMIT, &info) == ELF_ERR_INVAL &&
               elf_check(buf, s.size, ELF_EM_RISCV, USER_LIMIT, NULL) == ELF_ERR_INVAL,
           "args: NULL image or info is INVAL");
    tap_ok(elf_check(buf, s.size, ELF_EM_RISCV, USER_LIMIT + 1, &info) == ELF_ERR_INVAL,
           "args: unaligned user limit is INVAL");
    tap_ok(elf_check(buf, s.size, ELF_EM_RISCV, 0x20000, &info) == ELF_ERR_RANGE,
           "args: a lower user limit is honoured");

    elf_check(buf, s.size, ELF_EM_RISCV, USER_LIMIT, &info);
    info.phoff = s.size;
    tap_ok(elf_load_segment(buf, s.size, &info, 0, &seg) == ELF_ERR_PHDR,
           "args: forged info with table outside image is rejected");
    elf_check(buf, s.size, ELF_EM_RISCV, USER_LIMIT, &info);
    info.user_limit = 0x1000;
    tap_ok(elf_load_segment(buf, s.size, &info, 0, &seg) == ELF_ERR_RANGE,
           "args: elf_load_segment re-validates the segment");

    for (int e = ELF_OK; e >= ELF_ERR_ENTRY; e--)
        ok &= strcmp(elf_strerror(e), "unknown error") != 0;
    ok &= strcmp(elf_strerror(-99), "unknown error") == 0;
    tap_ok(ok, "elf_strerror covers every code");
    free(buf);
}

/* ---- fuzzing ------------------------------------------------------------- */


static uint64_t page_lo(uint64_t a)
{
    return a & ~(PAGE - 1);
}

static uint64_t page_hi(uint64_t a)
{
    return (a + PAGE - 1) & ~(PAGE - 1);
}

/*
 * Everything elf_check promises, checked independently: each segment's
 * file range is in the image and memory range below the limit, no two
 * non-empty segments share a page, the entry is in an X segment.
 */
static int invariants_hold(const uint8_t *img, size_t size,
                           const struct elf_info *info)
{
    struct elf_segment seg[ELF_MAX_PHNUM];
    int entry_ok = 0;

    if (info->nload == 0 || info->nload > ELF_MAX_PHNUM)
        return 0;
    for (unsigned i = 0; i < info->nload; i++) {
        struct elf_segment *g = &seg[i];
        if (elf_load_segment(img, size, info, i, g) != 0)
            return 0;
        if (g->filesz > g->memsz || g->offset > size ||
            g->filesz > size - g->offset || g->vaddr >= USER_LIMIT ||
            g->memsz > USER_LIMIT - g->vaddr)
            return 0;
        if ((g->flags & ELF_PF_X) && info->entry >= g->vaddr &&
            info->entry < g->vaddr + g->memsz)
            entry_ok = 1;
        for (unsigned j = 0; j < i && g->memsz != 0; j++) {
            if (seg[j].memsz != 0 &&
                page_lo(g->vaddr) < page_hi(seg[j].vaddr + seg[j].memsz) &&
                page_lo(seg[j].vaddr) < page_hi(g->vaddr + g->memsz))
                return 0;
        }
    }
    return entry_ok;
}

/* Values near the edges of every range check. */
static uint64_t edge_value(void)
{
    static const uint64_t edges[] = {
        0, 1, 0x40, 0xfff, 0x1000, 0x1001, 0x2000, IMG_SIZE - 1, IMG_SIZE,
        IMG_SIZE + 1, USER_LIMIT - 0x1000, USER_LIMIT - 1, USER_LIMIT,
        0x7fffffffffffffffull, UINT64_MAX - 0xfff, UINT64_MAX,
    };

    if (test_rng() % 3 == 0)
        return test_rng();
    return edges[test_rng() % (sizeof(edges) / sizeof(edges[0]))] +
           (test_rng() % 2 ? 0 : (test_rng() % 3) - 1);
}

static void test_fuzz_truncation(void)
{
    struct elf_spec s = elf_spec_default();
    uint8_t *full = malloc(s.size);
    int ok = 1;

    if (full == NULL)
        exit(2);
    elf_spec_build(full, &s);
    for (size_t len = 0; len <= s.size; len++) {
        uint8_t *t = malloc(len ? len : 1);
        struct elf_info info;
        int err;

        if (t == NULL)
            exit(2);
        memcpy(t, full, len);
        err = elf_check(t, len, ELF_EM_RISCV, USER_LIMIT, &info);
        /* The data segment's file bytes end at 0x2080. */
        if (len < 0x2080)
            ok &= err < 0;
        else
            ok &= err == 0 && invariants_hold(t, len, &info);
        free(t);
    }
    tap_ok(ok, "fuzz: every truncation length rejected until complete, no crash");
    free(full);
}

static void test_fuzz_mutation(void)
{
    struct elf_spec base = elf_spec_default();
    int ok = 1, accepted = 0, rejected = 0;

    base.nph = base.phnum = 3;
    base.ph[2] = (struct elf_spec_phdr){ PT_LOAD, 4, 0x2800, 0x30800, 0x100, 0x100, 0x800 };
    for (int iter = 0; iter < 20000 && ok; iter++) {
        struct elf_spec s = base;
        uint8_t *buf;
        struct elf_info info;
        int err;

        /* Mutate program header fields with edge values. */
        for (int k = (int)(test_rng() % 3); k >= 0; k--) {
            struct elf_spec_phdr *p = &s.ph[test_rng() % 3];
            switch (test_rng() % 7) {
            case 0: p->offset = edge_value(); break;
            case 1: p->vaddr = edge_value(); break;
            case 2: p->filesz = edge_value(); break;
            case 3: p->memsz = edge_value(); break;
            case 4: p->align = edge_value(); break;
            case 5: p->type = (uint32_t)(test_rng() % 5); break;
            default: s.entry = edge_value(); break;
            }
        }
        if (test_rng() % 8 == 0)
            s.phoff = edge_value();
        if (test_rng() % 8 == 0)
            s.phnum = (uint16_t)(test_rng() % 8 ? test_rng() % 5 : test_rng());
        buf = malloc(s.size);
        if (buf == NULL)
            exit(2);
        elf_spec_build(buf, &s);
        /* And flip a few raw bytes, mostly in the headers. */
        for (int k = (int)(test_rng() % 4); k > 0; k--)
            buf[test_rng() % (test_rng() % 2 ? 64 + 3 * 56 : s.size)] = (uint8_t)test_rng();
        err = elf_check(buf, s.size, ELF_EM_RISCV, USER_LIMIT, &info);
        if (err == 0) {
            accepted++;
            ok &= invariants_hold(buf, s.size, &info);
        } else {
            rejected++;
            ok &= err < 0 && err >= ELF_ERR_ENTRY;
        }
        if (!ok)
            tap_diag("mutation iteration %d failed (err %d)", iter, err);
        free(buf);
    }
    tap_diag("mutations: %d accepted, %d rejected", accepted, rejected);
    tap_ok(ok && accepted > 0 && rejected > 0,
           "fuzz: 20000 mutated images, accepted ones satisfy every invariant");
}

/* ---- a real executable from the cross compiler --------------------------- */

static void test_real(int argc, char **argv)
{
    FILE *fp;
    uint8_t *buf;
    long len = 0;
    struct elf_info info;
    struct elf_segment seg;
    int err, ok = 1;

    if (argc < 2) {
        printf("ok %d - real RISC-V executable # SKIP no path given\n",
               ++tap_count);
        return;
    }
    fp = fopen(argv[1], "rb");
    if (!tap_ok(fp != NULL && fseek(fp, 0, SEEK_END) == 0 &&
                    (len = ftell(fp)) > 0 && fseek(fp, 0, SEEK_SET) == 0,
                "real: file readable")) {
        if (fp != NULL)
            fclose(fp);
        return;
    }
    buf = malloc((size_t)len);
    if (buf == NULL || fread(buf, 1, (size_t)len, fp) != (size_t)len)
        exit(2);
    fclose(fp);

    err = elf_check(buf, (size_t)len, ELF_EM_RISCV, USER_LIMIT, &info);
    if (!tap_ok(err == 0, "real: accepted by elf_check"))
        tap_diag("%s: %s", argv[1], elf_strerror(err));
    tap_ok(err == 0 && invariants_hold(buf, (size_t)len, &info),
           "real: segments satisfy the invariants");
    for (unsigned i = 0; err == 0 && i < info.nload; i++) {
        ok &= elf_load_segment(buf, (size_t)len, &info, i, &seg) == 0;
        tap_diag("PT_LOAD vaddr %#llx memsz %#llx filesz %#llx off %#llx %c%c%c",
                 (unsigned long long)seg.vaddr, (unsigned long long)seg.memsz,
                 (unsigned long long)seg.filesz, (unsigned long long)seg.offset,
                 seg.flags & ELF_PF_R ? 'R' : '-',
                 seg.flags & ELF_PF_W ? 'W' : '-',
                 seg.flags & ELF_PF_X ? 'X' : '-');
    }
    tap_ok(ok, "real: every segment loads");
    free(buf);
}

int main(int argc, char **argv)
{
    test_valid();
    test_valid_variants();
    test_header_errors();
    test_phdr_errors();
    test_segment_errors();
    test_args();
    test_fuzz_truncation();
    test_fuzz_mutation();
    test_real(argc, argv);
    return tap_done();
}
