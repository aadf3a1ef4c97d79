/* profile_default.c - builds client/profiles/default.json into the binary as bl_default_profile,
 * so bidload needs no file beside it and the shipped profile is the one it runs with.
 * BL_DEFAULT_PROFILE_PATH (set by mk/client.mk) is the file's absolute path. */
#include "profile.h"

#ifndef BL_DEFAULT_PROFILE_PATH
#error "BL_DEFAULT_PROFILE_PATH must name client/profiles/default.json"
#endif

__asm__(".section .rodata\n"
        ".global bl_default_profile\n"
        ".type bl_default_profile, @object\n"
        ".balign 16\n"
        "bl_default_profile:\n"
        ".incbin \"" BL_DEFAULT_PROFILE_PATH "\"\n"
        ".byte 0\n"
        ".size bl_default_profile, . - bl_default_profile\n"
        ".previous\n");
