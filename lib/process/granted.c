#include <coffer.h>
#include <process/granted.h>

bool process_granted(enum process_grant grant)
{
    struct coffer_result r = coffer_cnode_identify(PROCESS_SLOT_CNODE, PROCESS_SLOT_GRANTED + grant, 64);
    return r.error == COFFER_ERR_OK && COFFER_ID_TYPE(r.detail0) == COFFER_OBJ_ENDPOINT;
}
