# tokenizers
target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/tokenizer_wordpiece_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/tokenizer_golden_test.cpp)
