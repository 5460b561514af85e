target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/golden_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/cosent_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/pair_losses_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/ranking_losses_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/make_loss_test.cpp
                                     ${CMAKE_CURRENT_LIST_DIR}/loss_weighting_test.cpp)
target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/gradient_combiner_test.cpp)
target_sources(sentzoo_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/multitask_step_test.cpp)
