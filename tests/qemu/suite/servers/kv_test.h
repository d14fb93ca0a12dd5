/* What the key-value store's QEMU tests share (test_kv_service.c starts
 * the services; test_kv_sessions.c has the session protocol's cases). */
#ifndef COFFER_KV_TEST_H
#define COFFER_KV_TEST_H

#include <coffer.h>
#include <session/client.h>
#include <session/service.h>

#include "bank_service.h"

#define ROOT COFFER_SLOT_CNODE
#define D 64
#define W COFFER_RETYPE_AT_WATERMARK

extern struct bank_service kv_banks;
extern struct session_service kv;

/* My slots, S(i); CLIENT.. and OTHER.. are three each (bank, handed, session). */
enum { CONTAINER, BANK_WORK, RAM, KV_WORK, BANK = 40, NOTE, WEAK, PLAIN_BANK, CLIENT = 44, OTHER = 47,
       MANY = 50 /* KV_SESSIONS + 1 clients of three slots */ };
uint64_t kv_slot(unsigned i);
#define S(i) kv_slot(i)
struct coffer_ipc_buffer *kv_buf(void);

/* What a bank holds (INFO's held), and the bytes of its objects. */
uint64_t held(uint64_t bank);
uint64_t objects(uint64_t bank);
/* A client of the store in my slots first, first + 1, first + 2. */
struct session_client kv_client(unsigned first);
/* The store's sessions open now (its table, read directly). */
unsigned kv_open_sessions(void);

void kv_session_cases(void);
void kv_kill_cases(void);
void dataspace_cases(void); /* tests/qemu/suite/lib/test_dataspace.c */

#endif
