#pragma once
// Module 0 of the sentence-transformers folders sentzoo-export writes for encoders that
// sentence-transformers' own Transformer module (transformers AutoModel) cannot build:
// RoFormerV2 (JunnYu's roformer package) and DeepNet (torchscale). The folder then carries
// sentzoo_st.py, whose ReferenceTransformer builds the encoder with that reference package and
// tokenizes with transformers' BertTokenizer; modules.json names it, so
//   import sys; sys.path.insert(0, FOLDER); SentenceTransformer(FOLDER)
// encodes like sentzoo (docs/LAYOUTS.md).

namespace sentzoo {

/// modules.json "type" of that module.
inline constexpr const char* kStReferenceModule = "sentzoo_st.ReferenceTransformer";
/// File name of its source in the folder.
inline constexpr const char* kStReferenceModuleFile = "sentzoo_st.py";
/// Its Python source.
const char* st_reference_module_source();

}  // namespace sentzoo
