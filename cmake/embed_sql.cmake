# Writes OUT, a C++ file defining hs::ledger::AllMigrations() from the SQL files in SCHEMA_DIR named
# NNNN_name.sql. Run at build time by add_custom_command, so a new migration needs no CMake edit
# beyond a re-configure (the glob is CONFIGURE_DEPENDS).
file(GLOB files RELATIVE "${SCHEMA_DIR}" "${SCHEMA_DIR}/[0-9][0-9][0-9][0-9]_*.sql")
list(SORT files)
set(body "")
set(expected 1)
foreach(f IN LISTS files)
  string(SUBSTRING "${f}" 0 4 num)
  math(EXPR version "${num}")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "schema/${f}: expected migration number ${expected}")
  endif()
  math(EXPR expected "${expected} + 1")
  file(READ "${SCHEMA_DIR}/${f}" sql)
  string(APPEND body "  {${version}, \"${f}\", R\"hs_sql(${sql})hs_sql\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from schema/*.sql by cmake/embed_sql.cmake. Do not edit.\n#include \"daemon/ledger/migrations.h\"\n\nnamespace hs::ledger {\nnamespace {\nconst Migration kMigrations[] = {\n${body}};\n}  // namespace\n\nstd::span<const Migration> AllMigrations() { return kMigrations; }\n\n}  // namespace hs::ledger\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
