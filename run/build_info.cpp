#include "run/build_info.h"

namespace syncsim {

std::string version_text() {
  const BuildInfo& b = build_info();
  std::string text = "syncsim " + std::string(b.version) + "\n";
  text += "commit: " + std::string(b.commit) + "\n";
  text += "build: " + std::string(b.build_type) + ", ISA " + std::string(b.isa) + "\n";
  text += "flags: " + std::string(b.flags) + "\n";
  text += "compiler: " + std::string(b.compiler) + "\n";
  return text;
}

}  // namespace syncsim
