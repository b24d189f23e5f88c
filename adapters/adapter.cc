#include "adapters/adapter.h"

namespace hs::adapters {

Result<PushResult> Adapter::Push(const PushItem& item) {
  return Status::Rejected(std::string(name()) + " takes no pushes (action " + item.action + ")");
}

Result<std::string> Adapter::Lookup(const PushItem& item) {
  return Status::Rejected(std::string(name()) + " cannot look up item " + std::to_string(item.id));
}

}  // namespace hs::adapters
