target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/fixture_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/minilm_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/blocks_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/dropout_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/heads_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/export_metadata_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/torchscale_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/pooler_test.cpp)
