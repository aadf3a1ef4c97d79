/* linked_model.c - binds bg_linked_model (and bg_linked_features) to the generated symbols
 * named by BG_MODEL_SYMBOL (and BG_FEATURES_SYMBOL). */
#include "linked_model.h"

#ifndef BG_MODEL_SYMBOL
#error "compile with -DBG_MODEL_SYMBOL=bg_model_<name>"
#endif

extern const struct bg_model BG_MODEL_SYMBOL;

const struct bg_model *const bg_linked_model = &BG_MODEL_SYMBOL;

/* models/<name>/serving.json's threshold, when the model has one (make train writes it). */
#ifndef BG_DEFAULT_THRESHOLD
#define BG_DEFAULT_THRESHOLD "0.5"
#endif
const char bg_linked_threshold[] = BG_DEFAULT_THRESHOLD;

#ifdef BG_FEATURES_SYMBOL
extern const struct bg_features BG_FEATURES_SYMBOL;

const struct bg_features *const bg_linked_features = &BG_FEATURES_SYMBOL;
#else
const struct bg_features *const bg_linked_features = 0;
#endif
