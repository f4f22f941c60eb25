// Place strategy "rowmajor": core k goes to (k mod W, k div W), starting at the host port's router
// (0,0); the baseline the optimiser is measured against.
#include "../stages.h"

namespace lifchip::mapper::detail {
namespace {

class RowMajorPlacer : public Placer {
 public:
  std::string name() const override { return "rowmajor"; }
  std::vector<uint32_t> run(const Traffic& t, uint32_t, uint32_t, uint64_t) const override {
    std::vector<uint32_t> slot(t.num_cores);
    for (uint32_t k = 0; k < t.num_cores; ++k) slot[k] = k;
    return slot;
  }
};

const bool registered = [] {
  PlacerRegistry::add("rowmajor", [] { return std::make_unique<RowMajorPlacer>(); });
  return true;
}();

}  // namespace
}  // namespace lifchip::mapper::detail
