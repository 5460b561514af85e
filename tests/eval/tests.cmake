target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/audit_cli_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/export_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/eval_cli_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/export_python_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/export_hf_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/eval_cli_compare_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/eval_cli_report_test.cpp)

# examples/python/encode.py against sentzoo-tokenize and sentzoo-encode (skips without a Python
# that has `tokenizers`; ctest never needs Python).
add_test(NAME examples.python
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/python_example.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
set_tests_properties(examples.python PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 600)
