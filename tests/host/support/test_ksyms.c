/*
 * Host tests for kernel/core/support/ksyms.c (symbol lookup) and the generator
 * tools/gen-ksyms.sh.  Runs from the repository root.
 *
 * The generator test writes a small `nm -n` style listing to a temporary
 * file, runs the script on it, parses the assembly it prints back into a
 * struct ksym_table and looks symbols up in that table: so the generated
 * layout (count, names size, address/offset pairs, names) is checked
 * against what ksym_lookup expects, not just by eye.
 */
#define _POSIX_C_SOURCE 200809L /* popen, mkstemp */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/ksyms.h"
#include "tap.h"

/* ---- ksym_lookup on a hand-built table --------------------------------- */

static const char names[] = "_start\0kernel_main\0panic\0trap_entry";
static const struct ksym syms[] = {
    { 0xffffffff80200000ull, 0 },
    { 0xffffffff80200100ull, 7 },
    { 0xffffffff80200400ull, 19 },
    { 0xffffffff80201000ull, 25 },
};

static void expect_sym(const struct ksym_table *t, uint64_t addr, const char *want_name,
                       uint64_t want_off, const char *name)
{
    uint64_t off = 0xdeadbeef;
    const char *got = ksym_lookup(t, addr, &off);
    int ok = want_name == NULL ? got == NULL
                               : got != NULL && strcmp(got, want_name) == 0 && off == want_off;
    if (!tap_ok(ok, name))
        tap_diag("%#llx: got %s+%#llx, want %s+%#llx", (unsigned long long)addr,
                 got ? got : "NULL", (unsigned long long)off, want_name ? want_name : "NULL",
                 (unsigned long long)want_off);
}

static void test_lookup(void)
{
    const struct ksym_table t = { syms, 4, names, sizeof names };

    expect_sym(&t, 0xffffffff80200000ull, "_start", 0, "lookup: the first symbol's exact address");
    expect_sym(&t, 0xffffffff80200100ull, "kernel_main", 0, "lookup: a middle symbol's exact address");
    expect_sym(&t, 0xffffffff80201000ull, "trap_entry", 0, "lookup: the last symbol's exact address");
    expect_sym(&t, 0xffffffff802000ffull, "_start", 0xff, "lookup: the byte before the next symbol");
    expect_sym(&t, 0xffffffff80200123ull, "kernel_main", 0x23, "lookup: inside a symbol gives the offset");
    expect_sym(&t, 0xffffffff802003ffull, "kernel_main", 0x2ff, "lookup: end of a middle symbol");
    expect_sym(&t, 0xffffffff80200404ull, "panic", 4, "lookup: inside the third symbol");
    expect_sym(&t, 0xffffffff801fffffull, NULL, 0, "lookup: before the first symbol is NULL");
    expect_sym(&t, 0, NULL, 0, "lookup: address 0 is NULL");
    expect_sym(&t, 0xffffffff80300000ull, "trap_entry", 0xff000,
               "lookup: after the last symbol is the last symbol");
    expect_sym(&t, UINT64_MAX, "trap_entry", UINT64_MAX - 0xffffffff80201000ull,
               "lookup: the highest address is the last symbol");

    /* Every address in range against a linear scan. */
    int ok = 1;
    for (uint64_t a = 0xffffffff801ffff0ull; a < 0xffffffff80201010ull && ok; a++) {
        const char *want = NULL;
        uint64_t want_off = 0;
        for (unsigned i = 0; i < 4; i++)
            if (syms[i].addr <= a) {
                want = names + syms[i].name_offset;
                want_off = a - syms[i].addr;
            }
        uint64_t off = 0;
        const char *got = ksym_lookup(&t, a, &off);
        ok = want == NULL ? got == NULL : got == want && off == want_off;
        if (!ok)
            tap_diag("differs at %#llx", (unsigned long long)a);
    }
    tap_ok(ok, "lookup: every address of the table's span agrees with a linear scan");

    const char *got = ksym_lookup(&t, 0xffffffff80200101ull, NULL);
    tap_ok(got != NULL && strcmp(got, "kernel_main") == 0, "lookup: offset pointer may be NULL");

    const struct ksym one[] = { { 0x1000, 0 } };
    const struct ksym_table t1 = { one, 1, "only", 5 };
    expect_sym(&t1, 0x1000, "only", 0, "lookup: one-symbol table, exact");
    expect_sym(&t1, 0x5000, "only", 0x4000, "lookup: one-symbol table, after");
    expect_sym(&t1, 0xfff, NULL, 0, "lookup: one-symbol table, before");

    const struct ksym_table empty = { syms, 0, names, sizeof names };
    expect_sym(&empty, 0xffffffff80200000ull, NULL, 0, "lookup: an empty table gives NULL");
    const struct ksym_table null_syms = { NULL, 0, NULL, 0 };
    expect_sym(&null_syms, 0x1234, NULL, 0, "lookup: an empty table with NULL arrays gives NULL");
    tap_ok(ksym_lookup(NULL, 0xffffffff80200000ull, NULL) == NULL, "lookup: a NULL table gives NULL");

    const struct ksym bad[] = { { 0x1000, 0 }, { 0x2000, 4 }, { 0x3000, 100 } };
    const struct ksym_table tb = { bad, 3, "a\0bcd\0e", 8 };
    expect_sym(&tb, 0x2000, "d", 0, "lookup: a name offset inside the blob");
    expect_sym(&tb, 0x3000, NULL, 0, "lookup: a name offset beyond the blob gives NULL");
    const struct ksym edge[] = { { 0x1000, 8 } };
    const struct ksym_table te = { edge, 1, "a\0bcd\0e", 8 };
    expect_sym(&te, 0x1000, NULL, 0, "lookup: a name offset equal to names_size gives NULL");
    tap_ok(ksyms_kernel() == NULL, "the host build has no kernel table");
}

