target_sources(sentzoo_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/argmaxability_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/class_weights_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metrics_fixture_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metrics_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pair_metrics_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/threshold_checks_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/threshold_data_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/threshold_test.cpp)
