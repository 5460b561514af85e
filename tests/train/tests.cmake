target_sources(sentzoo_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/optimizer_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule_and_control_test.cpp)
