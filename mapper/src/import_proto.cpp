// The protobuf importer: our network.proto file (text or binary) to the IR.
#include <memory>

#include "lifchip/mapper/import.h"

namespace lifchip::mapper {

namespace {

class ProtobufImporter : public Importer {
 public:
  std::string name() const override { return "protobuf"; }
  Network run(const std::string& path, ReportSection& report) const override {
    const pb::Network message = read_network_file(path);
    report.figure("format", "lifchip.pb.Network v" + std::to_string(message.format_version()));
    return from_proto(message, path);
  }
};

const ImporterRegistration kRegistration("protobuf", {".pb", ".txtpb", ".pbtxt", ".textproto"},
                                         [] { return std::make_unique<ProtobufImporter>(); });

}  // namespace

}  // namespace lifchip::mapper
