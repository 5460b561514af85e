target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/runtime_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/blas_kernel_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/compat_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/config_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/json_text_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/progress_test.cpp)