/* ---- tools/gen-ksyms.sh ------------------------------------------------ */

#define GEN_MAX 64

struct parsed {
    int ok;
    uint64_t count, names_size;
    uint64_t ntable;
    struct ksym table[GEN_MAX];
    char names[4096];
    uint64_t names_len;
    unsigned nnames;
    char *name_list[GEN_MAX];
    int has_section, has_globl;
};

static struct parsed gen;

/* Run the generator on path and parse its output into gen. */
static int run_gen(const char *path)
{
    char cmd[512];
    memset(&gen, 0, sizeof gen);
    snprintf(cmd, sizeof cmd, "sh tools/gen-ksyms.sh %s", path);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return 0;
    char line[512];
    enum { NONE, COUNT, SIZE, TABLE, NAMES } where = NONE;
    int bad = 0;
    while (fgets(line, sizeof line, p) != NULL) {
        unsigned long long a, b;
        char name[256];
        if (strstr(line, ".section .ksyms") != NULL)
            gen.has_section = 1;
        if (strstr(line, ".globl ksyms_count, ksyms_table, ksyms_names, ksyms_names_size"))
            gen.has_globl = 1;
        if (strncmp(line, "ksyms_count:", 12) == 0)
            where = COUNT;
        else if (strncmp(line, "ksyms_names_size:", 17) == 0)
            where = SIZE;
        else if (strncmp(line, "ksyms_table:", 12) == 0)
            where = TABLE;
        else if (strncmp(line, "ksyms_names:", 12) == 0)
            where = NAMES;
        else if (where == COUNT && sscanf(line, " .dword %llu", &a) == 1)
            gen.count = a;
        else if (where == SIZE && sscanf(line, " .dword %llu", &a) == 1)
            gen.names_size = a;
        else if (where == TABLE && sscanf(line, " .dword %llx, %llu", &a, &b) == 2) {
            if (gen.ntable < GEN_MAX)
                gen.table[gen.ntable] = (struct ksym){ a, b };
            gen.ntable++;
        } else if (where == NAMES && sscanf(line, " .asciz \"%255[^\"]\"", name) == 1) {
            size_t n = strlen(name) + 1;
            if (gen.names_len + n > sizeof gen.names || gen.nnames >= GEN_MAX) {
                bad = 1;
                continue;
            }
            memcpy(gen.names + gen.names_len, name, n);
            gen.name_list[gen.nnames++] = gen.names + gen.names_len;
            gen.names_len += n;
        } else if (line[0] != '/' && line[0] != '\n' && strstr(line, ".section") == NULL &&
                   strstr(line, ".balign") == NULL && strstr(line, ".globl") == NULL) {
            tap_diag("unexpected generator line: %s", line);
            bad = 1;
        }
    }
    int status = pclose(p);
    gen.ok = status == 0 && !bad;
    return gen.ok;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return 0;
    fprintf(f, "%s", text);
    return fclose(f) == 0;
}

static int gen_has(const char *name)
{
    for (unsigned i = 0; i < gen.nnames; i++)
        if (strcmp(gen.name_list[i], name) == 0)
            return 1;
    return 0;
}

