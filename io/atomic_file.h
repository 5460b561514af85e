#pragma once
// Crash-safe output: a file or a whole directory is written under a temporary name in the same
// directory, fsynced, then renamed over the target, so a crash at any point leaves either the
// last good copy or the new one, never a mix (the rename is atomic within one file system).

#include <filesystem>
#include <functional>
#include <string_view>

namespace sentzoo {

/// Writes `path` atomically: `write(tmp)` creates the content at `tmp` (any writer whose own
/// errors throw), then tmp is fsynced, renamed over `path` and the directory fsynced. If
/// `write` throws, tmp is removed, `path` is untouched and the exception propagates.
/// Only a regular file (or a missing path) is replaced: a symlink is followed and its target
/// replaced, an existing device, FIFO or socket (e.g. /dev/null, /dev/stdout) is written in
/// place, a directory is an error.
void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(const std::filesystem::path& tmp)>& write);
/// Writes `bytes` to `path` atomically (write_file_checked into the temporary).
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

/// Creates or truncates `path` and writes `bytes` with every write(2), fsync(2) (regular files)
/// and close(2) checked: a full disk or an I/O error throws std::runtime_error naming `path`
/// and the system's reason, e.g. "out/model.safetensors: write failed: No space left on device".
void write_file_checked(const std::filesystem::path& path, std::string_view bytes);

/// Replaces the directory `dir` atomically: `fill(tmp)` writes files into `<dir>.tmp-XXXXXX/`,
/// every file and directory in it is fsynced, then it is exchanged with `dir` in one
/// renameat2(RENAME_EXCHANGE) and the old copy deleted. Where the file system lacks
/// RENAME_EXCHANGE, the old copy is first renamed to `<dir>.old-XXXXXX` and kept until the new
/// one is in place (a crash in between leaves it there, whole).
void write_directory_atomic(const std::filesystem::path& dir,
                            const std::function<void(const std::filesystem::path& tmp)>& fill);

namespace detail {
/// Test hook: called after each stage ("written", "synced", "moved_aside" in the fallback,
/// "renamed"); throwing from it simulates a failure at that point.
using AtomicStageHook = std::function<void(std::string_view stage)>;
void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(const std::filesystem::path& tmp)>& write,
                       const AtomicStageHook& hook);
/// `allow_exchange` = false forces the two-rename fallback (to test it).
void write_directory_atomic(const std::filesystem::path& dir,
                            const std::function<void(const std::filesystem::path& tmp)>& fill,
                            const AtomicStageHook& hook,
                            bool allow_exchange = true);
}  // namespace detail

}  // namespace sentzoo
