/* arena.c - bump allocator and cJSON's hooks into it (see arena.h). */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#define ALIGN 16u
#define KEEP_MAX (1u << 20) /* a reset keeps at most this much for the next request */

static _Thread_local struct bg_arena *current;


void bg_arena_init(struct bg_arena *a, size_t min_chunk, size_t limit) {
  a->head = NULL;
  a->total = 0;
  a->limit = limit;
  a->min_chunk = min_chunk;
}


static size_t round_up(size_t n) {
  return (n + (ALIGN - 1)) & ~(size_t)(ALIGN - 1);
}


void *bg__arena_alloc_slow(struct bg_arena *a, size_t n) {
  struct bg_arena_chunk *c = a->head;
  void *p;

  n = round_up(n ? n : 1);
  if (n > a->limit || a->total > a->limit - n)
    return NULL;
  if (c == NULL || c->size - c->used < n) {
    size_t size = a->min_chunk;
    if (c != NULL && c->size * 2 > size)
      size = c->size * 2;
    if (size < n)
      size = n;
    c = malloc(sizeof *c + size);
    if (c == NULL)
      return NULL;
    c->size = size;
    c->used = 0;
    c->next = a->head;
    a->head = c;
  }
  p = c->data + c->used;
  c->used += n;
  a->total += n;
  return p;
}


void *bg_arena_grow(struct bg_arena *a, void *p, size_t old_n, size_t new_n) {
  struct bg_arena_chunk *c = a->head;
  size_t old_r = round_up(old_n ? old_n : 1), new_r = round_up(new_n ? new_n : 1);
  unsigned char *q;

  if (p == NULL)
    return bg_arena_alloc(a, new_n);
  if (new_r <= old_r)
    return p;
  /* In place when p is the newest allocation of the newest chunk and the chunk has room. */
  if (c != NULL && (unsigned char *)p + old_r == c->data + c->used &&
      c->size - c->used >= new_r - old_r) {
    if (new_r - old_r > a->limit || a->total > a->limit - (new_r - old_r))
      return NULL;
    c->used += new_r - old_r;
    a->total += new_r - old_r;
    return p;
  }
  q = bg_arena_alloc(a, new_n);
  if (q != NULL) {
    size_t i;
    for (i = 0; i < old_n; i++)
      q[i] = ((unsigned char *)p)[i];
  }
  return q;
}


void bg_arena_reset(struct bg_arena *a) {
  struct bg_arena_chunk *c = a->head, *next;
  size_t want;

  if (c == NULL)
    return;
  if (c->next == NULL) {
    c->used = 0;
    a->total = 0;
    return;
  }
  /* Several chunks: replace them by one that would have held this request. */
  want = a->total < KEEP_MAX ? a->total : KEEP_MAX;
  if (want < a->min_chunk)
    want = a->min_chunk;
  for (; c != NULL; c = next) {
    next = c->next;
    free(c);
  }
  a->head = malloc(sizeof *a->head + want);
  if (a->head != NULL) {
    a->head->next = NULL;
    a->head->size = want;
    a->head->used = 0;
  }
  a->total = 0;
}


void bg_arena_free(struct bg_arena *a) {
  struct bg_arena_chunk *c, *next;

  for (c = a->head; c != NULL; c = next) {
    next = c->next;
    free(c);
  }
  a->head = NULL;
  a->total = 0;
}


static void *hook_malloc(size_t n) {
  return current != NULL ? bg_arena_alloc(current, n) : malloc(n);
}


static void hook_free(void *p) {
  /* Arena memory goes with the reset. */
  if (current == NULL)
    free(p);
}


void bg_json_hooks_install(void) {
  cJSON_Hooks hooks = {hook_malloc, hook_free};

  cJSON_InitHooks(&hooks);
}


struct bg_arena *bg_json_use_arena(struct bg_arena *a) {
  struct bg_arena *prev = current;

  current = a;
  return prev;
}
