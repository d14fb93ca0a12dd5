/* The parser's pieces (bootconf.c: lines and keys; bootconf_words.c: words). */
#ifndef BOOTCONF_INTERNAL_H
#define BOOTCONF_INTERNAL_H

#include <bootconf/bootconf.h>
#include <stdbool.h>

/* What is left of one line, and where the line began (for columns). */
struct cursor {
    const char *p, *end, *line_start;
};

void cursor_skip_blanks(struct cursor *c);
/* Nothing left but blanks and a comment? */
bool cursor_at_end(struct cursor *c);
unsigned cursor_column(const struct cursor *c);

/* The next word, unquoted, into out (cap bytes, no NUL added).  Errors:
 * VALUE (none left), QUOTE, TEXT_FULL (longer than cap). */
enum bootconf_status cursor_word(struct cursor *c, char *out, size_t cap, size_t *len);

/* The next word as a name (bootconf_name_ok), NUL-terminated in out.
 * Errors: NAME (too long, another character), and cursor_word's. */
enum bootconf_status cursor_name(struct cursor *c, char out[BOOTCONF_NAME_MAX + 1]);

enum number_kind { NUMBER_PLAIN, NUMBER_BYTES, NUMBER_MICROSECONDS };

/* The rest of the line as one number of the kind: digits and a unit
 * (attached or the next word; bytes take none, B, K, KiB, M, MiB, G, GiB;
 * time needs us, ms or s).  *column: the offending word's on an error. */
enum bootconf_status cursor_number(struct cursor *c, enum number_kind kind, uint64_t *out, unsigned *column);

bool bootconf_name_ok(const char *s, size_t len);

#endif
