#pragma once
// The C interface of the sentzoo_spm plugin (data/sentencepiece_plugin.cpp), a MODULE library
// that links sentencepiece and nothing from torch (TOOLCHAIN.md §2). data/sentencepiece.cpp
// dlopen()s it with RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND and looks these symbols up.
// Conventions: a negative return is an error whose message is in err[0..err_size); functions
// that fill a caller buffer return the length needed, so a caller retries with a bigger buffer.

#include <stddef.h>
#include <stdint.h>

extern "C" {

typedef void* (*szspm_load_fn)(const char* model_path, char* err, size_t err_size);
typedef void (*szspm_free_fn)(void* model);
typedef int (*szspm_encode_fn)(void* model,
                               const char* text,
                               size_t text_size,
                               int32_t* ids,
                               size_t capacity,
                               char* err,
                               size_t err_size);
typedef int (*szspm_decode_fn)(void* model,
                               const int32_t* ids,
                               size_t n,
                               char* out,
                               size_t capacity,
                               char* err,
                               size_t err_size);
typedef int (*szspm_piece_to_id_fn)(void* model, const char* piece, size_t piece_size);
typedef int (*szspm_id_to_piece_fn)(void* model, int32_t id, char* out, size_t capacity);
typedef int (*szspm_vocab_size_fn)(void* model);
// which: 0 unk, 1 bos, 2 eos, 3 pad (-1 when the model has none).
typedef int (*szspm_special_id_fn)(void* model, int which);
// SentencePieceTrainer::Train with a flag string ("--input=a.txt --model_prefix=m ...").
typedef int (*szspm_train_fn)(const char* flags, char* err, size_t err_size);
}
