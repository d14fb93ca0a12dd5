#ifndef COFFER_KERNEL_DEBUG_DUMP_H
#define COFFER_KERNEL_DEBUG_DUMP_H

#include "cap/cap.h"
#include "cap/cspace.h"

/* Print the non-empty slots of a CNode (text or Graphviz dot). */
void dump_cnode(const struct cap *cnode, bool dot);
/* Print root and every capability derived from it, with parent edges. */
void dump_derivation(const struct slot *root, bool dot);

#endif
