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
  {"binary:hinge", XGBC_TRANSFORM_HINGE, XGBC_BASE_IDENTITY, 0},
  {"reg:squarederror", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"reg:linear", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0}, /* old name of the above */
  {"reg:pseudohubererror", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"reg:absoluteerror", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"reg:squaredlogerror", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0},
  {"reg:quantileerror", XGBC_TRANSFORM_IDENTITY, XGBC_BASE_IDENTITY, 0}, /* 2.0+ */
  {"count:poisson", XGBC_TRANSFORM_EXP, XGBC_BASE_LOG, 0},
  {"reg:gamma", XGBC_TRANSFORM_EXP, XGBC_BASE_LOG, 0},
  {"reg:tweedie", XGBC_TRANSFORM_EXP, XGBC_BASE_LOG, 0},
  {"survival:cox", XGBC_TRANSFORM_EXP, XGBC_BASE_LOG, 0},
  {"survival:aft", XGBC_TRANSFORM_EXP_DOUBLE, XGBC_BASE_LOG, 0},
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
  return "binary:logistic, reg:logistic, binary:logitraw, binary:hinge, reg:squarederror, "
         "reg:linear, reg:pseudohubererror, reg:absoluteerror, reg:squaredlogerror, "
         "reg:quantileerror, count:poisson, reg:gamma, reg:tweedie, survival:cox, survival:aft, "
         "rank:pairwise, rank:ndcg, rank:map, multi:softprob, multi:softmax";
}


static void free_strings(char **v, uint32_t n) {
  uint32_t i;

  if (v == NULL)
    return;
  for (i = 0; i < n; i++)
    free(v[i]);
  free(v);
}


void xgbc_model_free(struct xgbc_model *m) {
  uint32_t i;

  if (m->trees != NULL)
    for (i = 0; i < m->num_trees; i++) {
      free(m->trees[i].nodes);
      free(m->trees[i].categories);
      free(m->trees[i].source_ids);
    }
  free_strings(m->feature_names, m->num_features);
  free_strings(m->feature_types, m->num_features);
  free(m->trees);
  free(m->objective);
  free(m->base_scores);
  free(m->linear_weights);
  memset(m, 0, sizeof *m);
}


int xgbc_model_set_base_scores(struct xgbc_model *m, const float *v, uint32_t n) {
  float *copy = malloc((n ? n : 1) * sizeof *copy);

  if (copy == NULL)
    return XGBC_ENOMEM;
  if (n > 0)
    memcpy(copy, v, n * sizeof *copy);
  free(m->base_scores);
  m->base_scores = copy;
  m->num_base_scores = n;
  m->base_score = n ? v[0] : 0.0f;
  return 0;
}


/* Float arithmetic and glibc's logf, exactly as XGBoost's ProbToMargin. */
static float prob_to_margin(enum xgbc_base base, float b) {
  switch (base) {
  case XGBC_BASE_LOGIT:
    return -logf(1.0f / b - 1.0f);
  case XGBC_BASE_LOG:
    return logf(b);
  case XGBC_BASE_IDENTITY:
    break;
  }
  return b;
}


float xgbc_model_base_margin(const struct xgbc_model *m) {
  return prob_to_margin(m->obj->base, m->base_score);
}


float xgbc_model_group_base_margin(const struct xgbc_model *m, uint32_t g) {
  float b = m->num_base_scores > 1 && g < m->num_base_scores ? m->base_scores[g] : m->base_score;

  return prob_to_margin(m->obj->base, b);
}
