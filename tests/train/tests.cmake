target_sources(sentzoo_tests PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/config_schema_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fault_injection_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layer_stats_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/optimizer_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/reliability_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule_and_control_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_amp_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_cli_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_config_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_init_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_objectives_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_overfit_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_resume_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_sentencepiece_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer_tokenizer_json_test.cpp)
