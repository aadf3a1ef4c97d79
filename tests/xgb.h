/* xgb.h - the tests' oracle for raw feature rows: XGBoost's own predictions (C API) for a model
 * file. Like helpers.h, a failing call fails the calling test. */
#ifndef BGT_XGB_H
#define BGT_XGB_H

#include <stddef.h>
#include <stdint.h>

/* Predictions of XGBoost for rows x (n x nf, NaN = missing) with the model at path; returns
 * malloc'd n x (values per row) floats and sets *per_row. */
float *bgt_xgb_predict(const char *model_path, const float *x, size_t n, size_t nf,
                       size_t *per_row);

/* models/aws-rtb/model.json under $BG_TEST_MODELS. */
const char *bgt_aws_rtb_model(void);

/* The bits of f, for exact comparisons that print well. */
uint32_t bgt_bits(float f);

/* The rows of a CSV text with nf cells each (empty cell = NaN), as the server reads them;
 * malloc'd, *n rows. */
float *bgt_csv_rows(const char *csv, size_t nf, size_t *n);

#endif /* BGT_XGB_H */
