// Reading and writing any protobuf message file for the mapper (text or binary by extension), with
// every failure an InputError naming the file. (core_model keeps its own copy private to its formats.)
#pragma once

#include <google/protobuf/message.h>

#include <string>

namespace lifchip::mapper {

/// True for names ending .txtpb, .pbtxt, .textproto or .txt (text format); binary otherwise.
bool is_text_proto_path(const std::string& path);

/// Parses `path` into `msg`; `kind` names the message in errors. Binary files with fields this
/// schema does not know are rejected (written by a newer or different tool).
void read_proto_message(const std::string& path, google::protobuf::Message* msg, const char* kind);

/// Writes atomically: a temporary file beside `path`, then a rename.
void write_proto_message(const std::string& path, const google::protobuf::Message& msg);

}  // namespace lifchip::mapper
