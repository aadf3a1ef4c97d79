/* read.h - model readers: one per input format, each filling the same IR (ir.h).
 *
 * A reader parses and checks the file's structure (types, required fields, array lengths) and
 * refuses what xgbc does not support yet. Semantic checks that do not depend on the format
 * (reachability, index ranges, objective) are validate.c's. Readers never print: on failure
 * they return a negative XGBC_E* code, fill *d, and leave *m empty.
 *
 * save_model JSON and UBJSON become the same document (a cJSON tree), which one function maps
 * to the IR (read_xgb_doc.c), so both formats mean exactly the same. Text dumps carry only the
 * trees; the rest comes from the command line or from a model file (read_any.c).
 */
#ifndef XGBC_READ_H
#define XGBC_READ_H

#include <stddef.h>

#include "diag.h"
#include "ir.h"

/* What a file holds, judged by its content (never by its name). */
enum xgbc_format {
  XGBC_FORMAT_JSON,      /* save_model JSON, or anything that should be read as JSON */
  XGBC_FORMAT_UBJSON,    /* save_model UBJSON (.ubj, the default since XGBoost 2.1) */
  XGBC_FORMAT_JSON_DUMP, /* get_dump(dump_format="json") trees, as one JSON array */
  XGBC_FORMAT_TEXT_DUMP, /* get_dump(dump_format="text"): not readable exactly */
  XGBC_FORMAT_BINARY     /* other binary data, e.g. the legacy binary model format */
};

/* The format of the first len bytes of a file. Never fails. */
enum xgbc_format xgbc_detect_format(const char *data, size_t len);

/* Reader options from the command line, as given (all NULL when absent). They complete a text
 * dump; read_any.c checks them and refuses them for any other file. */
struct xgbc_read_opts {
  const char *model_file;        /* --model-file: the save_model file the dump came from */
  const char *objective;         /* --objective NAME */
  const char *base_score;        /* --base-score X (as save_model stores it), or [X,Y,...] */
  const char *num_class;         /* --num-class N (0 or 1 for one output) */
  const char *num_feature;       /* --num-feature N */
  const char *num_parallel_tree; /* --num-parallel-tree N (default 1) */
  const char *feature_names;     /* --feature-names a,b,c */
};

/* The slot in o for command-line option name (e.g. "--objective"), or NULL when name is not a
 * reader option. Never fails. */
const char **xgbc_read_opt_slot(struct xgbc_read_opts *o, const char *name);

/* Usage lines for the reader options, for xgbc --help. */
extern const char xgbc_read_opts_usage[];

/* Read the model in data (len bytes of a file), whatever its format, completing a dump from o.
 * On failure in the --model-file, d->file names it. */
int xgbc_read_model(const char *data, size_t len, const struct xgbc_read_opts *o,
                    struct xgbc_model *m, struct xgbc_diag *d);

/* XGBoost's save_model JSON (1.x, 2.x and 3.x schemas). text need not be NUL-terminated.
 * Unquoted NaN, Infinity and -Infinity are accepted. */
int xgbc_read_xgb_json(const char *text, size_t len, struct xgbc_model *m, struct xgbc_diag *d);

/* XGBoost's save_model UBJSON: the same document as the JSON, in Universal Binary JSON
 * (big-endian, strongly typed arrays). Malformed input is refused with its byte offset. */
int xgbc_read_xgb_ubj(const char *data, size_t len, struct xgbc_model *m, struct xgbc_diag *d);

/* A JSON dump (get_dump(dump_format="json"), with or without stats): a JSON array of nested
 * trees. shape supplies everything a dump lacks: objective, base scores, num_class, num_target,
 * num_features, feature names (to map "split" names to indices; else "fN" or "N" is read as
 * feature N) and types. When shape->trees is set (shape came from a model file), the dump must
 * hold shape->num_trees trees and each takes its group and DART weight from there; otherwise
 * tree i belongs to group (i / num_parallel_tree) % num_groups, as XGBoost lays trees out. */
int xgbc_read_xgb_dump(const char *text, size_t len, const struct xgbc_model *shape,
                       uint32_t num_parallel_tree, struct xgbc_model *m, struct xgbc_diag *d);

/* The whole file at path, malloc'd into *data (*len bytes). On failure returns XGBC_EIO or
 * XGBC_ENOMEM with *d filled (WHERE is "(file)"), and *data is untouched. */
int xgbc_read_file(const char *path, char **data, size_t *len, struct xgbc_diag *d);

#endif /* XGBC_READ_H */
