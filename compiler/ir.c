/* ir.c - the objective table and the IR's lifetime. */
#include "ir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The objectives whose prediction xgbc reproduces bit for bit (xgboost.md, steps 2 and 7). */
static const struct xgbc_objective objectives[] = {
  {"binary:logistic", XGBC_TRANSFORM_LOGISTIC, XGBC_BASE_LOGIT, 0},
  {"reg:logistic", XGBC_TRANSFORM_LOGISTIC, XGBC_BASE_LOGIT, 0},
  {"binary:logitraw", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"reg:squarederror", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"reg:pseudohubererror", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"reg:absoluteerror", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"reg:squaredlogerror", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"count:poisson", XGBC_TRANSFORM_EXP, XGBC_BASE_LOG, 0},
  {"reg:gamma", XGBC_TRANSFORM_EXP, XGBC_BASE_LOG, 0},
  {"reg:tweedie", XGBC_TRANSFORM_EXP, XGBC_BASE_LOG, 0},
  {"rank:pairwise", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"rank:ndcg", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"rank:map", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"multi:softprob", XGBC_TRANSFORM_SOFTPROB, XGBC_BASE_IDENTITY, 1},
  {"multi:softmax", XGBC_TRANSFORM_SOFTMAX, XGBC_BASE_IDENTITY, 1},
};


const struct xgbc_objective *xgbc_objective_find(const char *name) {
  size_t i;

  for (i = 0; i < sizeof objectives / sizeof objectives[0]; i++)
    if (strcmp(objectives[i].name, name) == 0)
      return &objectives[i];
  return NULL;
}


const char *xgbc_objective_list(void) {
  return "binary:logistic, reg:logistic, binary:logitraw, reg:squarederror, "
         "reg:pseudohubererror, reg:absoluteerror, reg:squaredlogerror, count:poisson, reg:gamma, reg:tweedie, "
         "rank:pairwise, rank:ndcg, rank:map, multi:softprob, multi:softmax";
}


void xgbc_model_free(struct xgbc_model *m) {
  uint32_t i;

  if (m->trees != NULL)
    for (i = 0; i < m->num_trees; i++)
      free(m->trees[i].nodes);
  if (m->feature_names != NULL)
    for (i = 0; i < m->num_features; i++)
      free(m->feature_names[i]);
  free(m->trees);
  free(m->feature_names);
  free(m->objective);
  memset(m, 0, sizeof *m);
}


float xgbc_model_base_margin(const struct xgbc_model *m) {
  float b = m->base_score;

  /* Float arithmetic and glibc's logf, exactly as XGBoost's ProbToMargin. */
  switch (m->obj->base) {
  case XGBC_BASE_LOGIT:
    return -logf(1.0f / b - 1.0f);
  case XGBC_BASE_LOG:
    return logf(b);
  case XGBC_BASE_IDENTITY:
    break;
  }
  return b;
}
