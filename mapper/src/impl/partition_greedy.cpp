// Partition strategy "greedy": neurons in network order fill one core after the other (what
// PACMAN-style tools do); the baseline the optimiser is measured against.
#include "../stages.h"

namespace lifchip::mapper::detail {
namespace {

class GreedyPartitioner : public Partitioner {
 public:
  std::string name() const override { return "greedy"; }
  Partition run(const QNet& q, const Capacities& cap, const std::vector<double>&, uint64_t) const override {
    return greedy_fill(q, cap);
  }
};

const bool registered = [] {
  PartitionerRegistry::add("greedy", [] { return std::make_unique<GreedyPartitioner>(); });
  return true;
}();

}  // namespace
}  // namespace lifchip::mapper::detail
