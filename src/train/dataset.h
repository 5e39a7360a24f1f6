/* dataset: what `lstmjam train` and `lstmjam eval` learn from and score, built
 * the same way for both from a train_config (so eval sees exactly the
 * trainer's split).
 *
 * Pipeline (train_dataset_build):
 *   1. files: every data source (a file, or a folder searched recursively in
 *      name order) gives its files: music files of any readable format (.mid
 *      .midi .smf .abc .krn .json) or tokens files (.txt, the `lstmjam encode`
 *      format; for psd and pianoroll its frames format, enc_frames_parse);
 *      for `encoding: chars`, .abc and .txt text files.
 *   2. corpus: every file is read and encoded. A "group" is one score (a tune,
 *      a song, a chorale, a line of a tokens or frames file); it gives one piece, none
 *      (skipped by the encoding's filters), or several (transpose=augment:
 *      one per shift). An open vocabulary is put in canonical order over the
 *      whole corpus at the end (enc_finish_vocab). The corpus is what the
 *      cache holds (dataset_cache.h).
 *   3. split (train_dataset_split) BY GROUP, before any repetition: a piece
 *      and its augmented copies always land on the same side. Groups whose
 *      file names a split (the JSB chorales JSON: its published
 *      train/valid/test) keep it; the others are shuffled with split.seed
 *      and the first round(valid * n) go to valid, the next round(test * n)
 *      to test, the rest to train.
 *      With transpose=augment, valid and test keep only each group's first
 *      piece, the untransposed score (encoding.h), so they are scored on
 *      the music as it is and the numbers compare with unaugmented runs and
 *      published ones; train keeps every copy.
 *   4. weights, train split only (valid and test are scored as they are): a
 *      source of weight w contributes each of its train groups floor(w)
 *      times, plus one more time for a seeded subsample of
 *      round(frac(w) * n) of its n train groups. So 2 doubles a source, 0.5
 *      keeps half of its train groups, 1.5 repeats a random half once more
 *      (music_lstm's merge of datasets, where a weight repeats or
 *      subsamples a dataset's tunes).
 *
 * Kinds: TRAIN_DATA_TOKENS (token ids: chars, timestep, notechord, event) and
 * TRAIN_DATA_FRAMES (float frames: psd, pianoroll; music files or frames
 * files, cached like tokens). For frames the corpus keeps the frames in `frames` and `pieces`
 * holds one id per piece, its index in `frames`, so the split and weights
 * below work on both kinds unchanged; frame_split[k] then holds the frames of
 * split[k]'s pieces.
 *
 * Thread: control (all functions). */
#ifndef LJ_DATASET_H
#define LJ_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "encoding.h"
#include "tokset.h"
#include "train_config.h"
#include "vocab.h"

typedef enum train_dataset_kind {
    TRAIN_DATA_TOKENS = 0, /* token ids, softmax head over the vocabulary */
    TRAIN_DATA_FRAMES      /* float frames, a head per field of the frame */
} train_dataset_kind;

typedef enum train_split_id { TRAIN_SPLIT_TRAIN = 0, TRAIN_SPLIT_VALID, TRAIN_SPLIT_TEST } train_split_id;

/* The encoded corpus before the split: what the cache stores. Pieces of one
 * group are consecutive. */
typedef struct train_corpus {
    tokset pieces;       /* every encoded piece (frames: one id each, its index in frames) */
    frameset frames;     /* frame encodings: every encoded piece's frames */
    int32_t *group;      /* (n_pieces) group (score) index of each piece, non-decreasing */
    int32_t *source;     /* (n_pieces) data source index (cfg->data) */
    int8_t *fixed_split; /* (n_pieces) train_split_id named by the file (JSB), or -1 */
    size_t cap;          /* capacity of the three arrays */
    size_t n_groups;     /* scores read (groups), including those that gave no piece */
    size_t n_files;      /* files read */
    vocab *vocab;        /* token names (owned) */
    enc_stats stats;     /* encoding counts (music encodings) */
} train_corpus;

typedef struct train_dataset {
    train_dataset_kind kind;
    char encoding[32];     /* encoding name ("chars", "timestep", ...) */
    char options[1024];    /* enc_opts_format text ("" for chars): the model file's
                              "encoding.options" */
    encoding *enc;         /* the music encoding with the corpus vocabulary frozen in, or
                              NULL for chars (owned) */
    train_corpus corpus;   /* everything read */
    tokset split[3];       /* train (weighted), valid, test: indexed by train_split_id */
    frameset frame_split[3]; /* frame encodings: the frames of split[k]'s pieces */
    size_t split_groups[3];/* groups on each side (before weights) */
    int cache_hit;         /* 1 when the corpus came from the cache */
    char cache_path[TRAIN_PATH_MAX + 64]; /* cache entry used or written, "" without */
} train_dataset;

typedef struct train_dataset_opts {
    int quiet;             /* no progress lines */
    const char *cache_dir; /* NULL: no cache; else the folder of cache entries */
} train_dataset_opts;

/* Builds the corpus (from the cache when a valid entry exists, else by reading
 * and encoding, then writing the entry), then the split and the weights.
 * Errors: a bad file or option is LJ_ERR_PARSE/LJ_ERR_ARG/LJ_ERR_LIMIT/
 * LJ_ERR_UNSUPPORTED with the file and position; I/O and memory errors as
 * they come. On error d is empty. */
int train_dataset_build(const train_config *cfg, const train_dataset_opts *o, train_dataset *d,
                        char *err, size_t errlen);
void train_dataset_free(train_dataset *d);

/* The vocabulary the model reads (the corpus's). */
const vocab *train_dataset_vocab(const train_dataset *d);

/* Steps 3 and 4 above on a corpus: fills split[0..2] and split_groups (the
 * arrays start empty). Public for the tests. */
int train_dataset_split(const train_corpus *c, const train_config *cfg, tokset split[3],
                        size_t split_groups[3]);

/* The default cache folder for a run folder: its parent's ".cache"
 * ("runs/x" -> "runs/.cache"). */
void train_dataset_cache_dir(const char *run_dir, char *buf, size_t buflen);

/* Rewrites every id of the three splits from the dataset's vocabulary to v's
 * (by name), for scoring a model whose vocabulary was built from other data
 * (eval). A name v lacks is LJ_ERR_RANGE naming it. */
int train_dataset_remap(train_dataset *d, const vocab *v, char *err, size_t errlen);

/* Corpus helpers shared with the cache. */
void train_corpus_free(train_corpus *c);
/* Appends one piece of group g from source s. */
int train_corpus_add(train_corpus *c, const int32_t *ids, size_t n, int32_t g, int32_t s, int8_t fixed);

#endif
