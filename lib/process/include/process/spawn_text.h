/*
 * SPAWN's text (proto/proc.def), as a spawner writes it: NUL-terminated
 * words one after the other -- the image's name, argv[0], the arguments,
 * the environment -- in PROCESS_SPAWN_TEXT_BYTES.
 */
#ifndef PROCESS_SPAWN_TEXT_H
#define PROCESS_SPAWN_TEXT_H

#include <stddef.h>

#define PROCESS_SPAWN_TEXT_BYTES 384

/* The n words into out, each with its NUL; the bytes used, or 0 (out
 * untouched past what fitted) if they need more than
 * PROCESS_SPAWN_TEXT_BYTES. */
size_t process_spawn_text(char out[PROCESS_SPAWN_TEXT_BYTES], const char *const *words, unsigned n);

#endif
