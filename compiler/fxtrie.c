/* fxtrie.c - the scan table of a feature spec: its paths as one trie (see fxspec.h). */
#include "fxspec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static char *join(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 1;
  char *s = malloc(n);

  if (s != NULL)
    snprintf(s, n, "%s%s", a, b);
  return s;
}


/* The child of node `parent` by key (or by index when key is NULL), or -1. */
static int find(const struct xgbc_fx_trie *t, int parent, const char *key, int index) {
  uint32_t i;

  for (i = 0; i < t->num_nodes; i++) {
    const struct xgbc_fx_node *n = &t->node[i];
    if (n->parent == parent && (key != NULL ? n->key != NULL && strcmp(n->key, key) == 0
                                            : n->key == NULL && n->index == index))
      return (int)i;
  }
  return -1;
}


/* The child of node `parent` (a root when parent is -1: index is then its scope), made when
 * missing unless `make` is 0. Returns its number, or -1 (missing, or memory is out). */
static int child(struct xgbc_fx_trie *t, int parent, const char *key, int index, int make) {
  struct xgbc_fx_node *n;
  char step[32];
  int found = find(t, parent, key, index);

  if (found >= 0 || !make)
    return found;
  if (t->num_nodes == t->cap) {
    uint32_t cap = t->cap ? t->cap * 2 : 32;
    struct xgbc_fx_node *grown = realloc(t->node, cap * sizeof *grown);
    if (grown == NULL)
      return -1;
    t->node = grown;
    t->cap = cap;
  }
  n = &t->node[t->num_nodes];
  memset(n, 0, sizeof *n);
  n->parent = parent;
  n->index = index;
  if (parent < 0) {
    n->scope = index;
    n->text = join(index == XGBC_FX_SCOPE_REQUEST ? "(the request)" : "imp[]", "");
  } else {
    const struct xgbc_fx_node *p = &t->node[parent];
    n->scope = p->scope;
    if (key != NULL) {
      if ((n->key = join(key, "")) == NULL)
        return -1;
      if (parent == 0) {
        n->text = join(key, "");
      } else {
        char *dot = join(p->text, ".");
        n->text = dot != NULL ? join(dot, key) : NULL;
        free(dot);
      }
    } else {
      snprintf(step, sizeof step, "[%d]", index);
      n->text = join(p->text, step);
    }
  }
  if (n->text == NULL) {
    free(n->key);
    return -1;
  }
  if (parent >= 0)
    t->node[parent].flags |= key != NULL ? XGBC_FX_KEYS : XGBC_FX_INDICES;
  n->slot = t->num_slots[n->scope]++;
  t->num_nodes++;
  return (int)(t->num_nodes - 1);
}


/* Steps of p (from step `start`), then the suffix ("[N]" for an index), from node `from`.
 * Returns the last node, or -1 (missing when make is 0, or memory is out). */
static int walk(struct xgbc_fx_trie *t, int from, const struct xgbc_fx_path *p, uint32_t start,
                const char *const *suffix, int make) {
  uint32_t k;
  int at = from;

  for (k = start; k < p->num_steps && at >= 0; k++)
    at = child(t, at, p->steps[k].key, p->steps[k].index, make);
  for (k = 0; suffix != NULL && suffix[k] != NULL && at >= 0; k++)
    at = suffix[k][0] == '[' ? child(t, at, NULL, atoi(suffix[k] + 1), make)
                             : child(t, at, suffix[k], 0, make);
  return at;
}


/* Whether p goes through the request's imp list by index (imp[N]...), so it is read from
 * impression N's slots. */
static int through_imp_index(const struct xgbc_fx_path *p) {
  return p->root == XGBC_FX_ROOT_REQUEST && p->num_steps >= 2 && p->steps[0].key != NULL &&
         strcmp(p->steps[0].key, "imp") == 0 && p->steps[1].key == NULL;
}


