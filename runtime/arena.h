/* arena.h - per-request memory: bump allocation, freed all at once.
 *
 * Each connection owns an arena; everything one request needs (the body, cJSON's nodes, the
 * feature rows, scores and decisions) comes from it, and resetting it between keep-alive
 * requests frees it all. Steady state allocates nothing: a reset folds the chunks a big request
 * needed into one chunk large enough for the next such request (up to a cap).
 *
 * cJSON allocates through process-wide hooks. bg_json_hooks_install points them at the arena
 * the calling thread last named with bg_json_use_arena (one loop = one thread, so each loop's
 * requests land in their own arenas), and at malloc/free when it named none.
 */
#ifndef BG_ARENA_H
#define BG_ARENA_H

#include <stddef.h>

/* A block of arena memory (the newest first); exposed for bg_arena_alloc's inline fast path. */
struct bg_arena_chunk {
  struct bg_arena_chunk *next;
  size_t size, used;
  _Alignas(16) unsigned char data[];
};

struct bg_arena {
  struct bg_arena_chunk *head; /* newest chunk first */
  size_t total;                /* bytes handed out since the last reset */
  size_t limit;                /* refuse allocations beyond this many bytes per request */
  size_t min_chunk;            /* size of the first chunk */
};

/* An empty arena; no memory is taken until the first allocation. Never fails. */
void bg_arena_init(struct bg_arena *a, size_t min_chunk, size_t limit);

/* n bytes aligned for any type, or NULL when the request would pass the limit or memory is
 * out. Never moves earlier allocations. (Inline when the newest chunk has room; the rest is
 * bg__arena_alloc_slow.) */
void *bg__arena_alloc_slow(struct bg_arena *a, size_t n);

static inline void *bg_arena_alloc(struct bg_arena *a, size_t n) {
  struct bg_arena_chunk *c = a->head;
  size_t r = (n + 15) & ~(size_t)15;

  if (n != 0 && r >= n && c != NULL && c->size - c->used >= r && a->total <= a->limit &&
      r <= a->limit - a->total) {
    void *p = c->data + c->used;
    c->used += r;
    a->total += r;
    return p;
  }
  return bg__arena_alloc_slow(a, n);
}

/* Grow the newest allocation p (old_n bytes, the last one made) to new_n bytes, moving it when
 * the chunk has no room; returns the (maybe new) address or NULL as bg_arena_alloc does. */
void *bg_arena_grow(struct bg_arena *a, void *p, size_t old_n, size_t new_n);

/* Forget every allocation; keeps one chunk for the next request. Never fails. */
void bg_arena_reset(struct bg_arena *a);

/* Release all memory. Never fails. */
void bg_arena_free(struct bg_arena *a);

/* Route cJSON's allocations through bg_json_use_arena's choice. Call once, before any cJSON use. */
void bg_json_hooks_install(void);

/* From now on cJSON allocations on this thread come from a (NULL: malloc, and cJSON_Delete
 * frees). Returns the previous choice. */
struct bg_arena *bg_json_use_arena(struct bg_arena *a);

#endif /* BG_ARENA_H */
