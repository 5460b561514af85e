// Strict JSON text parsing (core/json_text.h).
#include "core/json_text.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace sentzoo {

namespace {

// 1-based line and column of the 1-based byte offset nlohmann reports.
std::string position(std::string_view text, size_t byte) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("{}:{}", line, column);
}

// Thrown from the parser callback (which sees no positions) and turned into a message.
struct Refused {
  std::string message;
};

// Tracks the keys of every open object; the key path names the duplicate in the message.
class KeyChecker {
 public:
  bool operator()(int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    switch (event) {
      case E::object_start:
        open_.push_back({});
        break;
      case E::array_start:
        open_.push_back({});
        open_.back().is_array = true;
        break;
      case E::object_end:
      case E::array_end:
        if (!open_.empty()) open_.pop_back();
        break;
      case E::key: {
        auto& object = open_.back();
        const std::string key = parsed.get<std::string>();
        object.current = key;
        if (!object.keys.insert(key).second)
          throw Refused{fmt::format("key \"{}\" appears twice in one object", excerpt(path(key)))};
        break;
      }
      case E::value:
        break;
    }
    return true;
  }

 private:
  struct Open {
    std::set<std::string> keys;
    std::string current;
    bool is_array = false;
  };
  std::string path(const std::string& last) const {
    std::string out;
    for (size_t i = 0; i + 1 < open_.size(); ++i) {
      out += open_[i].is_array ? "[]" : (out.empty() ? "" : ".") + open_[i].current;
    }
    if (!last.empty()) out += (out.empty() ? "" : ".") + last;
    return out.empty() ? "(top level)" : out;
  }
  std::vector<Open> open_;
};

}  // namespace

nlohmann::json parse_json_text(std::string_view text, const std::string& what) {
  KeyChecker checker;
  try {
    return nlohmann::json::parse(text.begin(), text.end(), std::ref(checker));
  } catch (const Refused& r) {
    throw std::runtime_error(fmt::format("{}: invalid JSON: {}", what, r.message));
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(
        fmt::format("{}:{}: invalid JSON: {}", what, position(text, e.byte), e.what()));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: invalid JSON: {}", what, e.what()));
  }
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open file: {}", path, std::strerror(errno)));
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw std::runtime_error(fmt::format("{}: read failed", path));
  return parse_json_text(buffer.str(), path);
}

std::string excerpt(std::string_view value, size_t max_chars) {
  if (value.size() <= max_chars) return std::string(value);
  size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}... ({} bytes)", value.substr(0, cut), value.size());
}

}  // namespace sentzoo
