// Atomic writes: a failure at any stage (a throwing writer or a throwing stage hook) leaves the
// last good copy whole, and no temporary names behind.
#include "io/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>
#include <thread>

namespace sentzoo {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// All regular files under dir, relative path -> content.
std::map<std::string, std::string> tree(const fs::path& dir) {
  std::map<std::string, std::string> t;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) t[fs::relative(e.path(), dir).string()] = slurp(e.path());
  return t;
}

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    // Per process: other checkouts may run the same test at the same time.
    root = fs::temp_directory_path() /
           ("sentzoo_atomic_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root);
    fs::create_directories(root);
  }
  void TearDown() override { fs::remove_all(root); }
  // Names in root other than `keep` (leftover temporaries).
  std::vector<std::string> strays(const std::string& keep) {
    std::vector<std::string> s;
    for (const auto& e : fs::directory_iterator(root))
      if (e.path().filename() != keep) s.push_back(e.path().filename().string());
    return s;
  }
  fs::path root;
};

TEST_F(AtomicFile, WritesAndReplacesAFile) {
  write_file_atomic(root / "a.json", "first");
  EXPECT_EQ(slurp(root / "a.json"), "first");
  write_file_atomic(root / "a.json", "second, longer");
  EXPECT_EQ(slurp(root / "a.json"), "second, longer");
  EXPECT_TRUE(strays("a.json").empty());
}

TEST_F(AtomicFile, NewFilesGetUmaskModeAndReplacementsKeepTheirMode) {
  const mode_t mask = ::umask(022);
  write_file_atomic(root / "fresh", "x");
  detail::write_directory_atomic(
      root / "dir", [](const fs::path&) {}, nullptr);
  ::umask(mask);
  EXPECT_EQ(fs::status(root / "fresh").permissions(), fs::perms(0644));  // not mkstemp's 0600
  EXPECT_EQ(fs::status(root / "dir").permissions(), fs::perms(0755));
  fs::permissions(root / "fresh", fs::perms(0640));
  write_file_atomic(root / "fresh", "y");
  EXPECT_EQ(fs::status(root / "fresh").permissions(), fs::perms(0640));
}

TEST_F(AtomicFile, ThrowingWriterKeepsTheOldFile) {
  write_file_atomic(root / "a.json", "good");
  EXPECT_THROW(write_file_atomic(root / "a.json",
                                 [](const fs::path& tmp) {
                                   std::ofstream(tmp) << "half a fi";  // partial content
                                   throw std::runtime_error("disk full");
                                 }),
               std::runtime_error);
  EXPECT_EQ(slurp(root / "a.json"), "good");
  EXPECT_TRUE(strays("a.json").empty());
}

TEST_F(AtomicFile, FailureAtEachStageLeavesOldOrNewWhole) {
  for (const char* stage : {"written", "synced", "renamed"}) {
    write_file_atomic(root / "a.json", "old");
    const auto hook = [&](std::string_view s) {
      if (s == stage) throw std::runtime_error("crash");
    };
    EXPECT_THROW(detail::write_file_atomic(
                     root / "a.json", [](const fs::path& t) { std::ofstream(t) << "new"; }, hook),
                 std::runtime_error);
    EXPECT_EQ(slurp(root / "a.json"), std::string(stage) == "renamed" ? "new" : "old") << stage;
    EXPECT_TRUE(strays("a.json").empty()) << stage;
  }
}

void fill_new(const fs::path& d) {
  std::ofstream(d / "config.json") << "{\"new\": 1}";
  fs::create_directories(d / "sub");
  std::ofstream(d / "sub" / "model.pt") << "weights v2";
}

const std::map<std::string, std::string> kOld = {{"config.json", "{\"old\": 1}"},
                                                 {"train_state.pt", "state v1"}};
const std::map<std::string, std::string> kNew = {{"config.json", "{\"new\": 1}"},
                                                 {"sub/model.pt", "weights v2"}};

TEST_F(AtomicFile, ReplacesADirectoryWhole) {
  for (bool exchange : {true, false}) {
    const fs::path ckpt = root / "ckpt";
    fs::remove_all(ckpt);
    detail::write_directory_atomic(
        ckpt,
        [](const fs::path& d) {
          for (const auto& [name, content] : kOld) std::ofstream(d / name) << content;
        },
        nullptr,
        exchange);
    EXPECT_EQ(tree(ckpt), kOld);
    detail::write_directory_atomic(ckpt, fill_new, nullptr, exchange);
    EXPECT_EQ(tree(ckpt), kNew) << "exchange " << exchange;  // old-only files are gone too
    EXPECT_TRUE(strays("ckpt").empty());
  }
}

