/* The chain's program and state (chain.c runs it, chain-create.c makes it from JavaScript's arrays). */
#ifndef GRADPROOF_CHAIN_TYPES_H
#define GRADPROOF_CHAIN_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* How a value differs from its baseline in this replay; the report's first number. */
enum { NONE = 0, ELEMENT = 1, ROW = 2, COLS = 3, ALL = 4 };
enum { LINEAR = 1, RELU = 2, SIGMOID = 3, LOGLOSS = 4 };

typedef struct {
  double *cur;        /* now: a param's own array (moved in place), a step's working copy of its output */
  const double *base; /* a step's output from the baseline forward pass; NULL for the other values */
  size_t m, n;        /* rows, columns */
} value_t;

typedef struct {
  int kind;
  size_t at;      /* ELEMENT: the element's index; ROW: the row */
  size_t ncols;   /* COLS: the columns (every row), ascending, in cols */
  int32_t *cols;  /* room for n + 1 */
  double delta;   /* ELEMENT: new − old, exact */
} change_t;

typedef struct {
  int32_t op, out, in[3];
  /* A linear step that runs fused with the relu and linear after it (chain.c, fused_step). */
  int32_t fuse;
  /* LOGLOSS: its input's baseline terms, two an element, then a working copy of them (chain-tail.c). */
  double *terms;
} step_t;

/* A chain's first word: what chain-calls.c checks before it runs one (with `self`). */
#define CHAIN_MAGIC 0x67706368u

typedef struct {
  uint32_t magic;
  const void *self; /* the chain's own address: a copy of its block elsewhere is not a chain */
  size_t nvalues, nsteps, nparams, frontier;
  int32_t *params; /* the values a replay may move, one at a time (a chain per param, or one for them all) */
  value_t *values;
  change_t *changes;
  step_t *steps;
  double *scratch; /* room for the fused steps' sums and one row: n · (rows of the last linear + 1) */
  int32_t *report; /* the frontier's change: kind, then the row, or the column count and the columns */
  double *run;     /* a run of chainSteps: the elements' indices, their steps, then the objectives, `capacity` each */
  size_t capacity;
} chain_t;

/* A step's report of what it changed: one row, or some columns of every row (copied unless they are its own). */
static inline void set_row(change_t *c, size_t row) { c->kind = ROW, c->at = row; }

static inline void set_cols(change_t *c, const int32_t *cols, size_t ncols) {
  c->kind = COLS, c->ncols = ncols;
  if (c->cols != cols) memcpy(c->cols, cols, ncols * sizeof *cols);
}

/* One replay: element `index` of params[param] has moved by `delta` (the caller moved it, and puts it back). */
void chain_run(chain_t *ch, size_t param, size_t index, double delta);

/* One replay of a chain whose frontier is the objective, the element moved by `step` here: the objective (chain.c). */
double chain_step(chain_t *ch, size_t param, size_t index, double step);

/* The dense steps (chain.c): a linear layer, relu, and a linear layer fused with the relu and linear after it. */
void linear_step(chain_t *ch, const step_t *s);
void relu_step(chain_t *ch, const step_t *s);
void fused_step(chain_t *ch, const step_t *s);

/* The steps that take exps and logs (chain-tail.c), and the logloss step's terms, made once into its `terms` (room for 4 a element of A). */
void sigmoid_step(chain_t *ch, const step_t *s);
void logloss_step(chain_t *ch, const step_t *s);
void logloss_terms(chain_t *ch, step_t *s);

/* Whether the program makes a chain a replay can run without reading or writing out of bounds (chain-check.c); `scratch`: 2 · nvalues bools. */
bool chain_valid(const chain_t *ch, bool *scratch);

/*
 * Whether the chain's block (nblock bytes from ch), its run and its report (nreport numbers)
 * share memory with no value and with each other (chain-check.c): a replay writes the values,
 * and a run's objectives, through pointers the block holds, after the run's indices were checked.
 */
bool chain_own_memory(const chain_t *ch, size_t nblock, size_t nreport);

/* Marks the linear steps that run fused with the relu and linear after them (chain-check.c); the doubles of scratch they need. */
size_t chain_fuse(chain_t *ch);

#endif
