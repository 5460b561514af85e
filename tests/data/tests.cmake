# tokenizers