TEST_F(AtomicFile, DirectoryFailureAtEachStageLeavesOldOrNewWhole) {
  const fs::path ckpt = root / "ckpt";
  for (bool exchange : {true, false}) {
    for (const char* stage : {"filling", "written", "synced", "moved_aside", "renamed"}) {
      if (exchange && std::string(stage) == "moved_aside") continue;  // fallback-only stage
      fs::remove_all(ckpt);
      write_directory_atomic(ckpt, [](const fs::path& d) {
        for (const auto& [name, content] : kOld) std::ofstream(d / name) << content;
      });
      const auto fill = [&](const fs::path& d) {
        std::ofstream(d / "config.json") << "{\"new\": 1}";
        if (std::string(stage) == "filling") throw std::runtime_error("crash mid-write");
        fill_new(d);
      };
      const auto hook = [&](std::string_view s) {
        if (s == stage) throw std::runtime_error("crash");
      };
      EXPECT_ANY_THROW(detail::write_directory_atomic(ckpt, fill, hook, exchange))
          << stage << " exchange " << exchange;
      const bool is_new = std::string(stage) == "renamed";
      EXPECT_EQ(tree(ckpt), is_new ? kNew : kOld) << stage << " exchange " << exchange;
      if (!is_new) {
        EXPECT_TRUE(strays("ckpt").empty()) << stage << " exchange " << exchange;
      }
      for (const auto& e : fs::directory_iterator(root))  // a "crash" after the swap may leave
        if (e.path().filename() != "ckpt") fs::remove_all(e.path());  // the old copy: tidy up
    }
  }
}

TEST_F(AtomicFile, TrailingSlashNamesTheDirectoryItself) {
  write_directory_atomic(root / "ckpt", [](const fs::path& d) { std::ofstream(d / "a") << "1"; });
  write_directory_atomic(root / "ckpt" / "",
                         [](const fs::path& d) { std::ofstream(d / "b") << "2"; });
  EXPECT_EQ(tree(root / "ckpt"), (std::map<std::string, std::string>{{"b", "2"}}));
  EXPECT_TRUE(strays("ckpt").empty());
}

TEST_F(AtomicFile, RefusesToReplaceAFileWithADirectory) {
  write_file_atomic(root / "x", "file");
  EXPECT_THROW(write_directory_atomic(root / "x", [](const fs::path&) {}), std::runtime_error);
  EXPECT_EQ(slurp(root / "x"), "file");
}

// Issue #14: renaming over an output that is not a regular file destroyed it (as root,
// `--output /dev/null` would have replaced /dev/null). Symlinks are followed, devices and FIFOs
// written in place, directories refused.
TEST_F(AtomicFile, SymlinkedOutputStaysALinkAndItsTargetIsReplaced) {
  write_file_atomic(root / "target.txt", "old");
  fs::create_symlink("target.txt", root / "link.txt");
  write_file_atomic(root / "link.txt", "new");
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(root / "link.txt")));
  EXPECT_EQ(slurp(root / "target.txt"), "new");
  // A dangling link names the file to create.
  fs::create_symlink("created.txt", root / "dangling.txt");
  write_file_atomic(root / "dangling.txt", "made");
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(root / "dangling.txt")));
  EXPECT_EQ(slurp(root / "created.txt"), "made");
}

TEST_F(AtomicFile, FifoOutputIsWrittenInPlace) {
  const fs::path fifo = root / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string received;
  std::thread reader([&] { received = slurp(fifo); });
  write_file_atomic(fifo, "through the pipe");
  reader.join();
  EXPECT_EQ(received, "through the pipe");
  EXPECT_TRUE(fs::is_fifo(fifo)) << "the FIFO was replaced";
}

TEST_F(AtomicFile, ProcFdLinksToAPipeAreWrittenInPlace) {
  // As `--output /dev/stdout` in a pipeline: /proc/self/fd/N links to "pipe:[inode]".
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::string received;
  std::thread reader([&] {
    char buf[256];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0) received.append(buf, static_cast<size_t>(n));
  });
  write_file_atomic("/proc/self/fd/" + std::to_string(fds[1]), "to stdout");
  ::close(fds[1]);
  reader.join();
  ::close(fds[0]);
  EXPECT_EQ(received, "to stdout");
}

TEST_F(AtomicFile, DeviceOutputIsWrittenInPlaceAndAFullDeviceIsAnError) {
  // A private copy of /dev/full (character device 1:7) where the kernel allows mknod; the real
  // /dev nodes are not put at risk by a regression.
  const fs::path full = root / "full";
  if (::mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)) != 0)
    GTEST_SKIP() << "mknod is not permitted here (needs root and CAP_MKNOD)";
  if (FILE* probe = std::fopen(full.c_str(), "w"); probe) {
    std::fclose(probe);
  } else {
    GTEST_SKIP() << "device nodes cannot be opened here (device cgroup)";
  }
  try {
    write_file_atomic(full, "x");
    ADD_FAILURE() << "a write to a full device must fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(full.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No space left on device"), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(fs::is_character_file(full)) << "the device node was replaced";
  const fs::path null = root / "null";
  ASSERT_EQ(::mknod(null.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  write_file_atomic(null, "discarded");
  EXPECT_TRUE(fs::is_character_file(null));
}

TEST_F(AtomicFile, DirectoryOutputIsAnError) {
  fs::create_directories(root / "dir");
  EXPECT_THROW(write_file_atomic(root / "dir", "x"), std::runtime_error);
  EXPECT_TRUE(fs::is_directory(root / "dir"));
}

TEST_F(AtomicFile, CheckedWritesReportTheFileAndTheReason) {
  // /dev/full fails every write with ENOSPC: the checked writer must say so, naming the path.
  if (!fs::is_character_file("/dev/full")) GTEST_SKIP() << "no /dev/full";
  try {
    write_file_checked("/dev/full", "bytes");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/full: write failed: No space left on device");
  }
  EXPECT_TRUE(fs::is_character_file("/dev/full"));
}

}  // namespace
}  // namespace sentzoo
