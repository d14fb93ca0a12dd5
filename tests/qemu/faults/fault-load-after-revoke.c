#include "fault.h"
#include "alias_setup.h"
/* Reading through an alias after its original was revoked: the mapping and
 * the TLB entry (the setup read through the alias) must both be gone. */
FAULT_TEST("load through a revoked alias", (void)*alias_setup(true))
