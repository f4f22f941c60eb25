// The chip image and the other file formats: loading (binary or text protobuf), validation against
// docs/spec.md §9.4, the flat image stream (§9.3), its CRC-32, and the memory word layouts (§9.2).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "lifchip/image.pb.h"
#include "lifchip/run.pb.h"

namespace lifchip {

/// A bad input: the message names the file or object, the field, the value and the limit.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// ChipConfig with defaults filled in (a 0 capacity means the spec's default).
struct ChipShape {
  uint32_t width = 0, height = 0;
  uint32_t neurons = 0, axons = 0, synapses = 0, fanout = 0, profiles = 0;
  double clock_hz = 0;
  uint32_t num_cores() const { return width * height; }
  uint32_t core_index(uint32_t x, uint32_t y) const { return y * width + x; }
};

/// The group a core does not list (spec §3): weight_exp 0, not plastic, bounds -128 and 127. The
/// flat stream, every model's group memory and an empty core's register window carry it.
pb::SynapseGroup default_group();

/// Effective shape; throws InputError if a dimension or capacity is out of range.
ChipShape chip_shape(const pb::ChipConfig& config);

/// Checks every rule of spec §9.4 except the checksum; throws InputError naming the first violation.
void validate_image(const pb::ChipImage& image);

/// validate_image plus the checksum check.
void validate_sealed_image(const pb::ChipImage& image);

/// The flat image stream (spec §9.3) of a structurally valid image.
std::vector<uint32_t> flat_stream(const pb::ChipImage& image);

/// The inverse of flat_stream: the image a stream encodes (checksum = CRC of the stream), validated.
/// Throws InputError naming the word offset when the stream is short, long or malformed.
pb::ChipImage decode_flat_stream(const uint32_t* words, std::size_t count);

/// CRC-32/IEEE over 32-bit words taken as little-endian bytes.
uint32_t crc32_words(const uint32_t* words, std::size_t count);
uint32_t crc32_bytes(const uint8_t* bytes, std::size_t count, uint32_t crc = 0);

/// Validates, then sets format_version (if 0) and the checksum.
void seal_image(pb::ChipImage& image);

// ---- Files. Text format for names ending .txtpb/.pbtxt/.textproto, binary otherwise. ----
// Loading checks structure only; image validation is separate (validate_sealed_image).

pb::ChipImage read_image_file(const std::string& path);
pb::Stimuli read_stimuli_file(const std::string& path);
pb::ProbeSpec read_probe_file(const std::string& path);
/// Parses any message file into `msg`; `kind` names the message in errors. Binary files with fields
/// this schema does not know are rejected (written by a newer or different tool).
void read_message_file(const std::string& path, google::protobuf::Message* msg, const char* kind);
/// Writes atomically (temporary file, then rename): no half-written output on failure.
void write_message_file(const std::string& path, const google::protobuf::Message& message);
bool is_text_format_path(const std::string& path);

// ---- Memory word layouts (spec §9.2), shared by the flat stream and the MEM_SEL read window. ----
namespace layout {
uint32_t profile_word0(const pb::Profile& p);
uint32_t profile_word1(const pb::Profile& p);
uint32_t group_word(const pb::SynapseGroup& g);
uint32_t neuron_cfg_word0(uint32_t profile, int32_t bias_mant);
uint32_t neuron_cfg_word1(uint32_t fanout_base, uint32_t fanout_count);
uint32_t u_word(int32_t u);
uint32_t v_word(int32_t v);
uint32_t axon_word(uint32_t syn_base, uint32_t syn_count);
uint32_t synapse_word(uint32_t neuron, int32_t weight, uint32_t group);
uint32_t fanout_word(bool to_host, uint32_t x, uint32_t y, uint32_t axon);
/// Sign-extends the low `bits` bits of a word.
int32_t sign_extend(uint32_t word, unsigned bits);
}  // namespace layout

}  // namespace lifchip
