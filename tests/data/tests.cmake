# readers and batching
target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/reader_text_io_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/dataset_spec_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/reader_fixtures_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/reader_malformed_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/reader_real_data_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/reader_digest_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/batch_collate_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/batcher_test.cpp)
