/* linked_model.c - binds bg_linked_model to the generated model named by BG_MODEL_SYMBOL. */
#include "linked_model.h"

#ifndef BG_MODEL_SYMBOL
#error "compile with -DBG_MODEL_SYMBOL=bg_model_<name>"
#endif

extern const struct bg_model BG_MODEL_SYMBOL;

const struct bg_model *const bg_linked_model = &BG_MODEL_SYMBOL;
