# tokenizers
target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/tokenizer_wordpiece_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/tokenizer_golden_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/tokenizer_vocab_builder_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/sentencepiece_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/tokenize_cli_test.cpp)
add_dependencies(sentzoo_tests sentzoo_spm sentzoo-tokenize)
