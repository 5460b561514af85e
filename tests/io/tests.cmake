target_sources(sentzoo_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/atomic_file_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/crc32c_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/npy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safetensors_header_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/png_chart_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/safetensors_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tensorboard_test.cpp)
