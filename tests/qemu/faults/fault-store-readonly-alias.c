#include "fault.h"
#include "alias_setup.h"
/* Writing through a read-only alias of a frame. */
FAULT_TEST("store through a read-only alias", *alias_setup(false) = 1)
