/* cli.h - bidload's command line: flags into a struct bl_config. */
#ifndef BL_CLI_H
#define BL_CLI_H

#include <stddef.h>

#include "bidload.h"

/* What bl_cli_parse found. */
enum { BL_CLI_RUN = 0, BL_CLI_HELP = 1, BL_CLI_BAD = -2 };

/* Fills cfg from argv (argv's strings must outlive cfg). Returns BL_CLI_RUN, BL_CLI_HELP
 * (--help), or BL_CLI_BAD with the reason in err (the caller prints it and exits 2). */
int bl_cli_parse(int argc, char **argv, struct bl_config *cfg, char *err, size_t errlen);

/* The --help text. */
extern const char bl_cli_usage[];

#endif /* BL_CLI_H */
