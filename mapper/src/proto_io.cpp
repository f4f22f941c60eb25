// Protobuf message files for the mapper: text or binary by extension, errors naming the file and
// the first parse problem, atomic writes.
#include "proto_io.h"

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "lifchip/image.h"  // InputError

namespace lifchip::mapper {

namespace gp = google::protobuf;

namespace {

class FirstError : public gp::io::ErrorCollector {
 public:
  void AddError(int line, gp::io::ColumnNumber column, const std::string& message) override {
    if (first.empty())
      first = "line " + std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  void AddWarning(int, gp::io::ColumnNumber, const std::string&) override {}
  std::string first;
};

// The first unknown field of a binary message, as a path ("projections[2].sparse: field 5"), or "".
std::string first_unknown(const gp::Message& m, const std::string& path) {
  const gp::Reflection* r = m.GetReflection();
  const gp::UnknownFieldSet& unknown = r->GetUnknownFields(m);
  if (!unknown.empty())
    return (path.empty() ? m.GetDescriptor()->name() : path) + ": unknown field number " +
           std::to_string(unknown.field(0).number());
  std::vector<const gp::FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const gp::FieldDescriptor* f : fields) {
    if (f->cpp_type() != gp::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string p = (path.empty() ? "" : path + ".") + f->name();
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) {
        std::string e = first_unknown(r->GetRepeatedMessage(m, f, i), p + "[" + std::to_string(i) + "]");
        if (!e.empty()) return e;
      }
    } else {
      std::string e = first_unknown(r->GetMessage(m, f), p);
      if (!e.empty()) return e;
    }
  }
  return {};
}

}  // namespace

bool is_text_proto_path(const std::string& path) {
  for (const char* ext : {".txtpb", ".pbtxt", ".textproto", ".txt"}) {
    const std::size_t n = std::strlen(ext);
    if (path.size() >= n && path.compare(path.size() - n, n, ext) == 0) return true;
  }
  return false;
}

void read_proto_message(const std::string& path, gp::Message* msg, const char* kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) throw InputError(path + ": read error");
  const std::string data = buf.str();
  if (is_text_proto_path(path)) {
    gp::TextFormat::Parser parser;
    FirstError errors;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(data, msg))
      throw InputError(path + ": not a valid text " + kind + ": " +
                       (errors.first.empty() ? "parse error" : errors.first));
    return;
  }
  if (data.empty()) throw InputError(path + ": empty file, expected a binary " + kind);
  if (!msg->ParseFromString(data))
    throw InputError(path + ": not a valid binary " + kind +
                     " (truncated or corrupt; text files must end in .txtpb)");
  const std::string unknown = first_unknown(*msg, "");
  if (!unknown.empty()) throw InputError(path + ": " + unknown + " (written by a newer or different tool?)");
}

void write_proto_message(const std::string& path, const gp::Message& msg) {
  std::string data;
  if (is_text_proto_path(path)) {
    if (!gp::TextFormat::PrintToString(msg, &data)) throw InputError(path + ": cannot format the message");
  } else if (!msg.SerializeToString(&data)) {
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

}  // namespace lifchip::mapper
