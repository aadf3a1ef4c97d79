bg4_require(@<bg4_name@>, @<bg4_sha256@>, @<bg4_xgbc_version@>)m4_dnl
m4_dnl model.h.m4 - the header of a compiled model: one symbol, the struct of runtime/model_abi.h.
bg4_header_comment(@<model.h@>, @<the compiled model bg4_name, as one struct bg_model@>)
#ifndef BG_MODEL_@<@>bg4_upper(bg4_name)_H
#define BG_MODEL_@<@>bg4_upper(bg4_name)_H

#include "model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* name, sha256, objective, shape, predict and predict_margin: see model_abi.h. */
extern const struct bg_model bg_model_@<@>bg4_name;

#ifdef __cplusplus
}
#endif

#endif /* BG_MODEL_@<@>bg4_upper(bg4_name)_H */
