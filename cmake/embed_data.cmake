# Writes OUT, a C++ file defining hs::config::ShippedFile() over the data files in SCHEMA_DIR named
# *.toml and *.tsv (the shipped defaults of routing, units and codebooks) and the files of EXTRA
# (a ;-separated list of paths, e.g. the web page), each by its file name. Run at build time like
# embed_sql.cmake.
file(GLOB files "${SCHEMA_DIR}/*.toml" "${SCHEMA_DIR}/*.tsv")
list(SORT files)
list(APPEND files ${EXTRA})
set(body "")
foreach(path IN LISTS files)
  get_filename_component(f "${path}" NAME)
  file(READ "${path}" text)
  string(APPEND body "  {\"${f}\", R\"hs_data(${text})hs_data\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from schema/*.toml by cmake/embed_data.cmake. Do not edit.\n#include \"daemon/config/shipped.h\"\n\n#include <iterator>\n\nnamespace hs::config {\nnamespace {\nstruct File {\n  std::string_view name;\n  std::string_view text;\n};\nconst File kFiles[] = {\n${body}  {\"\", \"\"}};\n}  // namespace\n\nstd::optional<std::string_view> ShippedFile(std::string_view name) {\n  for (const File& f : kFiles) {\n    if (!f.name.empty() && f.name == name) return f.text;\n  }\n  return std::nullopt;\n}\n\n}  // namespace hs::config\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
