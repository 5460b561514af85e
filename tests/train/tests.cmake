target_sources(sentzoo_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/atomic_file_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/crc32c_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/npy_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/optimizer_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule_and_control_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tensorboard_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_amp_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_cli_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_config_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_init_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_objectives_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_overfit_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_resume_test.cpp)
