# `cmake --install`: the syncsim binary, the library stack under syncsim::
# (syncsim::run is the entry point; the others are what it links), their
# headers under include/syncsim with their source-tree paths, and a package
# config for find_package(syncsim). The CLI's own library (app/, yaml-cpp)
# is not installed.
include(CMakePackageConfigHelpers)

set(syncsim_libraries
    syncsim_sim syncsim_topology syncsim_ml syncsim_privacy syncsim_runtime syncsim_robust syncsim_services syncsim_sync
    syncsim_run)
foreach(library ${syncsim_libraries})
  string(REPLACE "syncsim_" "" name ${library})
  set_target_properties(${library} PROPERTIES EXPORT_NAME ${name})
  add_library(syncsim::${name} ALIAS ${library})
endforeach()

# A consumer compiles Eigen's inline code into its own objects, which the
# linker may pick over the library's and which frees the library's Eigen
# allocations: it must target the same instruction set, or alignment (AVX:
# 32 bytes, SSE: 16) and results differ, and must not contract a * b + c
# where the library does not. In the build tree every target already gets
# the flags from add_compile_options.
target_compile_options(syncsim_ml INTERFACE
                       "$<INSTALL_INTERFACE:${SYNCSIM_DETERMINISM_FLAGS}>")

install(TARGETS ${syncsim_libraries} EXPORT syncsim-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS syncsim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY sim topology algorithms run
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/syncsim
        FILES_MATCHING PATTERN "*.h"
        # Boost.Graph stays inside topology/'s .cpp files.
        PATTERN "graph_impl.h" EXCLUDE)

set(syncsim_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/syncsim)
install(EXPORT syncsim-targets NAMESPACE syncsim:: DESTINATION ${syncsim_cmake_dir})
configure_package_config_file(cmake/syncsim-config.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/syncsim-config.cmake
                              INSTALL_DESTINATION ${syncsim_cmake_dir})
# 0.x: a new minor version may change the API.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/syncsim-config-version.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/syncsim-config.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/syncsim-config-version.cmake
        DESTINATION ${syncsim_cmake_dir})