static void test_generator(void)
{
    static const char nm_input[] =
        "0000000080200000 A _start_phys\n"
        "ffffffff80200000 T _start\n"
        "ffffffff80200000 T _text_start\n"
        "ffffffff80200000 T _kernel_start\n"
        "ffffffff80200010 t .L_relax_start\n"
        "ffffffff80200014 t $x\n"
        "ffffffff80200020 t boot_helper\n"
        "ffffffff80200100 T kernel_main\n"
        "ffffffff80200180 W weak_default\n"
        "ffffffff80200200 w weak_local\n"
        "ffffffff80200300 T panic\n"
        "ffffffff80201000 T _text_end\n"
        "ffffffff80201000 R _rodata_start\n"
        "ffffffff80201008 r message\n"
        "ffffffff80202000 D _data_start\n"
        "ffffffff80202008 d counter\n"
        "ffffffff80203000 B _bss_start\n"
        "ffffffff80203008 b stack\n"
        "ffffffff80204000 B _kernel_end\n"
        "                 U undefined_thing\n"
        "                 w weak_undefined\n"
        "ffffffff80205000 T _ksyms_start\n";
    static const char *const want[] = { "_start",     "boot_helper", "kernel_main",
                                        "weak_default", "weak_local", "panic" };
    static const uint64_t want_addr[] = { 0xffffffff80200000ull, 0xffffffff80200020ull,
                                          0xffffffff80200100ull, 0xffffffff80200180ull,
                                          0xffffffff80200200ull, 0xffffffff80200300ull };
    char path[] = "/tmp/coffer-ksyms-XXXXXX";
    int fd = mkstemp(path);
    if (!tap_ok(fd >= 0, "generator: create a temporary nm listing"))
        return;
    close(fd);
    if (!tap_ok(write_file(path, nm_input), "generator: write the nm listing"))
        return;

    /* As the Makefile runs it: nm output on standard input ("-"). */
    char stdin_arg[64];
    snprintf(stdin_arg, sizeof stdin_arg, "- < %s", path);
    tap_ok(run_gen(stdin_arg) && gen.count == 6 && gen.nnames == 6 &&
               strcmp(gen.name_list[0], "_start") == 0,
           "generator: reads the listing from standard input with \"-\"");
    tap_ok(run_gen(path), "generator: runs and prints only the expected kinds of lines");
    remove(path);
    tap_ok(gen.has_section && gen.has_globl,
           "generator: output is in .ksyms and exports the four table symbols");
    tap_ok(gen.count == 6 && gen.ntable == 6 && gen.nnames == 6,
           "generator: exactly the 6 text symbols (t/T/w/W) are listed");
    int ok = gen.nnames == 6;
    for (unsigned i = 0; ok && i < 6; i++)
        ok = strcmp(gen.name_list[i], want[i]) == 0 && gen.table[i].addr == want_addr[i];
    tap_ok(ok, "generator: names and addresses in address order");
    tap_ok(!gen_has("message") && !gen_has("counter") && !gen_has("stack") &&
               !gen_has("_start_phys") && !gen_has("undefined_thing") &&
               !gen_has("weak_undefined"),
           "generator: data, rodata, bss, absolute and undefined symbols are skipped");
    tap_ok(!gen_has(".L_relax_start") && !gen_has("$x"), "generator: .L and $ symbols are skipped");
    tap_ok(!gen_has("_text_start") && !gen_has("_text_end") && !gen_has("_kernel_start") &&
               !gen_has("_ksyms_start"),
           "generator: linker section symbols (_text_start, _kernel_end, ...) are skipped");

    ok = gen.names_size == gen.names_len;
    uint64_t off = 0;
    for (unsigned i = 0; ok && i < gen.nnames && i < gen.ntable; i++) {
        ok = gen.table[i].name_offset == off;
        off += strlen(gen.name_list[i]) + 1;
    }
    tap_ok(ok && gen.names_size == 7 + 12 + 12 + 13 + 11 + 6,
           "generator: names_size and every name_offset match the names blob");
    ok = 1;
    for (unsigned i = 1; i < gen.ntable && i < GEN_MAX; i++)
        ok &= gen.table[i - 1].addr <= gen.table[i].addr;
    tap_ok(ok, "generator: table addresses are non-decreasing (ksym_lookup needs sorted input)");

    /* The generated table works with ksym_lookup. */
    const struct ksym_table t = { gen.table, gen.ntable, gen.names, gen.names_size };
    expect_sym(&t, 0xffffffff80200104ull, "kernel_main", 4, "generator: lookup in the generated table");
    expect_sym(&t, 0xffffffff80200024ull, "boot_helper", 4,
               "generator: an address after a skipped symbol resolves to the text symbol before it");
    expect_sym(&t, 0xffffffff80200400ull, "panic", 0x100, "generator: the last symbol covers the rest");

    /* /dev/null gives an empty table, which ksym_lookup treats as such. */
    tap_ok(run_gen("/dev/null") && gen.count == 0 && gen.ntable == 0 && gen.nnames == 0 &&
               gen.names_size == 0 && gen.has_section && gen.has_globl,
           "generator: /dev/null gives an empty table (count 0, names size 0)");
    const struct ksym_table te = { gen.table, gen.count, gen.names, gen.names_size };
    expect_sym(&te, 0xffffffff80200000ull, NULL, 0, "generator: the empty table resolves nothing");
}

int main(void)
{
    test_lookup();
    test_generator();
    return tap_done();
}
