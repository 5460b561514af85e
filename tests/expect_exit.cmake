# Runs COMMAND with ARGS (a ;-list) and fails unless it exits with EXPECTED_EXIT and its output
# contains EXPECTED_OUTPUT (optional). Used by the CLI tests in tests/CMakeLists.txt.
execute_process(COMMAND ${COMMAND} ${ARGS} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL EXPECTED_EXIT)
  message(FATAL_ERROR "${COMMAND} ${ARGS}: exit ${code}, expected ${EXPECTED_EXIT}\n${out}${err}")
endif()
if(DEFINED EXPECTED_OUTPUT AND NOT "${out}${err}" MATCHES "${EXPECTED_OUTPUT}")
  message(FATAL_ERROR "${COMMAND} ${ARGS}: output lacks '${EXPECTED_OUTPUT}'\n${out}${err}")
endif()
