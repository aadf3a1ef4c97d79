/* linked_model.h - the one model (and its feature extractor) a bidgate binary was built with.
 *
 * Each model release links runtime/ with one generated model; the build compiles
 * linked_model.c with -DBG_MODEL_SYMBOL=bg_model_<name> to name it, and, when the model has a
 * feature spec, -DBG_FEATURES_SYMBOL=bg_features_<name>, so the rest of the runtime never
 * mentions a model by name.
 */
#ifndef BG_LINKED_MODEL_H
#define BG_LINKED_MODEL_H

#include "features_abi.h"
#include "model_abi.h"

extern const struct bg_model *const bg_linked_model;

/* The default --threshold, as text: models/<name>/serving.json's "threshold", else "0.5". */
extern const char bg_linked_threshold[];

/* NULL when the model was built without models/<name>/features.json. */
extern const struct bg_features *const bg_linked_features;

#endif /* BG_LINKED_MODEL_H */
