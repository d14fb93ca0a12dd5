/*
 * lib/bank: what a client of the space bank (proto/bank.def, docs/banks.md)
 * needs besides the generated <proto/bank_client.h>: the rights a bank
 * capability carries and how its badge names the bank.
 */
#ifndef BANK_BANK_H
#define BANK_BANK_H

#include <stdint.h>

/* Rights of a bank capability (RESTRICT keeps a subset). */
#define BANK_RIGHT_BUY 0x01u     /* BUY */
#define BANK_RIGHT_FREE 0x02u    /* FREE */
#define BANK_RIGHT_CREATE 0x04u  /* CREATE sub-banks */
#define BANK_RIGHT_LIMIT 0x08u   /* SET_LIMIT, SET_TYPE_LIMIT */
#define BANK_RIGHT_DESTROY 0x10u /* DESTROY */
#define BANK_RIGHT_REMOVE 0x20u  /* REMOVE */
#define BANK_RIGHTS_ALL 0x3fu

/* A bank capability's badge: the bank's slot in the server's table, the
 * slot's generation (a slot used again never answers to an old badge)
 * and the rights. */
#define BANK_BADGE(index, gen, rights) \
    ((uint64_t)(index) | ((uint64_t)(gen) & 0xffffffffffull) << 16 | (uint64_t)(rights) << 56)
#define BANK_BADGE_INDEX(b) ((unsigned)((b) & 0xffff))
#define BANK_BADGE_GEN(b) (((b) >> 16) & 0xffffffffffull)
#define BANK_BADGE_RIGHTS(b) ((unsigned)((b) >> 56))
/* A bank's identity: its badge without the rights, the same for every
 * capability to it, never another bank's (VERIFY reports it). */
#define BANK_ID(b) ((b) & 0x00ffffffffffffffull)

/* How deep a bank may lie below the prime bank (depth 0): CREATE in a bank
 * this deep is BANK_TOO_DEEP.  It bounds what one request can make on
 * its way up the tree, which the server undoes if the request is refused.
 * Extents nest (each inside a larger one of the parent's, 64 KiB at the
 * least), so a bank at depth d that holds memory needs 2^(16+d) bytes of
 * RAM above it anyway: 8 is as deep as 32 MiB allows. */
#define BANK_DEPTH_MAX 8

/* TREE's objects per type: two 32-bit counts a word (types0..types7),
 * type t's in word t / 2, the low half for even t.  Words holds the
 * BANK_TREE_TYPE_WORDS words in order. */
#define BANK_TREE_TYPE_WORDS 8
#define BANK_TREE_TYPE_COUNT(words, t) ((uint32_t)((words)[(t) / 2] >> (32 * ((t) % 2))))

/* "no limit" for SET_TYPE_LIMIT and TYPE_INFO */
#define BANK_NO_LIMIT (~0ull)

#endif
