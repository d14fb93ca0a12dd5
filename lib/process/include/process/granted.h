/*
 * Whether a process's spawner granted it a service (<process/layout.h>,
 * enum process_grant): what the runtime's console and the shell ask of
 * their own CSpace before they use one.
 */
#ifndef PROCESS_GRANTED_H
#define PROCESS_GRANTED_H

#include <process/layout.h>
#include <stdbool.h>

/* An endpoint at PROCESS_SLOT_GRANTED + grant. */
bool process_granted(enum process_grant grant);

#endif
