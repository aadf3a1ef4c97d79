/* model_abi.h - the contract between a model compiled by xgbc and whoever links it.
 *
 * xgbc emits, for a model named NAME, generated/NAME/model.c and model.h defining
 *
 *     extern const struct bg_model bg_model_NAME;
 *
 * Everything here is read-only after compilation. predict and predict_margin are pure,
 * thread-safe and allocation-free: they read x and write out, nothing else.
 */
#ifndef BG_MODEL_ABI_H
#define BG_MODEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#define BG_MODEL_ABI_VERSION 2 /* 2: feature_types added */

struct bg_model {
  const char *name;         /* C identifier made from the model's folder name */
  const char *sha256;       /* hex SHA-256 of the source model file */
  const char *xgbc_version; /* version of the compiler that wrote the code */
  const char *objective;    /* as XGBoost names it, e.g. "binary:logistic" */
  uint32_t num_features;    /* columns of x */
  uint32_t num_outputs;     /* margins per row: classes, or 1 */
  uint32_t num_trees;       /* trees in the forest, all groups */
  const char *const *feature_names; /* num_features names: the model's, else "f0".."fN" */

  /* x is row-major n_rows x num_features float32; NaN means missing. out receives
   * n_rows x num_outputs values, except multi:softmax's predict, which writes one value per
   * row: the index of the winning class, as XGBoost does. */
  void (*predict)(const float *x, size_t n_rows, float *out);        /* transformed */
  void (*predict_margin)(const float *x, size_t n_rows, float *out); /* raw margin */

  /* Members below this line were added after the DESIGN.md minimum. */
  uint32_t abi_version;     /* BG_MODEL_ABI_VERSION of the writer */
  uint32_t predict_width;   /* values predict writes per row (1 for multi:softmax) */
  /* num_features XGBoost feature types (ABI version 2 and later): the model's ("q", "float",
   * "int", "i", "c"), else "q" for every feature. */
  const char *const *feature_types;
};

#endif /* BG_MODEL_ABI_H */
