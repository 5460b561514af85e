#pragma once
// Shared shape of every sentzoo-* main (STYLE.md §7): parse flags, handle --help, --version and
// --threads, warn about reference BLAS, run one library call, map exceptions to exit codes
// (0 ok, 1 failure, 2 usage error). Linked into the executables only, never into the library.

// Repeatable options (--set a=1,2) keep their commas: no value is split into a vector.
#ifndef CXXOPTS_VECTOR_DELIMITER
#define CXXOPTS_VECTOR_DELIMITER '\x1f'
#endif
#include <cxxopts.hpp>
#include <functional>
#include <stdexcept>
#include <string>

namespace sentzoo::cli {

/// Thrown by a main's body for a usage error (missing or conflicting flags): exit code 2.
struct UsageError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

/// Adds -h/--help, --version and --threads N (default: all cores) to `options`.
void add_common_options(cxxopts::Options& options);

/// Runs a main: parses argv (an unknown flag or a stray positional argument is a usage error),
/// answers --help/--version, sets the threads, then calls `body` and maps its exceptions.
/// `positional` names the options that take positional arguments, if any.
int run(int argc,
        char** argv,
        cxxopts::Options& options,
        const std::function<int(const cxxopts::ParseResult&)>& body,
        const std::vector<std::string>& positional = {});

/// The value of a required option, or a UsageError naming it.
template <class T>
T required(const cxxopts::ParseResult& args, const std::string& name) {
  if (!args.count(name)) throw UsageError("missing required option --" + name);
  return args[name].as<T>();
}

/// A string option read by a library parser that throws std::invalid_argument ("precision:
/// expected ..."): its value, or a UsageError with the parser's message after "--".
template <class Parse>
auto parsed_option(const cxxopts::ParseResult& args, const std::string& name, Parse parse) {
  try {
    return parse(args[name].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--") + e.what());
  }
}

}  // namespace sentzoo::cli
