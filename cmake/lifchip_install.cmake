# cmake --install for the C++ library (docs/cpp_library.md): the public headers, the static
# libraries, the program, the bundled examples and the package lifchipConfig.cmake, whose namespaced
# targets (lifchip::chip, lifchip::mapper, lifchip::flow, the backends, ...) carry the include
# directories and dependencies of the installed tree. The Python package's rules are in
# tools/python/CMakeLists.txt. Included once, at the end of the top-level CMakeLists.txt, after the
# link graph is written, so tests/arch sees the targets as their own files declare them.
#
# The targets are declared for the build tree. Exported as they are, their interfaces would name the
# source and build trees (include directories, the generated headers, Verilator's model directory)
# and their un-namespaced names inside generator expressions ($<LINK_LIBRARY:WHOLE_ARCHIVE,x>, which
# install(EXPORT) does not rewrite). lifchip_export_interface() keeps every such entry for the build
# tree only ($<BUILD_INTERFACE:...>) and adds the installed equivalent ($<INSTALL_INTERFACE:...>).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(LIFCHIP_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/lifchip)
# The firmware-path headers (flow/regress.h includes "suite.h") include each other by bare name, so
# they keep a directory of their own, on the include path of lifchip::hil.
set(LIFCHIP_INSTALL_HIL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/lifchip/hil)
set(LIFCHIP_INSTALL_EXAMPLESDIR ${CMAKE_INSTALL_DATADIR}/lifchip/examples)

# Build target, exported name (lifchip::NAME), installed include directory ("-": none, its headers
# are private to the build).
set(LIFCHIP_EXPORTED_TARGETS
    lifchip_warnings        warnings        -
    lifchip_proto           proto           ${CMAKE_INSTALL_INCLUDEDIR}
    lifchip_chip            chip            ${CMAKE_INSTALL_INCLUDEDIR}
    lifchip_datapath        datapath        -
    lifchip_host_regs       host_regs       ${LIFCHIP_INSTALL_HIL_INCLUDEDIR}
    lifchip_functional_impl functional_impl -
    lifchip_functional      functional      -
    lifchip_systemc_impl    systemc_impl    -
    lifchip_systemc         systemc         -
    lifchip_backends        backends        -
    lifchip_network_proto   network_proto   ${CMAKE_INSTALL_INCLUDEDIR}
    lifchip_mapper_impl     mapper_impl     ${CMAKE_INSTALL_INCLUDEDIR}
    lifchip_mapper          mapper          -
    lifchip_fw              fw              ${LIFCHIP_INSTALL_HIL_INCLUDEDIR}
    lifchip_hil             hil             ${LIFCHIP_INSTALL_HIL_INCLUDEDIR}
    lifchip_flow            flow            ${CMAKE_INSTALL_INCLUDEDIR}
    lifchip                 lifchip         -)
if(LIFCHIP_BUILD_RTL)
  list(APPEND LIFCHIP_EXPORTED_TARGETS
       lifchip_rtl_model rtl_model -
       lifchip_rtl_impl  rtl_impl  -
       lifchip_rtl       rtl       -)
endif()

# Our targets' names and their exported names, for rewriting generator expressions.
set(_lifchip_names "")
set(_lifchip_targets "")
list(LENGTH LIFCHIP_EXPORTED_TARGETS _n)
math(EXPR _last "${_n} - 1")
foreach(i RANGE 0 ${_last} 3)
  math(EXPR j "${i} + 1")
  list(GET LIFCHIP_EXPORTED_TARGETS ${i} _t)
  list(GET LIFCHIP_EXPORTED_TARGETS ${j} _name)
  list(APPEND _lifchip_targets ${_t})
  list(APPEND _lifchip_names ${_name})
endforeach()

# `entry` with every one of our target names inside a generator expression namespaced as exported.
function(_lifchip_namespaced entry out)
  set(s "${entry}")
  foreach(t name IN ZIP_LISTS _lifchip_targets _lifchip_names)
    string(REGEX REPLACE "([:,])${t}>" "\\1lifchip::${name}>" s "${s}")
  endforeach()
  set(${out} "${s}" PARENT_SCOPE)
endfunction()

