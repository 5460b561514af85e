// The Python source of module 0 for RoFormerV2 / DeepNet sentence-transformers folders
// (models/st_reference_module.h). Checked by tools/reference/check_export_hf.py, which loads
// exported folders through it with roformer 0.4.3 and torchscale 0.3.0.

#include "models/st_reference_module.h"

namespace sentzoo {

const char* st_reference_module_source() {
  return R"PY('''sentence-transformers module 0 of a folder written by sentzoo-export --format huggingface:
the encoder at the folder root, built with its reference package (RoFormerV2: roformer 0.4.3,
`RoFormerModel.from_pretrained`; DeepNet: torchscale 0.3.0, `Encoder(EncoderConfig(**config.json))`
with `PositionalEmbedding(max_source_positions, d)`), and BERT's WordPiece tokenizer from vocab.txt.

    import sys; sys.path.insert(0, FOLDER)
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(FOLDER)
'''
import json
import os

import torch
from torch import nn
from transformers import BertTokenizer


class ReferenceTransformer(nn.Module):
    def __init__(self, path, max_seq_length=512):
        super().__init__()
        self.path = path
        self.max_seq_length = max_seq_length
        self.tokenizer = BertTokenizer.from_pretrained(path)
        with open(os.path.join(path, "config.json")) as f:
            config = json.load(f)
        self.torchscale = "encoder_embed_dim" in config
        if self.torchscale:
            from safetensors.torch import load_file
            from torchscale.architecture.config import EncoderConfig
            from torchscale.architecture.encoder import Encoder
            from torchscale.component.embedding import PositionalEmbedding

            c = EncoderConfig(**config)
            d = c.encoder_embed_dim
            self.model = Encoder(c, embed_tokens=nn.Embedding(c.vocab_size, d),
                                 embed_positions=PositionalEmbedding(c.max_source_positions, d))
            self.model.load_state_dict(load_file(os.path.join(path, "model.safetensors")))
            self.dim = d
        else:
            import roformer

            self.model = roformer.RoFormerModel.from_pretrained(path)
            self.dim = self.model.config.hidden_size
        self.model.eval()

    def forward(self, features):
        ids, mask = features["input_ids"], features["attention_mask"]
        if self.torchscale:
            out = self.model(src_tokens=ids, encoder_padding_mask=mask == 0)["encoder_out"]
        else:
            out = self.model(input_ids=ids, attention_mask=mask,
                             token_type_ids=features.get("token_type_ids")).last_hidden_state
        features.update({"token_embeddings": out})
        return features

    def tokenize(self, texts, padding=True):
        return self.tokenizer(list(texts), padding=padding, truncation="longest_first",
                              return_tensors="pt", max_length=self.max_seq_length)

    def get_word_embedding_dimension(self):
        return self.dim

    def get_max_seq_length(self):
        return self.max_seq_length

    def save(self, output_path):
        raise NotImplementedError("re-export with sentzoo-export instead")

    @staticmethod
    def load(input_path):
        with open(os.path.join(input_path, "sentence_bert_config.json")) as f:
            return ReferenceTransformer(input_path, json.load(f)["max_seq_length"])
)PY";
}

}  // namespace sentzoo
