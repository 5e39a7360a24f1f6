/* dataset_cache: an encoded corpus (train_corpus) on disk, so a second run on
 * the same data starts at once.
 *
 * An entry is one file, CACHE_DIR/<16 hex digits>.ljds, named by the FNV-1a
 * 64-bit hash of its key text. The key text lists everything the corpus
 * depends on: the cache format version, the encoding and its options, the
 * reader options, and every input file with its size and modification time
 * (nanoseconds); the entry stores the whole key text too, so a hash collision
 * or a stale entry is a miss, never a wrong corpus. Weights and the split are
 * applied after loading, so changing them reuses the entry.
 *
 * Layout (little-endian):
 *   "LJDSET\0\0" magic, u32 format version (2), u32 CRC-32 of the payload,
 *   u64 payload bytes, then the payload:
 *   u32 key length + key bytes; u64 files, groups; u64 x 14 enc_stats fields;
 *   u32 vocab blob length + vocab_save blob; u64 frame width (0: tokens);
 *   u64 pieces, ids; per piece: u64 length, i32 group, i32 source, i8 fixed
 *   split; ids as i32; then for a frame corpus (psd, pianoroll: one id per
 *   piece, its index) u64 frames, u64 frames per piece, every frame's floats
 *   as f32 bits.
 * Loading checks the magic, version, sizes, CRC, the key and every count and
 * index (group order, source < sources, ids < vocabulary size or, for frames,
 * ids 0..n-1 in order, frame counts adding up, finite values); any mismatch
 * is reported as a corrupt entry and the caller rebuilds it.
 *
 * The key (dataset.c) starts with DATASET_CACHE_VERSION and the encoder's
 * enc_code_version: bump the first when this layout or the readers' output
 * changes, the encoding's own when an encoder's output changes.
 * Thread: control (all). */
#ifndef LJ_DATASET_CACHE_H
#define LJ_DATASET_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

#define DATASET_CACHE_VERSION 2 /* 2: frame corpora, 14 stats */

/* 64-bit FNV-1a of n bytes. */
uint64_t dataset_cache_hash(const void *data, size_t n);

/* Loads the entry at path into c (empty on entry). Returns LJ_OK, LJ_ERR_IO
 * when there is no entry (a miss), or LJ_ERR_PARSE with the reason in err when
 * the entry is corrupt or holds another key (c left empty). n_sources bounds
 * the source indices. */
int dataset_cache_load(const char *path, const char *key, int n_sources, train_corpus *c, char *err,
                       size_t errlen);

/* The same from len bytes in memory (`path` names them in messages); the
 * fuzz harness's entry point. */
int dataset_cache_parse(const uint8_t *data, size_t len, const char *path, const char *key, int n_sources,
                        train_corpus *c, char *err, size_t errlen);

/* Writes c under key to path atomically (temp file + rename). */
int dataset_cache_save(const char *path, const char *key, const train_corpus *c, char *err,
                       size_t errlen);

#endif
