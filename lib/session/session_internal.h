/* What the session library's files share (session.c, door.c, worker.c). */
#ifndef SESSION_SESSION_INTERNAL_H
#define SESSION_SESSION_INTERNAL_H

#include <session/server.h>

/* Whether session c's CNode and worker are still there (its bank not
 * destroyed, nothing of it freed behind the server's back). */
bool session_alive(const struct session_server *s, const struct session *c);
/* Stop its worker, let the server forget it, free what was bought for
 * it (errors ignored: the bank may be gone), empty its root slot; its
 * badges are stale from then on. */
void session_give_back(struct session_server *s, struct session *c);
/* Every open session found gone given back. */
void session_forget_gone(struct session_server *s);
/* Requests its worker has answered (0 if its frame is gone). */
uint64_t session_served(const struct session *c);

#endif
