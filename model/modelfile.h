/* modelfile: the .lstm container, in memory. A self-describing file of named
 * metadata blobs (encoding name, vocabulary, dims, training state...) and named
 * tensors, each with dtype, shape and a CRC-32, so a loader checks every name,
 * size and checksum and reports the first mismatch with context (rnnoise's
 * WeightHead, llm.c's header with magic and version).
 *
 * model/ does no file I/O: mf_read_mem parses bytes the host read, and
 * mf_writer_finish returns bytes the host writes atomically (src/files.c).
 *
 * Layout (little-endian):
 *   0   magic "LSTMJAM\0" (8 bytes)
 *   8   u32 version (MF_VERSION)
 *   12  u32 n_meta, u32 n_tensors
 *   20  u64 data_offset   (64-byte aligned; tensor data follows)
 *   28  u64 file_size     (total bytes: a truncated file is caught at once)
 *   36  n_meta x   { u16 key_len, key, u32 value_len, value }
 *       n_tensors x { u16 name_len, name, u8 dtype, u8 ndim, u32 dims[ndim],
 *                     u64 offset (from data_offset, 64-aligned), u64 nbytes, u32 crc32 }
 *       u32 crc32 of bytes 0 .. here (the header checksum)
 *   data_offset: tensor bytes
 */
#ifndef LJ_MODELFILE_H
#define LJ_MODELFILE_H

#include <stddef.h>
#include <stdint.h>

#include "lj_status.h"

#define MF_VERSION 1
#define MF_MAX_NAME 128     /* bytes in a tensor name or meta key */
#define MF_MAX_DIMS 4
#define MF_MAX_ENTRIES 4096 /* meta + tensors, against hostile headers */

typedef enum mf_dtype { MF_F32 = 0, MF_BF16 = 1, MF_I32 = 2, MF_U8 = 3 } mf_dtype;

typedef struct mf_tensor {
    char name[MF_MAX_NAME + 1]; /* e.g. "lstm.0.weight_ih" (PyTorch names) */
    mf_dtype dtype;
    int ndim;                   /* 1..MF_MAX_DIMS */
    uint32_t dims[MF_MAX_DIMS]; /* shape, outermost first */
    uint64_t n_elems;           /* product of dims */
    const void *data;           /* points into the buffer given to mf_read_mem */
    uint64_t nbytes;
} mf_tensor;

typedef struct mf_file mf_file;

/* Parses and verifies (magic, version, sizes, every checksum) a file held in
 * `bytes`, which must outlive the mf_file (tensors point into it). `name` is
 * used in messages. Thread: any. */
int mf_read_mem(const uint8_t *bytes, size_t len, const char *name, mf_file **out, char *err,
                size_t errlen);
void mf_close(mf_file *f); /* NULL is a no-op; does not free the bytes */

size_t mf_tensor_count(const mf_file *f);
const mf_tensor *mf_tensor_at(const mf_file *f, size_t i);
const mf_tensor *mf_find(const mf_file *f, const char *name);
/* Metadata entries in file order: key i, its value and length (i < count). */
size_t mf_meta_count(const mf_file *f);
const char *mf_meta_at(const mf_file *f, size_t i, const void **value, size_t *len);
/* Metadata by key: pointer to the value bytes and their length; NULL if absent. */
const void *mf_meta(const mf_file *f, const char *key, size_t *len);

/* Copies tensor `name` into dst as float32 (bf16 widened), checking that it
 * exists and has exactly n elements: "FILE: tensor 'x': expected 1024 x 256 =
 * 262144 values, found 131072 (shape 512 x 256)". shape_hint (may be NULL)
 * names the expected shape in that message. Thread: any. */
int mf_get_f32(const mf_file *f, const char *name, float *dst, uint64_t n,
               const char *shape_hint, char *err, size_t errlen);

/* Building a file. Tensor data is copied at add time. Thread: any. */
typedef struct mf_writer mf_writer;
mf_writer *mf_writer_create(void);
void mf_writer_destroy(mf_writer *w);
int mf_add_meta(mf_writer *w, const char *key, const void *value, size_t len);
int mf_add_tensor(mf_writer *w, const char *name, mf_dtype dtype, int ndim,
                  const uint32_t *dims, const void *data);
/* Float32 source stored as bf16 (round to nearest even). */
int mf_add_tensor_bf16(mf_writer *w, const char *name, int ndim, const uint32_t *dims,
                       const float *data);
/* Serialises; *out is malloc'd, the caller frees it. */
int mf_writer_finish(mf_writer *w, uint8_t **out, size_t *len, char *err, size_t errlen);

/* CRC-32 (zlib polynomial) of n bytes, continuing from crc (start with 0). */
uint32_t mf_crc32(uint32_t crc, const void *data, size_t n);

/* bf16 <-> f32. */
uint16_t mf_f32_to_bf16(float x);
float mf_bf16_to_f32(uint16_t x);

#endif
