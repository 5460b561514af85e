target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/dist_env_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/dist_process_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/dist_train_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/local_launch_test.cpp)
# One rank of the two-process tests, started by dist_process_test.cpp.
add_executable(sentzoo_dist_worker ${CMAKE_CURRENT_LIST_DIR}/dist_worker.cpp)
target_link_libraries(sentzoo_dist_worker PRIVATE sentzoo)
target_precompile_headers(sentzoo_dist_worker REUSE_FROM sentzoo_pch)
set_target_properties(sentzoo_dist_worker PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
add_dependencies(sentzoo_tests sentzoo_dist_worker)