/* The node of path p (+ suffix), made when missing if make; -1 when missing or memory is
 * out, 0 for $bidder (which has no node). */
static int path_node(struct xgbc_fx_trie *t, const struct xgbc_fx_path *p,
                     const char *const *suffix, int make) {
  if (p->root == XGBC_FX_ROOT_BIDDER)
    return 0;
  if (p->root == XGBC_FX_ROOT_IMP)
    return walk(t, 1, p, 0, suffix, make);
  if (through_imp_index(p))
    return walk(t, 1, p, 2, suffix, make);
  return walk(t, 0, p, 0, suffix, make);
}


static const char *const area_suffixes[4][3] = {
  {"w", NULL}, {"h", NULL}, {"format", "[0]", "w"}, {"format", "[0]", "h"}};


static int add_paths(struct xgbc_fx_trie *t, const struct xgbc_fx_paths *ps, int area) {
  uint32_t i, k;

  for (i = 0; i < ps->num; i++) {
    if (path_node(t, &ps->alt[i], NULL, 1) < 0)
      return -1;
    for (k = 0; area && k < 4; k++) {
      const char *suffix[4] = {area_suffixes[k][0], area_suffixes[k][1], area_suffixes[k][2],
                               NULL};
      if (path_node(t, &ps->alt[i], suffix, 1) < 0)
        return -1;
    }
  }
  return 0;
}


int xgbc_fx_trie_build(const struct xgbc_features *fs, struct xgbc_fx_trie *t) {
  uint32_t i;
  int ext;

  memset(t, 0, sizeof *t);
  /* The fixed nodes and slots of runtime/json_scan.h, in its order. */
  if (child(t, -1, NULL, XGBC_FX_SCOPE_REQUEST, 1) != 0 ||
      child(t, -1, NULL, XGBC_FX_SCOPE_IMP, 1) != 1 || child(t, 0, "id", 0, 1) != 2 ||
      child(t, 0, "imp", 0, 1) != 3 || (ext = child(t, 0, "ext", 0, 1)) != 4 ||
      child(t, ext, "bidders", 0, 1) != 5 || child(t, 1, "id", 0, 1) != 6)
    goto nomem;
  t->node[3].flags |= XGBC_FX_IMPS;
  t->node[5].flags |= XGBC_FX_BIDDERS;
  for (i = 0; i < fs->num_entries; i++) {
    const struct xgbc_fx_entry *e = &fs->entries[i];
    if (add_paths(t, &e->paths, e->transform == XGBC_FX_AREA) != 0 ||
        add_paths(t, &e->aux, 0) != 0)
      goto nomem;
  }
  return 0;
nomem:
  xgbc_fx_trie_free(t);
  return XGBC_ENOMEM;
}


struct xgbc_fx_ref xgbc_fx_trie_ref(const struct xgbc_fx_trie *t, const struct xgbc_fx_path *p,
                                    const char *const *suffix) {
  struct xgbc_fx_ref r = {XGBC_FX_REF_BIDDER, 0, -1};

  if (p->root == XGBC_FX_ROOT_BIDDER)
    return r;
  /* With make = 0 the trie is only read. */
  r.node = path_node((struct xgbc_fx_trie *)t, p, suffix, 0);
  r.kind = p->root == XGBC_FX_ROOT_IMP ? XGBC_FX_REF_IMP
           : through_imp_index(p)      ? XGBC_FX_REF_IMPK
                                       : XGBC_FX_REF_REQUEST;
  if (r.kind == XGBC_FX_REF_IMPK)
    r.k = (uint32_t)p->steps[1].index;
  return r;
}


void xgbc_fx_trie_free(struct xgbc_fx_trie *t) {
  uint32_t i;

  for (i = 0; i < t->num_nodes; i++) {
    free(t->node[i].key);
    free(t->node[i].text);
  }
  free(t->node);
  memset(t, 0, sizeof *t);
}