function(lifchip_export_interface target name include_dir)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE")
    return()
  endif()
  # Include directories: each for the build tree, plus the installed one.
  get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  set(new "")
  if(dirs)
    foreach(d IN LISTS dirs)
      if(d MATCHES "^\\$<(BUILD|INSTALL)_INTERFACE:")
        list(APPEND new "${d}")
      else()
        list(APPEND new "$<BUILD_INTERFACE:${d}>")
      endif()
    endforeach()
  endif()
  if(NOT include_dir STREQUAL "-")
    list(APPEND new "$<INSTALL_INTERFACE:${include_dir}>")
  endif()
  if(dirs OR NOT include_dir STREQUAL "-")
    set_property(TARGET ${target} PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${new}")
  endif()
  # Link entries that are generator expressions naming our targets: as they are for the build tree,
  # namespaced for the installed one.
  get_target_property(libs ${target} INTERFACE_LINK_LIBRARIES)
  if(libs)
    set(new "")
    foreach(l IN LISTS libs)
      _lifchip_namespaced("${l}" installed)
      if(l MATCHES "^\\$<" AND NOT installed STREQUAL l)
        list(APPEND new "$<BUILD_INTERFACE:${l}>" "$<INSTALL_INTERFACE:${installed}>")
      else()
        list(APPEND new "${l}")
      endif()
    endforeach()
    set_property(TARGET ${target} PROPERTY INTERFACE_LINK_LIBRARIES "${new}")
  endif()
endfunction()

foreach(i RANGE 0 ${_last} 3)
  math(EXPR j "${i} + 1")
  math(EXPR k "${i} + 2")
  list(GET LIFCHIP_EXPORTED_TARGETS ${i} _t)
  list(GET LIFCHIP_EXPORTED_TARGETS ${j} _name)
  list(GET LIFCHIP_EXPORTED_TARGETS ${k} _dir)
  lifchip_export_interface(${_t} ${_name} ${_dir})
endforeach()

# -Werror and friends are for our own sources: an installed lifchip::warnings is empty (static
# libraries name it as $<LINK_ONLY:...>, so it must be exported, but it must not reach users).
get_target_property(_opts lifchip_warnings INTERFACE_COMPILE_OPTIONS)
set(_build_opts "")
foreach(o IN LISTS _opts)
  list(APPEND _build_opts "$<BUILD_INTERFACE:${o}>")
endforeach()
set_property(TARGET lifchip_warnings PROPERTY INTERFACE_COMPILE_OPTIONS "${_build_opts}")

# The issue's and the brief's name for the chip library, in both trees.
add_library(lifchip::core ALIAS lifchip_chip)

install(TARGETS ${_lifchip_targets} EXPORT lifchip_targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT lifchip_targets NAMESPACE lifchip:: FILE lifchipTargets.cmake DESTINATION ${LIFCHIP_INSTALL_CMAKEDIR})

# Headers: what the CLI and the Python module include, and everything those include.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/core_model/include/lifchip ${PROJECT_SOURCE_DIR}/mapper/include/lifchip
                  ${PROJECT_SOURCE_DIR}/tools/flow/include/lifchip
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/generated/lifchip/chip_constants.h
              ${CMAKE_BINARY_DIR}/generated/proto/lifchip/image.pb.h
              ${CMAKE_BINARY_DIR}/generated/proto/lifchip/run.pb.h
              ${CMAKE_BINARY_DIR}/generated/mapper/proto/lifchip/network.pb.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lifchip)
install(FILES ${PROJECT_SOURCE_DIR}/firmware/host/platform.h ${PROJECT_SOURCE_DIR}/firmware/host/trace.h
              ${PROJECT_SOURCE_DIR}/firmware/host/suite.h ${PROJECT_SOURCE_DIR}/firmware/include/lifchip_fw.h
              ${PROJECT_SOURCE_DIR}/core_model/src/impl/host_regs.h
        DESTINATION ${LIFCHIP_INSTALL_HIL_INCLUDEDIR})
# The schemas (text protobuf images, stimuli, networks) and the bundled networks and data.
install(FILES ${PROJECT_SOURCE_DIR}/core_model/proto/lifchip/image.proto
              ${PROJECT_SOURCE_DIR}/core_model/proto/lifchip/run.proto
              ${PROJECT_SOURCE_DIR}/mapper/proto/lifchip/network.proto
        DESTINATION ${CMAKE_INSTALL_DATADIR}/lifchip/proto)
# The generators and the walk-through work on the repository, not on the installed copy.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/tools/examples/ DESTINATION ${LIFCHIP_INSTALL_EXAMPLESDIR} PATTERN "*.py" EXCLUDE)

set(LIFCHIP_CONFIG_RTL_TARGET "")
if(LIFCHIP_BUILD_RTL)
  set(LIFCHIP_CONFIG_RTL_TARGET ", lifchip::rtl")
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/lifchipConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/lifchipConfig.cmake
                              INSTALL_DESTINATION ${LIFCHIP_INSTALL_CMAKEDIR}
                              PATH_VARS LIFCHIP_INSTALL_EXAMPLESDIR)
# 0.x: a request for 0.1 accepts any 0.y.z >= 0.1 (a major version other than the installed one is refused).
write_basic_package_version_file(${CMAKE_BINARY_DIR}/lifchipConfigVersion.cmake VERSION ${PROJECT_VERSION}
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_BINARY_DIR}/lifchipConfig.cmake ${CMAKE_BINARY_DIR}/lifchipConfigVersion.cmake
        DESTINATION ${LIFCHIP_INSTALL_CMAKEDIR})
