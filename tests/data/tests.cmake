# tokenizers
target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/tokenizer_wordpiece_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/tokenizer_golden_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/tokenizer_json_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/tokenizer_json_errors_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/tokenizer_vocab_builder_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/sentencepiece_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/tokenize_cli_test.cpp)
add_dependencies(sentzoo_tests sentzoo_spm sentzoo-tokenize)

# readers and batching
target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/reader_text_io_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/dataset_spec_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/reader_fixtures_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/reader_malformed_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/reader_real_data_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/reader_digest_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/batch_collate_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/batcher_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/pack_texts_test.cpp)
