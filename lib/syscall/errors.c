#include <coffer.h>

const char *coffer_error_name(uint64_t error)
{
    switch (error) {
#define ERROR(name, num, d0, d1, desc) \
    case (num):                        \
        return #name;
#include <coffer/errors.def>
#undef ERROR
    default:
        return "UNKNOWN";
    }
}
