/* A chain's memory: one block (a Float64Array JavaScript made and holds), handed out in 8-byte-aligned pieces. */
#ifndef GRADPROOF_ARENA_H
#define GRADPROOF_ARENA_H
#include <stddef.h>
#include <string.h>

typedef struct {
  char *at;    /* the next free byte */
  size_t left; /* bytes left */
} arena_t;

/* a + b, or SIZE_MAX when it overflows (no block is that large, so a size check then fails). */
static inline size_t plus(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

/* `bytes` rounded up to a multiple of 8 (SIZE_MAX stays SIZE_MAX). */
static inline size_t aligned(size_t bytes) { return bytes > SIZE_MAX - 7 ? SIZE_MAX : (bytes + 7) & ~(size_t)7; }

/* `bytes` of the arena, zeroed, or NULL when they do not fit. */
static inline void *take(arena_t *a, size_t bytes) {
  bytes = aligned(bytes);
  if (bytes > a->left) return NULL;
  void *piece = a->at;
  memset(piece, 0, bytes);
  a->at += bytes, a->left -= bytes;
  return piece;
}

#endif
