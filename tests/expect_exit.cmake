# Runs COMMAND with ARGS (a ;-list) and fails unless it exits with EXPECTED_EXIT and its output
# contains EXPECTED_OUTPUT (optional, a regular expression); with ONE_LINE, the output must be a
# single line (usage errors: the message, not the whole help). Used by tests/CMakeLists.txt.
execute_process(COMMAND ${COMMAND} ${ARGS} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT code EQUAL EXPECTED_EXIT)
  message(FATAL_ERROR "${COMMAND} ${ARGS}: exit ${code}, expected ${EXPECTED_EXIT}\n${out}${err}")
endif()
if(DEFINED EXPECTED_OUTPUT AND NOT "${out}${err}" MATCHES "${EXPECTED_OUTPUT}")
  message(FATAL_ERROR "${COMMAND} ${ARGS}: output lacks '${EXPECTED_OUTPUT}'\n${out}${err}")
endif()
if(ONE_LINE)
  # Log lines ("[12:00:00] [warning] ...", e.g. the BLAS kernel note on some hosts) do not count.
  string(REGEX REPLACE "\\[[0-9:]+\\] \\[[^]]*\\][^\n]*\n?" "" all "${out}${err}")
  string(STRIP "${all}" all)
  if(all MATCHES "\n")
    message(FATAL_ERROR "${COMMAND} ${ARGS}: expected one line of output, found\n${all}")
  endif()
endif()
