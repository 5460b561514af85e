target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/export_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/eval_cli_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/export_python_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/export_hf_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/eval_cli_compare_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/eval_cli_report_test.cpp)
