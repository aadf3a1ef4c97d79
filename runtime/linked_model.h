/* linked_model.h - the one model a bidgate binary was built with.
 *
 * Each model release links runtime/ with one generated model; the build compiles
 * linked_model.c with -DBG_MODEL_SYMBOL=bg_model_<name> to name it, so the rest of the
 * runtime never mentions a model by name.
 */
#ifndef BG_LINKED_MODEL_H
#define BG_LINKED_MODEL_H

#include "model_abi.h"

extern const struct bg_model *const bg_linked_model;

#endif /* BG_LINKED_MODEL_H */
