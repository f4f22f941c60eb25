// Reading and writing the protobuf files (binary or text format by extension). Every failure is an
// InputError naming the file; outputs are written to a temporary file and renamed into place.
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "lifchip/image.h"

namespace lifchip {

namespace gp = google::protobuf;

bool is_text_format_path(const std::string& path) {
  for (const char* ext : {".txtpb", ".pbtxt", ".textproto", ".txt"}) {
    const std::size_t n = std::strlen(ext);
    if (path.size() >= n && path.compare(path.size() - n, n, ext) == 0) return true;
  }
  return false;
}

namespace {

class Collector : public gp::io::ErrorCollector {
 public:
  void AddError(int line, gp::io::ColumnNumber column, const std::string& message) override {
    if (first.empty()) first = "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  void AddWarning(int, gp::io::ColumnNumber, const std::string&) override {}
  std::string first;
};

// Proto3 keeps unknown fields of a binary message silently; we reject them (a newer or foreign file).
std::string find_unknown(const gp::Message& m, const std::string& path) {
  const gp::Reflection* r = m.GetReflection();
  if (!r->GetUnknownFields(m).empty()) {
    const auto& u = r->GetUnknownFields(m);
    return (path.empty() ? m.GetDescriptor()->name() : path) + ": unknown field number " +
           std::to_string(u.field(0).number());
  }
  std::vector<const gp::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const gp::FieldDescriptor* f : fields) {
    if (f->cpp_type() != gp::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string p = (path.empty() ? "" : path + ".") + f->name();
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        std::string e = find_unknown(r->GetRepeatedMessage(m, f, i), p + "[" + std::to_string(i) + "]");
        if (!e.empty()) return e;
      }
    } else {
      std::string e = find_unknown(r->GetMessage(m, f), p);
      if (!e.empty()) return e;
    }
  }
  return {};
}

}  // namespace

void read_message_file(const std::string& path, gp::Message* msg, const char* kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string data = buf.str();
  if (in.bad()) throw InputError(path + ": read error");
  if (is_text_format_path(path)) {
    gp::TextFormat::Parser parser;
    Collector errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(data, msg))
      throw InputError(path + ": not a valid text " + kind + ": " + (errors.first.empty() ? "parse error" : errors.first));
    return;
  }
  if (data.empty()) throw InputError(path + ": empty file, expected a binary " + kind);
  if (!msg->ParseFromString(data))
    throw InputError(path + ": not a valid binary " + kind + " (truncated or corrupt; text files must end in .txtpb)");
  const std::string unknown = find_unknown(*msg, "");
  if (!unknown.empty()) throw InputError(path + ": " + unknown + " (written by a newer or different tool?)");
}

pb::ChipImage read_image_file(const std::string& path) {
  pb::ChipImage img;
  read_message_file(path, &img, "ChipImage");
  return img;
}

pb::Stimuli read_stimuli_file(const std::string& path) {
  pb::Stimuli st;
  read_message_file(path, &st, "Stimuli");
  return st;
}

pb::ProbeSpec read_probe_file(const std::string& path) {
  pb::ProbeSpec p;
  read_message_file(path, &p, "ProbeSpec");
  return p;
}

void write_message_file(const std::string& path, const gp::Message& message) {
  std::string data;
  if (is_text_format_path(path)) {
    if (!gp::TextFormat::PrintToString(message, &data)) throw InputError(path + ": cannot format the message");
  } else if (!message.SerializeToString(&data)) {
    throw InputError(path + ": cannot serialise the message");
  }
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path + ": cannot write: " + std::strerror(errno));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      throw InputError(path + ": write failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    std::remove(tmp.c_str());
    throw InputError(path + ": cannot write: " + err);
  }
}

}  // namespace lifchip
