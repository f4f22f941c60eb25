// The generated C++ header and SystemVerilog package carry exactly the constants of
// core_model/spec/chip_constants.json: one spec, generated everywhere.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "lifchip/chip_constants.h"

namespace {

std::map<std::string, int64_t> json_constants() {
  std::ifstream in(std::string(LIFCHIP_SOURCE_DIR) + "/core_model/spec/chip_constants.json");
  EXPECT_TRUE(in.good());
  const nlohmann::json j = nlohmann::json::parse(in);
  std::map<std::string, int64_t> out;
  for (const auto& c : j.at("constants")) {
    const std::string name = c.at("name");
    EXPECT_EQ(out.count(name), 0u) << "constant defined twice: " << name;
    EXPECT_FALSE(c.at("doc").get<std::string>().empty()) << name << " has no doc";
    out[name] = c.at("value").get<int64_t>();
  }
  return out;
}

TEST(SpecConstants, CppHeaderMatchesJson) {
  const auto expected = json_constants();
  std::map<std::string, int64_t> got;
  for (const auto& c : lifchip::spec::kAllConstants) got[c.name] = c.value;
  EXPECT_EQ(got, expected);
  EXPECT_GT(expected.size(), 50u);
}

TEST(SpecConstants, SystemVerilogPackageMatchesJson) {
  std::ifstream in(std::string(LIFCHIP_BINARY_DIR) + "/generated/rtl/lifchip_pkg.sv");
  ASSERT_TRUE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string sv = ss.str();
  std::map<std::string, int64_t> got;
  const std::regex re(R"(localparam int (\w+) = (-?\d+);)");
  for (auto it = std::sregex_iterator(sv.begin(), sv.end(), re); it != std::sregex_iterator(); ++it)
    got[(*it)[1]] = std::stoll((*it)[2]);
  EXPECT_EQ(got, json_constants());
  EXPECT_NE(sv.find("package lifchip_pkg;"), std::string::npos);
}

// Relations the spec relies on; a constants edit that breaks one must fail here.
TEST(SpecConstants, DerivedRelationsHold) {
  namespace s = lifchip::spec;
  EXPECT_EQ(s::DECAY_ONE, int64_t{1} << s::DECAY_BITS);
  EXPECT_EQ(s::NEURONS_PER_CORE_MAX, int64_t{1} << s::NEURON_INDEX_BITS);
  EXPECT_EQ(s::AXONS_PER_CORE_MAX, int64_t{1} << s::AXON_INDEX_BITS);
  EXPECT_EQ(s::SYNAPSES_PER_CORE_MAX, int64_t{1} << s::SYNAPSE_ADDR_BITS);
  EXPECT_EQ(s::FANOUT_PER_CORE_MAX, int64_t{1} << s::FANOUT_ADDR_BITS);
  EXPECT_EQ(s::MESH_DIM_MAX, int64_t{1} << s::COORD_BITS);
  EXPECT_EQ(s::PROFILES_PER_CORE_MAX, int64_t{1} << s::PROFILE_INDEX_BITS);
  EXPECT_EQ(s::SYN_GROUPS_PER_CORE, int64_t{1} << s::SYN_GROUP_BITS);
  EXPECT_EQ(s::TRACE_MAX, (int64_t{1} << s::TRACE_BITS) - 1);
  EXPECT_EQ(s::PKT_X_LSB, s::PKT_AXON_LSB + s::AXON_INDEX_BITS);
  EXPECT_EQ(s::PKT_Y_LSB, s::PKT_X_LSB + s::COORD_BITS);
  EXPECT_EQ(s::PKT_HOST_BIT, s::PKT_Y_LSB + s::COORD_BITS);
  EXPECT_EQ(s::PKT_BITS, s::PKT_HOST_BIT + 1);
  // a_in << 6 must fit so that a single wrap of u suffices (spec §2.4).
  EXPECT_EQ(s::A_IN_BITS - 1 + s::INPUT_SHIFT, s::STATE_BITS - 1);
  EXPECT_LE(s::VTH_BITS + s::THRESHOLD_SHIFT, s::STATE_BITS - 1);
  EXPECT_EQ(s::CNT_FUNCTIONAL_COUNT, s::CNT_LINK_WEST + 1);
}

}  // namespace
