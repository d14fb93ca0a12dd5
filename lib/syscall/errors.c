#include <coffer.h>
#include <stddef.h>

/* Every error code, the kernel's and the protocols' (generated from
 * errors.def and proto/NAME.def). */
static const struct {
    uint64_t number;
    const char *name;
} error_names[] = {
#include <coffer/error_names.inc>
};

const char *coffer_error_name(uint64_t error)
{
    for (size_t i = 0; i < sizeof error_names / sizeof error_names[0]; i++)
        if (error_names[i].number == error)
            return error_names[i].name;
    return "UNKNOWN";
}
